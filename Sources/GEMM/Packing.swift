// Packing: copying a block of A or B into the panel layout the micro-kernel streams through.
//
// Both operands pack the same way. A block is `lanes` × `depth` (A: rows × k, B: columns × k); it is
// cut into panels of `width` lanes (A: MR rows, B: NR columns) and each panel is stored k-major:
//   dest (lanes/width, depth, width),  dest[panel][p][l] = src[(panel·width + l)·laneStride + p·depthStride]
// The last panel is padded with zeros so the micro-kernel always computes full tiles.

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
    var panelStart = 0
    var d = dest
    while panelStart < lanes {
        let used = min(width, lanes - panelStart)
        let s = src + panelStart * laneStride
        if used == width && laneStride == 1 {
            // Lanes contiguous (A of tn, B of nn/tn): each k step is one straight copy.
            for p in 0..<depth {
                let row = s + p * depthStride
                for l in 0..<width { d[p * width + l] = row[l] }
            }
        } else if used == width && depthStride == 1 {
            // k contiguous (A of nn/nt, B of nt): a transpose, read row by row.
            for l in 0..<width {
                let row = s + l * laneStride
                for p in 0..<depth { d[p * width + l] = row[p] }
            }
        } else {
            // The last, partial panel: copy what exists and zero the rest.
            for p in 0..<depth {
                for l in 0..<used { d[p * width + l] = s[l * laneStride + p * depthStride] }
                for l in used..<width { d[p * width + l] = 0 }
            }
        }
        d += width * depth
        panelStart += width
    }
}

// DEV-ONLY (remove): timing hook.
public func _devPack(_ src: UnsafePointer<Float>, laneStride: Int, depthStride: Int, lanes: Int, depth: Int, width: Int, into dest: UnsafeMutablePointer<Float>) {
    packPanels(src, laneStride: laneStride, depthStride: depthStride, lanes: lanes, depth: depth, width: width, into: dest)
}
