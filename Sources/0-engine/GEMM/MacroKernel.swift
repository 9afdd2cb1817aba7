// The register-blocked micro-kernel and the loop over the micro-tiles of one packed block (BLIS's
// "macro-kernel").
//
// ONE FILE, THREE MODULES: GEMMAVX2/MacroKernel.swift and GEMMAVX512/MacroKernel.swift are symbolic
// links to this file. Each module compiles it for its own instruction set and defines `KernelVector`
// and `multiplyAdd` beside it, so the code that runs on AVX-512 is the code the tests run on AVX2.
// GEMMTests checks the three paths read the same text (e.g. if a checkout lost the links).
//
// Shape legend: MR = `microTileRows` (6), W = `KernelVector.scalarCount`, NR = 2·W.
//   packed A block: (mc/MR panels, kc, MR)  k-major panels of MR rows, the last one zero-padded
//   packed B block: (nc/NR panels, kc, NR)  k-major panels of NR columns, the last one zero-padded
//   C block: (mc, nc), `ldc` floats between rows

import CCPUFeatures

/// Rows of one micro-tile (MR). The packing code in GEMM uses the same value.
let microTileRows = 6

/// Columns of one micro-tile (NR): two vectors.
let microTileColumns = 2 * KernelVector.scalarCount

/// C(mc, nc) = packedA · packedB, or C += packedA · packedB when `accumulate` is true.
///
/// Full MR×NR tiles are written straight to C; edge tiles go through a small buffer so the
/// micro-kernel never reads or writes outside C. While the row tiles of one B panel run, each
/// fetches its share of the next B panel into L2, so that panel does not arrive from L3 or memory
/// at full latency when its turn comes.
@inline(__always)
func macroKernel(
    mc: Int, nc: Int, kc: Int,
    packedA: UnsafePointer<Float>,   // (mc/MR, kc, MR)
    packedB: UnsafePointer<Float>,   // (nc/NR, kc, NR)
    c: UnsafeMutablePointer<Float>,  // (mc, nc), ldc
    ldc: Int,
    accumulate: Bool
) {
    let mr = microTileRows, nr = microTileColumns
    let rowTiles = (mc + mr - 1) / mr
    let prefetchShare = (kc + rowTiles - 1) / rowTiles  // k rows of the next B panel per row tile
    withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { buffer in
        let tile = buffer.baseAddress!  // (MR, NR)
        var j = 0
        while j < nc {
            let columns = min(nr, nc - j)
            let bPanel = packedB + j * kc
            let hasNext = j + nr < nc
            var i = 0
            var rowTile = 0
            while i < mc {
                let rows = min(mr, mc - i)
                let aPanel = packedA + i * kc
                let cTile = c + i * ldc + j
                let prefetchStart = min(rowTile * prefetchShare, kc)
                let prefetch = bPanel + nr * (kc + prefetchStart)
                let prefetchSteps = hasNext ? min(prefetchShare, kc - prefetchStart) : 0
                if rows == mr && columns == nr {
                    microKernel(kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, accumulate: accumulate,
                                prefetch: prefetch, prefetchSteps: prefetchSteps)
                } else {
                    microKernel(kc: kc, a: aPanel, b: bPanel, c: tile, ldc: nr, accumulate: false,
                                prefetch: prefetch, prefetchSteps: prefetchSteps)
                    for r in 0..<rows {
                        for s in 0..<columns {
                            let v = tile[r * nr + s]
                            cTile[r * ldc + s] = accumulate ? cTile[r * ldc + s] + v : v
                        }
                    }
                }
                i += mr
                rowTile += 1
            }
            j += nr
        }
    }
}

/// One MR×NR tile: C(6, 2W) (+)= A panel (kc, 6) · B panel (kc, 2W), twelve vector accumulators.
/// During the first `prefetchSteps` k steps it also fetches one B row from `prefetch` per step.
@inline(__always)
func microKernel(
    kc: Int,
    a: UnsafePointer<Float>,         // (kc, MR)
    b: UnsafePointer<Float>,         // (kc, NR)
    c: UnsafeMutablePointer<Float>,  // (MR, NR), ldc
    ldc: Int,
    accumulate: Bool,
    prefetch: UnsafePointer<Float>,  // rows of the B panel needed next, NR floats apart
    prefetchSteps: Int               // ≤ kc
) {
    let w = KernelVector.scalarCount
    // C's tile is touched only after the k loop; fetching it now hides a cache miss per row
    // (a plain load would stall retirement instead). Rows may straddle two cache lines.
    for r in 0..<microTileRows {
        e2h_prefetch_for_write(c + r * ldc)
        e2h_prefetch_for_write(c + r * ldc + 2 * w - 1)
    }
    var c00 = KernelVector(), c01 = KernelVector()
    var c10 = KernelVector(), c11 = KernelVector()
    var c20 = KernelVector(), c21 = KernelVector()
    var c30 = KernelVector(), c31 = KernelVector()
    var c40 = KernelVector(), c41 = KernelVector()
    var c50 = KernelVector(), c51 = KernelVector()
    var ap = a
    var bp = UnsafeRawPointer(b)
    var pf = UnsafeRawPointer(prefetch)
    let bStep = 2 * w * MemoryLayout<Float>.stride

    /// One k step: the rank-1 update C += A(:, p) · B(p, :).
    @inline(__always)
    func step() {
        let b0 = bp.loadUnaligned(as: KernelVector.self)
        let b1 = bp.loadUnaligned(fromByteOffset: w * MemoryLayout<Float>.stride, as: KernelVector.self)
        var av = KernelVector(repeating: ap[0])
        c00 = multiplyAdd(c00, av, b0); c01 = multiplyAdd(c01, av, b1)
        av = KernelVector(repeating: ap[1])
        c10 = multiplyAdd(c10, av, b0); c11 = multiplyAdd(c11, av, b1)
        av = KernelVector(repeating: ap[2])
        c20 = multiplyAdd(c20, av, b0); c21 = multiplyAdd(c21, av, b1)
        av = KernelVector(repeating: ap[3])
        c30 = multiplyAdd(c30, av, b0); c31 = multiplyAdd(c31, av, b1)
        av = KernelVector(repeating: ap[4])
        c40 = multiplyAdd(c40, av, b0); c41 = multiplyAdd(c41, av, b1)
        av = KernelVector(repeating: ap[5])
        c50 = multiplyAdd(c50, av, b0); c51 = multiplyAdd(c51, av, b1)
        ap += microTileRows
        bp += bStep
    }

    for _ in 0..<prefetchSteps {
        step()
        e2h_prefetch_to_l2(pf)
        if bStep > 64 { e2h_prefetch_to_l2(pf + 64) }  // a B row spans two cache lines
        pf += bStep
    }
    for _ in prefetchSteps..<kc {
        step()
    }
    storeRow(c, c00, c01, accumulate: accumulate)
    storeRow(c + ldc, c10, c11, accumulate: accumulate)
    storeRow(c + 2 * ldc, c20, c21, accumulate: accumulate)
    storeRow(c + 3 * ldc, c30, c31, accumulate: accumulate)
    storeRow(c + 4 * ldc, c40, c41, accumulate: accumulate)
    storeRow(c + 5 * ldc, c50, c51, accumulate: accumulate)
}

/// Writes (or adds) two vectors to one row of a C tile.
@inline(__always)
func storeRow(_ row: UnsafeMutablePointer<Float>, _ v0: KernelVector, _ v1: KernelVector,
              accumulate: Bool) {
    let p = UnsafeMutableRawPointer(row)
    let offset = KernelVector.scalarCount * MemoryLayout<Float>.stride
    var x0 = v0, x1 = v1
    if accumulate {
        x0 += p.loadUnaligned(as: KernelVector.self)
        x1 += p.loadUnaligned(fromByteOffset: offset, as: KernelVector.self)
    }
    p.storeBytes(of: x0, as: KernelVector.self)
    p.storeBytes(of: x1, toByteOffset: offset, as: KernelVector.self)
}
