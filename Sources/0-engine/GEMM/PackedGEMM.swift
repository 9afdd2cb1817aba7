// A B operand packed once, for products that reuse it many times (a weight matrix during
// decoding): `gemm` re-packs B on every call, which at 64 rows costs two thirds as much as the
// multiply itself. The packed layout is exactly what `runBlockedSerial` builds: for each K block
// (the same `depthBlock` split), panels of NR columns stored k-major, the last one zero-padded:
//   storage[pc·N' + (j/NR)·kcb·NR + (p-pc)·NR + j%NR] = B(p, j),   N' = ceil(N/NR)·NR
// so the same macro-kernel runs over the same K blocks and C is bit-identical to `gemm`.
//
// In bfloat16 (`precision: .bfloat16`, on a CPU with AMX) B is rounded to bfloat16 once, in the
// tiles amx_gemm.c's `e2h_amx_rows` reads: blocks of NC columns x KC depths (AMXBlocking), block
// (jc, pc) at jc·K' + roundup32(ncb)·pc bf16 values (K' = roundup32(K)), within it tile pair tp at
// tp·32·roundup32(kcb). A product then packs only A, as `gemm` in bfloat16 does, and gives the
// same C as `gemm(..., precision: .bfloat16)` (same blocks, same order of sums).

import CCPUFeatures
import Dispatch

/// B (K, N) packed for the micro-kernel of one `GEMMKernel`. Immutable after packing except by
/// ``repack(_:b:ldb:)``; several threads may multiply by it at once.
public final class PackedMatrix: @unchecked Sendable {
    /// B's columns (N) and depth (K).
    public let n: Int, k: Int
    /// The kernel whose tile width the panels have (float32 panels).
    public let kernel: GEMMKernel
    /// The operands' precision: float32 panels for `kernel`, or bfloat16 tiles (only where AMX runs).
    public let precision: MatmulPrecision
    let nr: Int
    /// The K block of this kernel for depth k (`KernelPlan.depthBlock`).
    let kc: Int
    private let storage: UnsafeMutablePointer<Float>
    private let raw: UnsafeMutableRawPointer

    /// Packs B given as `gemm` reads it in `form` (.nn: B is (K, N), `ldb` between rows; .nt: B is
    /// stored (N, K), e.g. a weight (out, in); .tn reads B like .nn). `precision` .bfloat16 packs
    /// bfloat16 tiles where AMX runs (``MatmulPrecision/effective``), else float32 panels.
    public init(_ form: GEMMForm, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                kernel: GEMMKernel = GEMMKernel.selected, precision: MatmulPrecision = .float32) {
        precondition(n > 0 && k > 0, "PackedMatrix: empty operand n=\(n) k=\(k)")
        let plan = KernelPlan(kernel)
        (self.n, self.k, self.kernel, nr) = (n, k, plan.kernel, plan.nr)
        self.precision = precision.effective
        kc = plan.depthBlock(k)
        let bytes = Self.byteCount(n: n, k: k, nr: nr, precision: self.precision)
        raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        if self.precision == .bfloat16 { raw.bindMemory(to: UInt16.self, capacity: bytes / 2) }
        storage = self.precision == .bfloat16 ? raw.assumingMemoryBound(to: Float.self)  // unused in bfloat16
            : raw.bindMemory(to: Float.self, capacity: bytes / MemoryLayout<Float>.stride)
        repack(form, b: b, ldb: ldb)
    }

    deinit { raw.deallocate() }

    /// Packs new contents of B (same shape), e.g. after the weights changed.
    public func repack(_ form: GEMMForm, b: UnsafePointer<Float>, ldb: Int) {
        let (depthStride, columnStride) = form == .nt ? (1, ldb) : (ldb, 1)
        if precision == .bfloat16 {
            repackTiles(b: b, depthStride: depthStride, columnStride: columnStride)
            return
        }
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

    /// The bfloat16 tiles, block by block; each block's tile pairs packed in parallel.
    private func repackTiles(b: UnsafePointer<Float>, depthStride: Int, columnStride: Int) {
        var jc = 0
        while jc < n {
            let ncb = min(AMXBlocking.columns, n - jc), tileCount = (ncb + 31) / 32 * 2
            // Chunks of up to 64 tile pairs (2048 columns): enough to share among the cores.
            let chunk = 64, chunks = (tileCount / 2 + chunk - 1) / chunk
            var pc = 0
            while pc < k {
                let kcb = min(AMXBlocking.depth, k - pc)
                let source = b + pc * depthStride + jc * columnStride, block = tiles(column: jc, depth: pc)
                DispatchQueue.concurrentPerform(iterations: chunks) { index in
                    let first = 2 * index * chunk, end = min(tileCount, 2 * (index + 1) * chunk)
                    e2h_amx_pack_b(source, depthStride, columnStride, ncb, kcb, first, end, block)
                }
                pc += kcb
            }
            jc += ncb
        }
    }

    /// The bfloat16 tiles of the block holding column `jc` and depth `pc` (block starts).
    @inline(__always)
    func tiles(column jc: Int, depth pc: Int) -> UnsafeMutablePointer<UInt16> {
        let tiles = raw.assumingMemoryBound(to: UInt16.self)
        return tiles + jc * Self.round32(k) + Self.round32(min(AMXBlocking.columns, n - jc)) * pc
    }

    /// Bytes of packed storage.
    public var byteCount: Int { Self.byteCount(n: n, k: k, nr: nr, precision: precision) }

    /// Bytes a packed (K, N) operand takes for `kernel` in `precision` (without packing one).
    public static func byteCount(n: Int, k: Int, kernel: GEMMKernel = GEMMKernel.selected,
                                 precision: MatmulPrecision = .float32) -> Int {
        byteCount(n: n, k: k, nr: KernelPlan(kernel).nr, precision: precision.effective)
    }

    private static func byteCount(n: Int, k: Int, nr: Int, precision: MatmulPrecision) -> Int {
        precision == .bfloat16 ? round32(n) * round32(k) * 2 : (n + nr - 1) / nr * nr * k * MemoryLayout<Float>.stride
    }

    private static func round32(_ x: Int) -> Int { (x + 31) / 32 * 32 }

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
    let n = b.n
    let workers0 = threads ?? defaultThreads(m: m, n: n, k: b.k)
    if b.precision == .bfloat16 {
        runPackedTiles(m: m, a: a, lda: lda, packed: b, c: c, ldc: ldc, accumulate: accumulate, threads: workers0)
        return
    }
    let plan = KernelPlan(b.kernel)
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

/// The bfloat16 product with B's tiles packed beforehand: bands of 32 rows or of tile pairs (32
/// columns), as `runAMX` splits, each band packing only its rows of A.
private func runPackedTiles(m: Int, a: UnsafePointer<Float>, lda: Int, packed: PackedMatrix,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int) {
    let n = packed.n, splitRows = m >= n
    let extent = splitRows ? m : n
    let workers = max(1, min(threads, (extent + 31) / 32))
    func run(rows r0: Int, _ rowCount: Int, columns j0: Int, _ columnCount: Int) {
        let k = packed.k
        var jc = 0
        while jc < n {
            let ncb = min(AMXBlocking.columns, n - jc)
            let lo = max(j0, jc), hi = min(j0 + columnCount, jc + ncb)
            if lo < hi {
                var pc = 0
                while pc < k {
                    let kcb = min(AMXBlocking.depth, k - pc)
                    // Tile pair (lo - jc) / 32 of the block: 32 columns x roundup32(kcb) depths each.
                    let tiles = packed.tiles(column: jc, depth: pc) + (lo - jc) * ((kcb + 31) / 32 * 32)
                    e2h_amx_rows(a + r0 * lda + pc, lda, 1, rowCount, kcb, tiles, hi - lo,
                                 c + r0 * ldc + lo, ldc, accumulate || pc > 0 ? 1 : 0)
                    pc += kcb
                }
            }
            jc += ncb
        }
    }
    if workers == 1 {
        run(rows: 0, m, columns: 0, n)
        return
    }
    let band = ((extent + workers - 1) / workers + 31) / 32 * 32
    parallelBands(workers) { worker in
        let start = worker * band, count = min(band, extent - start)
        guard count > 0 else { return }
        if splitRows { run(rows: start, count, columns: 0, n) } else { run(rows: 0, m, columns: start, count) }
    }
}
