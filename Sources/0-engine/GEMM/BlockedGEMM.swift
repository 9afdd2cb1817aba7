// The cache-blocked loop nest (BLIS order jc → pc → ic → macro-kernel) and its split over threads.
//
// Operands are described by strides so that the three forms are one algorithm:
//   A(i, p) = a[i·aRowStride + p·aDepthStride]     (nn/nt: (lda, 1); tn: (1, lda))
//   B(p, j) = b[p·bDepthStride + j·bColumnStride]  (nn/tn: (ldb, 1); nt: (1, ldb))
//   C(i, j) = c[i·ldc + j]

import Dispatch

/// C(m, n) (+)= A(m, k) · B(k, n) with both operands given by strides (see the file comment).
struct StridedProduct {
    var m: Int, n: Int, k: Int
    var a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int
    var b: UnsafePointer<Float>, bDepthStride: Int, bColumnStride: Int
    var c: UnsafeMutablePointer<Float>, ldc: Int
    var accumulate: Bool

    init(_ form: GEMMForm, m: Int, n: Int, k: Int,
         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        (self.m, self.n, self.k) = (m, n, k)
        (self.a, self.b, self.c, self.ldc, self.accumulate) = (a, b, c, ldc, accumulate)
        (aRowStride, aDepthStride) = form == .tn ? (1, lda) : (lda, 1)
        (bDepthStride, bColumnStride) = form == .nt ? (1, ldb) : (ldb, 1)
    }

    /// The rows `start..<start+count` of this product.
    func rows(_ start: Int, _ count: Int) -> StridedProduct {
        var part = self
        part.m = count
        part.a = a + start * aRowStride
        part.c = c + start * ldc
        return part
    }

    /// The columns `start..<start+count` of this product.
    func columns(_ start: Int, _ count: Int) -> StridedProduct {
        var part = self
        part.n = count
        part.b = b + start * bColumnStride
        part.c = c + start
        return part
    }
}

/// Runs `product` on `threads` workers, each on its own band of rows (or columns when the product
/// is wider than tall), each packing into its own borrowed buffers.
func runBlocked(_ product: StridedProduct, plan: KernelPlan, threads: Int) {
    forEachBand(product, rowUnit: plan.mr, columnUnit: plan.nr, threads: threads) { part in
        runBlockedSerial(part, plan: plan)
    }
}

/// Calls `body` on up to `threads` bands of `product` at once: bands of rows (whole multiples of
/// `rowUnit`) when it is taller than wide, else of columns (of `columnUnit`); on this thread alone
/// when there is one band.
func forEachBand(_ product: StridedProduct, rowUnit: Int, columnUnit: Int, threads: Int,
                 _ body: @escaping (StridedProduct) -> Void) {
    let splitRows = product.m >= product.n
    let extent = splitRows ? product.m : product.n
    let unit = splitRows ? rowUnit : columnUnit
    let workers = max(1, min(threads, (extent + unit - 1) / unit))
    if workers == 1 {
        body(product)
        return
    }
    let band = ((extent + workers - 1) / workers + unit - 1) / unit * unit
    parallelBands(workers) { worker in
        let start = worker * band
        let count = min(band, extent - start)
        guard count > 0 else { return }
        body(splitRows ? product.rows(start, count) : product.columns(start, count))
    }
}

/// The single-threaded blocked product. Requires m, n, k > 0.
///
/// B is packed during the first row block, a few panels at a time right before the micro-kernel
/// reads them, so they are still in L1/L2 then; later row blocks re-read the packed block.
/// When A is stored (K, M) (form tn), one row block would take only MC floats from each of KC
/// source rows (a page each), so several row blocks are packed per sweep over those rows.
func runBlockedSerial(_ p: StridedProduct, plan: KernelPlan) {
    let kc = plan.depthBlock(p.k)
    let mc = plan.rowBlock(p.m, depth: kc)
    let nc = plan.columnBlock(p.n, depth: kc)
    let group = p.aRowStride == 1 ? max(mc, plan.aGroupFloats / kc / mc * mc) : mc
    let chunk = 4 * plan.nr  // columns of B packed at a time during the first row block
    PackingBufferPool.shared.withBuffers(aCount: group * kc, bCount: nc * kc) { buffers in
        var jc = 0
        while jc < p.n {
            let ncb = min(nc, p.n - jc)
            var pc = 0
            while pc < p.k {
                let kcb = min(kc, p.k - pc)
                // Only the first K block may overwrite C.
                let accumulate = p.accumulate || pc > 0
                var ig = 0
                while ig < p.m {
                    let groupRows = min(group, p.m - ig)
                    // A(ig..<ig+groupRows, pc..<pc+kcb) → (groupRows/MR, kcb, MR)
                    packPanels(p.a + ig * p.aRowStride + pc * p.aDepthStride,
                               laneStride: p.aRowStride, depthStride: p.aDepthStride,
                               lanes: groupRows, depth: kcb, width: plan.mr, into: buffers.a)
                    var ic = ig
                    while ic < ig + groupRows {
                        let mcb = min(mc, ig + groupRows - ic)
                        let packedA = buffers.a + (ic - ig) * kcb  // row block ic of the group
                        let cBlock = p.c + ic * p.ldc + jc
                        if ic == 0 {
                            var jj = 0
                            while jj < ncb {
                                let columns = min(chunk, ncb - jj)
                                // B(pc..<pc+kcb, jc+jj..<jc+jj+columns) → (columns/NR, kcb, NR)
                                let packedB = buffers.b + jj * kcb
                                packPanels(p.b + pc * p.bDepthStride + (jc + jj) * p.bColumnStride,
                                           laneStride: p.bColumnStride, depthStride: p.bDepthStride,
                                           lanes: columns, depth: kcb, width: plan.nr, into: packedB)
                                plan.macroKernel(mcb, columns, kcb, packedA, packedB, cBlock + jj,
                                                 p.ldc, accumulate)
                                jj += columns
                            }
                        } else {
                            plan.macroKernel(mcb, ncb, kcb, packedA, buffers.b, cBlock, p.ldc,
                                             accumulate)
                        }
                        ic += mcb
                    }
                    ig += groupRows
                }
                pc += kcb
            }
            jc += ncb
        }
    }
}
