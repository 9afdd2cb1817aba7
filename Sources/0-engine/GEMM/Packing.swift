// Packing: copying a block of A or B into the panel layout the micro-kernel streams through.
//
// Both operands pack the same way. A block is `lanes` × `depth` (A: rows × k, B: columns × k); it is
// cut into panels of `width` lanes (A: MR rows, B: NR columns) and each panel is stored k-major:
//   dest (lanes/width, depth, width),  dest[panel][p][l] = src[(panel·width + l)·laneStride + p·depthStride]
// The last panel is padded with zeros so the micro-kernel always computes full tiles.
// With AVX2, the transposing layouts and the width-6 copy run in C (CCPUFeatures/pack.c); the
// loops here are the form for other CPUs and the rest.

import CCPUFeatures

/// Packs a `lanes` × `depth` block into panels of `width` lanes (see the file comment).
///
/// - Parameters:
///   - src: the block's first element.
///   - laneStride: floats between consecutive lanes (A rows or B columns) in `src`.
///   - depthStride: floats between consecutive k in `src`.
///   - dest: room for ceil(lanes/width)·width·depth floats.
func packPanels(
    _ src: UnsafePointer<Float>, laneStride: Int, depthStride: Int,
    lanes: Int, depth: Int, width: Int,
    into dest: UnsafeMutablePointer<Float>
) {
    if CPUSupport.avx2, depthStride == 1 ? width == 6 || width % 8 == 0 : laneStride == 1 && width == 6 {
        e2h_pack_panels_avx2(src, laneStride, depthStride, lanes, depth, width, dest)
        return
    }
    packPanelsLoops(src, laneStride: laneStride, depthStride: depthStride, lanes: lanes, depth: depth, width: width, into: dest)
}

/// `packPanels` in Swift loops only (the form without AVX2; tests compare the two).
func packPanelsLoops(
    _ src: UnsafePointer<Float>, laneStride: Int, depthStride: Int,
    lanes: Int, depth: Int, width: Int,
    into dest: UnsafeMutablePointer<Float>
) {
    // Constant widths let the compiler unroll the inner loops into straight vector moves.
    switch width {
    case 6: packPanels(src, laneStride, depthStride, lanes, depth, 6, dest)
    case 8: packPanels(src, laneStride, depthStride, lanes, depth, 8, dest)
    case 16: packPanels(src, laneStride, depthStride, lanes, depth, 16, dest)
    case 32: packPanels(src, laneStride, depthStride, lanes, depth, 32, dest)
    default: packPanels(src, laneStride, depthStride, lanes, depth, width, dest)
    }
}

@inline(__always)
private func packPanels(
    _ src: UnsafePointer<Float>, _ laneStride: Int, _ depthStride: Int,
    _ lanes: Int, _ depth: Int, _ width: Int,
    _ dest: UnsafeMutablePointer<Float>
) {
    let fullPanels = lanes / width
    let tail = lanes - fullPanels * width
    let panelSize = width * depth
    if laneStride == 1 && fullPanels <= 4 {
        // Lanes contiguous (A of tn, B of nn/tn), few panels (B is packed 4 panels at a time):
        // walk each source row once, front to back, and deal it out to the panels.
        for p in 0..<depth {
            let row = src + p * depthStride
            var d = dest + p * width
            for panel in 0..<fullPanels {
                let s = row + panel * width
                for l in 0..<width { d[l] = s[l] }
                d += panelSize
            }
            if tail > 0 {
                let s = row + fullPanels * width
                for l in 0..<tail { d[l] = s[l] }
                for l in tail..<width { d[l] = 0 }
            }
        }
        return
    }
    if laneStride == 1 {
        // Lanes contiguous, many panels (A of tn): a few source rows at a time, panel by panel.
        // Source rows and panels both sit multiples of 4 KB apart, so they share few L1 sets;
        // dealing one row out to many panels at once would make them evict one another.
        let rowsPerSweep = 4
        var p0 = 0
        while p0 < depth {
            let p1 = min(depth, p0 + rowsPerSweep)
            for panel in 0..<fullPanels {
                let s = src + panel * width
                let d = dest + panel * panelSize
                for p in p0..<p1 {
                    for l in 0..<width { d[p * width + l] = s[p * depthStride + l] }
                }
            }
            if tail > 0 {
                let s = src + fullPanels * width
                let d = dest + fullPanels * panelSize
                for p in p0..<p1 {
                    for l in 0..<tail { d[p * width + l] = s[p * depthStride + l] }
                    for l in tail..<width { d[p * width + l] = 0 }
                }
            }
            p0 = p1
        }
        return
    }
    // Otherwise each lane is read front to back along k (A of nn/nt, B of nt; a transpose).
    for panel in 0..<fullPanels {
        let s = src + panel * width * laneStride
        let d = dest + panel * panelSize
        for l in 0..<width {
            let lane = s + l * laneStride
            for p in 0..<depth { d[p * width + l] = lane[p * depthStride] }
        }
    }
    if tail > 0 {
        let s = src + fullPanels * width * laneStride
        let d = dest + fullPanels * panelSize
        for l in 0..<tail {
            let lane = s + l * laneStride
            for p in 0..<depth { d[p * width + l] = lane[p * depthStride] }
        }
        for p in 0..<depth {
            for l in tail..<width { d[p * width + l] = 0 }
        }
    }
}
