// A B operand packed once, for products that reuse it many times (a weight matrix during
// decoding): `gemm` re-packs B on every call, which at 64 rows costs two thirds as much as the
// multiply itself. The packed layout is exactly what `runBlockedSerial` builds: for each K block
// (the same `depthBlock` split), panels of NR columns stored k-major, the last one zero-padded:
//   storage[pc·N' + (j/NR)·kcb·NR + (p-pc)·NR + j%NR] = B(p, j),   N' = ceil(N/NR)·NR
// so the same macro-kernel runs over the same K blocks and C is bit-identical to `gemm`.

import Dispatch

/// B (K, N) packed for the micro-kernel of one `GEMMKernel`. Immutable after packing except by
/// ``repack(_:b:ldb:)``; several threads may multiply by it at once.
public final class PackedMatrix: @unchecked Sendable {
    /// B's columns (N) and depth (K).
    public let n: Int, k: Int
    /// The kernel whose tile width the panels have.
    public let kernel: GEMMKernel
    let nr: Int
    /// The K block of this kernel for depth k (`KernelPlan.depthBlock`).
    let kc: Int
    private let storage: UnsafeMutablePointer<Float>

    /// Packs B given as `gemm` reads it in `form` (.nn: B is (K, N), `ldb` between rows; .nt: B is
    /// stored (N, K), e.g. a weight (out, in); .tn reads B like .nn).
    public init(_ form: GEMMForm, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                kernel: GEMMKernel = GEMMKernel.selected) {
        precondition(n > 0 && k > 0, "PackedMatrix: empty operand n=\(n) k=\(k)")
        let plan = KernelPlan(kernel)
        (self.n, self.k, self.kernel, nr) = (n, k, plan.kernel, plan.nr)
        kc = plan.depthBlock(k)
        let count = Self.floatCount(n: n, k: k, nr: nr)
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        repack(form, b: b, ldb: ldb)
    }

    deinit { storage.deallocate() }

    /// Packs new contents of B (same shape), e.g. after the weights changed.
    public func repack(_ form: GEMMForm, b: UnsafePointer<Float>, ldb: Int) {
        let (depthStride, columnStride) = form == .nt ? (1, ldb) : (ldb, 1)
        let paddedN = (n + nr - 1) / nr * nr
        // Columns in chunks of whole panels, packed in parallel (a one-time cost per matrix).
        let chunk = max(nr, (4096 / nr) * nr)
        let chunks = (n + chunk - 1) / chunk
        var pc = 0
        while pc < k {
            let kcb = min(kc, k - pc), block = storage + pc * paddedN, source = b + pc * depthStride
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                let j0 = index * chunk, lanes = min(chunk, n - j0)
                packPanels(source + j0 * columnStride, laneStride: columnStride, depthStride: depthStride,
                           lanes: lanes, depth: kcb, width: nr, into: block + j0 * kcb)
            }
            pc += kcb
        }
    }

    /// Bytes of packed storage.
    public var byteCount: Int { Self.floatCount(n: n, k: k, nr: nr) * MemoryLayout<Float>.stride }

    /// Bytes a packed (K, N) operand takes for `kernel` (without packing one).
    public static func byteCount(n: Int, k: Int, kernel: GEMMKernel = GEMMKernel.selected) -> Int {
        floatCount(n: n, k: k, nr: KernelPlan(kernel).nr) * MemoryLayout<Float>.stride
    }

    private static func floatCount(n: Int, k: Int, nr: Int) -> Int { (n + nr - 1) / nr * nr * k }

    /// The panels of K block `pc` from column `j` (a multiple of NR) on.
    @inline(__always)
    func panels(depth pc: Int, depthBlock kcb: Int, column j: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + pc * ((n + nr - 1) / nr * nr) + j * kcb)
    }
}

/// C(m, N) = A(m, K) · B, or C += A · B when `accumulate`, with B packed beforehand; A is row-major
/// with `lda` floats between rows. Bit-identical to `gemm` with the unpacked B and the same kernel.
///
/// - Parameter threads: worker threads; nil means `gemm`'s default for this size.
public func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, packed b: PackedMatrix,
                 c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false, threads: Int? = nil) {
    precondition(m >= 0, "gemm: negative dimension m=\(m)")
    guard m > 0 else { return }
    let plan = KernelPlan(b.kernel)
    let n = b.n
    let workers0 = threads ?? defaultThreads(m: m, n: n, k: b.k)
    // The same split as `runBlocked`: bands of rows, or of whole panels of columns.
    let splitRows = m >= n
    let extent = splitRows ? m : n, unit = splitRows ? plan.mr : plan.nr
    let workers = max(1, min(workers0, (extent + unit - 1) / unit))
    func run(rows r0: Int, _ rowCount: Int, columns j0: Int, _ columnCount: Int) {
        runPackedSerial(m: rowCount, a: a + r0 * lda, lda: lda, packed: b, columns: j0, columnCount,
                        c: c + r0 * ldc, ldc: ldc, accumulate: accumulate, plan: plan)
    }
    if workers == 1 {
        run(rows: 0, m, columns: 0, n)
        return
    }
    let band = ((extent + workers - 1) / workers + unit - 1) / unit * unit
    parallelBands(workers) { worker in
        let start = worker * band, count = min(band, extent - start)
        guard count > 0 else { return }
        if splitRows { run(rows: start, count, columns: 0, n) } else { run(rows: 0, m, columns: start, count) }
    }
}

/// One worker's rows × columns `j0..<j0+n` of the packed product: the loop nest of
/// `runBlockedSerial` (jc → pc → ic) without packing B.
private func runPackedSerial(m: Int, a: UnsafePointer<Float>, lda: Int, packed: PackedMatrix,
                             columns j0: Int, _ n: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                             accumulate: Bool, plan: KernelPlan) {
    let k = packed.k, kc = packed.kc
    let mc = plan.rowBlock(m, depth: kc)
    let nc = plan.columnBlock(n, depth: kc)
    PackingBufferPool.shared.withBuffers(aCount: mc * kc, bCount: 0) { buffers in
        var jc = 0
        while jc < n {
            let ncb = min(nc, n - jc)
            var pc = 0
            while pc < k {
                let kcb = min(kc, k - pc)
                let packedB = packed.panels(depth: pc, depthBlock: kcb, column: j0 + jc)
                var ic = 0
                while ic < m {
                    let mcb = min(mc, m - ic)
                    packPanels(a + ic * lda + pc, laneStride: lda, depthStride: 1,
                               lanes: mcb, depth: kcb, width: plan.mr, into: buffers.a)
                    plan.macroKernel(mcb, ncb, kcb, buffers.a, packedB, c + ic * ldc + j0 + jc, ldc,
                                     accumulate || pc > 0)
                    ic += mcb
                }
                pc += kcb
            }
            jc += ncb
        }
    }
}
