// C = A·Wᵀ with W held as ggml-quantized rows (the `.nt` form of `gemm`, a linear layer's forward),
// without a float copy of W. Two paths, chosen by the number of rows of A (docs/gemm.md,
// "Quantized weights"):
//   rows   each block is expanded in registers and multiplied with up to 4 rows of A at once
//          (QuantizedKernel.swift); memory-bound decoding of a few sequences reads W once.
//   panels 64 rows of W at a time are expanded to floats and multiplied by the blocked `gemm`;
//          many rows of A (prefill, big batches) amortize the expansion. On AVX2 / AVX-512 the
//          blocks are expanded straight into the micro-kernel's packed panels and A is packed
//          once per call (`packedPanels`, CCPUFeatures/quant_pack.c), with the same bits.
// On AVX2 the rows path can also quantize A's rows to 8-bit blocks first (`activations: .int8`,
// as llama.cpp does; CCPUFeatures/quant_int8.c) and multiply in integers: about twice the blocks per
// second, at the cost of A's rounding (≤ half a step of max|x|/127 per block of 32 values); with
// `kernel: .avx512` on a CPU with AVX-512 VNNI, two blocks per instruction (`vpdpbusd`).
// Shapes: A (M, K), W (N, K), C (M, N); K a multiple of 32.

import CCPUFeatures
import Foundation
import GEMMAVX2
import Support

/// A ggml block format the engine computes on.
public enum QuantizedFormat: Int, Sendable, CaseIterable {
    case q4_0 = 0, q4_1 = 1, q8_0 = 2

    /// Bytes of one block of 32 values.
    public var blockBytes: Int {
        switch self {
        case .q4_0: return 18
        case .q4_1: return 20
        case .q8_0: return 34
        }
    }
}

/// A (N, K) matrix of quantized rows. Row j of the matrix is stored row `rowOrder[j]` (all rows in
/// order when nil), e.g. to undo a row permutation without copying. The bytes are not owned: the
/// caller keeps them alive (a memory-mapped file).
public struct QuantizedMatrix: @unchecked Sendable {
    public let format: QuantizedFormat
    /// N, K.
    public let rows: Int, columns: Int
    public let base: UnsafeRawPointer
    public let rowOrder: [Int32]?
    /// The matrix expanded to packed float panels, once, when `PackedPanelCache.budgetBytes` allows
    /// (shared by copies of this value, freed with the last).
    let packedCache = PackedPanelCache()
    /// The rows' block headers laid out apart, built on the first rows-path product on AVX-512
    /// (``SplitBlockHeaders``; shared by copies of this value).
    let splitHeaders = SplitBlockHeaders()

    public init(format: QuantizedFormat, rows: Int, columns: Int, base: UnsafeRawPointer, rowOrder: [Int32]? = nil) {
        precondition(columns % 32 == 0 && rows >= 0 && (rowOrder == nil || rowOrder!.count == rows),
                     "QuantizedMatrix: \(rows) × \(columns) (columns a multiple of 32, one order entry per row)")
        self.format = format; self.rows = rows; self.columns = columns; self.base = base; self.rowOrder = rowOrder
    }

    /// Bytes of one stored row.
    public var rowBytes: Int { columns / 32 * format.blockBytes }
    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * rowBytes }

    /// Writes row j's K values as floats to `out`.
    public func dequantizeRow(_ j: Int, into out: UnsafeMutablePointer<Float>, kernel: GEMMKernel = .selected) {
        let row = base + Int(rowOrder?[j] ?? Int32(j)) * rowBytes
#if arch(x86_64)
        if kernel.runnable != .portable {
            avx2QuantizedDequantizeRow(format: format.rawValue, row: row, blocks: columns / 32, out: out)
            return
        }
#endif
        quantizedDequantizeRow(format: format.rawValue, row: row, blocks: columns / 32, out: out)
    }
}

/// How `quantizedMatMul` multiplies.
public enum QuantizedPath: String, Sendable, CaseIterable {
    case rows, panels

    /// The path for `m` rows of A: `rows` up to `panelThreshold` rows, `panels` above.
    public static func choose(m: Int) -> QuantizedPath { m <= panelThreshold ? .rows : .panels }

    /// Rows of A above which the panel path runs: `E2H_QUANT_PANEL_ROWS`, else 12 (measured on
    /// SmolLM2-135M Q4_1, docs/gemm.md).
    public static let panelThreshold: Int = {
        if let raw = ProcessInfo.processInfo.environment["E2H_QUANT_PANEL_ROWS"], let value = Int(raw), value >= 0 { return value }
        return 12
    }()
}

#if arch(x86_64)
/// Whether the CPU has AVX-512 VNNI (the int8 rows kernel's `vpdpbusd` form), asked once.
let hasAVX512VNNI = e2h_cpu_has_avx512_vnni() != 0
#endif

/// How the rows path meets the rows of A.
public enum QuantizedActivations: String, Sendable, CaseIterable {
    /// As floats: C equals dequantize-then-multiply up to float rounding.
    case float
    /// Quantized to int8 blocks of 32 with one scale each (ggml's Q8_1), multiplied in integers
    /// (AVX2; other CPUs use `float`). Each product differs from the float one by at most
    /// Σ_k |W[j, k]|·max|A[i, block of k]|/254.
    case int8
}

/// C(M, N) = A(M, K)·Wᵀ, or C += A·Wᵀ when `accumulate` is true, for W a quantized (N, K) matrix.
/// Threads: the thread policy's default. Without `accumulate` C is only written.
///
/// - Parameters:
///   - path: nil chooses by `m` (``QuantizedPath/choose(m:)``).
///   - kernel: `.portable` forces the baseline code; any other runs AVX2 where the CPU has it.
///   - activations: how the rows path reads A (the panel path always reads floats).
public func quantizedMatMul(
    m: Int, a: UnsafePointer<Float>, lda: Int, weights w: QuantizedMatrix,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
    path: QuantizedPath? = nil, threads: Int = defaultThreadCount, kernel: GEMMKernel = .selected,
    activations: QuantizedActivations = .float
) {
    quantizedMatMul(m: m, a: a, lda: lda, parts: [(w, 0)], c: c, ldc: ldc, accumulate: accumulate, path: path,
                    threads: threads, kernel: kernel, activations: activations)
}

/// `quantizedMatMul` of a weight made of parts (e.g. q, k and v of a fused projection): part p
/// fills C's columns `column ..< column + rows` from A·Wₚᵀ. All parts have K columns. One
/// parallel region for all parts, so a decoding step pays one dispatch per projection.
public func quantizedMatMul(
    m: Int, a: UnsafePointer<Float>, lda: Int, parts: [(matrix: QuantizedMatrix, column: Int)],
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
    path: QuantizedPath? = nil, threads: Int = defaultThreadCount, kernel: GEMMKernel = .selected,
    activations: QuantizedActivations = .float
) {
    guard m > 0, let K = parts.first?.matrix.columns else { return }
    precondition(parts.allSatisfy { $0.matrix.columns == K }, "quantizedMatMul: parts of different widths")
    let nb = K / 32
    let useAVX2 = kernel.runnable != .portable
    // Global row index → (part, row): parts' rows laid end to end.
    let firstRow = parts.reduce(into: [0]) { $0.append($0.last! + $1.matrix.rows) }
    let N = firstRow.last!
    guard N > 0 else { return }
    /// Calls `body(part, local rows)` for the pieces of global rows `range`.
    func split(_ range: Range<Int>, _ body: (Int, Range<Int>) -> Void) {
        for p in parts.indices {
            let lo = max(range.lowerBound, firstRow[p]), hi = min(range.upperBound, firstRow[p + 1])
            if lo < hi { body(p, (lo - firstRow[p])..<(hi - firstRow[p])) }
        }
    }
    let chosen = path ?? QuantizedPath.choose(m: m)
#if arch(x86_64)
    if chosen == .rows && activations == .int8 && useAVX2 {
        // A's rows as int8 blocks (K bytes per row), a scale and a scaled sum per block.
        let qs = UnsafeMutablePointer<Int8>.allocate(capacity: m * K)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: 2 * m * nb), sums = scales + m * nb
        defer { qs.deallocate(); scales.deallocate() }
        e2h_q8_quantize_rows_avx2(a, lda, m, nb, qs, scales, sums)
        // AVX-512 VNNI takes blocks in pairs, with the scales and sums spread over 8 lanes each.
        let vnni = kernel.runnable == .avx512 && hasAVX512VNNI && nb % 2 == 0
        let expanded = UnsafeMutablePointer<Float>.allocate(capacity: vnni ? 16 * m * nb : 0)
        defer { expanded.deallocate() }
        if vnni { e2h_q8_expand_avx512(scales, sums, m * nb, expanded, expanded + 8 * m * nb) }
        // About 64k multiply-adds per chunk at least, so small products stay on one thread.
        spinningChunks(N, minimumPerChunk: max(16, 65_536 / max(1, K * m)), threads: threads) { range in
            split(range) { p, local in
                let (w, column) = parts[p]
                func run(_ order: UnsafePointer<Int32>?) {
                    let format = Int32(w.format.rawValue), add: Int32 = accumulate ? 1 : 0
                    if vnni {
                        e2h_quant_rows_int8_vnni(format, w.base, w.rowBytes, order, local.lowerBound, local.upperBound,
                                                 nb, qs, expanded, expanded + 8 * m * nb, m, c + column, ldc, add)
                    } else {
                        e2h_quant_rows_int8_avx2(format, w.base, w.rowBytes, order, local.lowerBound, local.upperBound,
                                                 nb, qs, scales, sums, m, c + column, ldc, add)
                    }
                }
                if let order = w.rowOrder { order.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
            }
        }
        return
    }
#endif
    switch chosen {
#if arch(x86_64)
    case .rows where kernel.runnable == .avx512:
        // Blocks expanded to floats in registers, four accumulators per row (CCPUFeatures/quant_rows.c),
        // the block headers read from their split copy.
        let headers = parts.map { $0.matrix.splitHeaders.halves(of: $0.matrix) }
        spinningChunks(N, minimumPerChunk: max(16, 65_536 / max(1, K * m)), threads: threads) { range in
            split(range) { p, local in
                let (w, column) = parts[p]
                func run(_ order: UnsafePointer<Int32>?) {
                    e2h_quant_rows_f32_avx512(Int32(w.format.rawValue), w.base, w.rowBytes, order, headers[p], local.lowerBound,
                                              local.upperBound, nb, a, lda, m, c + column, ldc, accumulate ? 1 : 0)
                }
                if let order = w.rowOrder { order.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
            }
        }
#endif
    case .rows:
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: m * nb)
        defer { sums.deallocate() }
        for i in 0..<m {
            for b in 0..<nb {
                var s: Float = 0
                let x = a + i * lda + 32 * b
                for t in 0..<32 { s += x[t] }
                sums[i * nb + b] = s
            }
        }
        func run(_ w: QuantizedMatrix, _ columns: Range<Int>, _ rowOrder: UnsafePointer<Int32>?, _ c: UnsafeMutablePointer<Float>) {
#if arch(x86_64)
            if useAVX2 {
                avx2QuantizedRows(format: w.format.rawValue, base: w.base, rowBytes: w.rowBytes, rowOrder: rowOrder,
                                  columns: columns, blocks: nb, a: a, lda: lda, m: m, blockSums: sums, c: c, ldc: ldc,
                                  accumulate: accumulate)
                return
            }
#endif
            quantizedRowsKernel(format: w.format.rawValue, base: w.base, rowBytes: w.rowBytes, rowOrder: rowOrder,
                                columns: columns, blocks: nb, a: a, lda: lda, m: m, blockSums: sums, c: c, ldc: ldc,
                                accumulate: accumulate)
        }
        // About 64k multiply-adds per chunk at least, so small products stay on one thread.
        let perChunk = max(16, 65_536 / max(1, K * m))
        spinningChunks(N, minimumPerChunk: perChunk, threads: threads) { range in
            split(range) { p, local in
                let (w, column) = parts[p]
                if let order = w.rowOrder {
                    order.withUnsafeBufferPointer { run(w, local, $0.baseAddress, c + column) }
                } else {
                    run(w, local, nil, c + column)
                }
            }
        }
    case .panels:
        // Panels of up to 64 rows that do not cross parts.
        let P = 64
        let panels = parts.enumerated().flatMap { p, part in
            stride(from: 0, to: part.matrix.rows, by: P).map { (part: p, rows: $0..<min($0 + P, part.matrix.rows)) }
        }
#if arch(x86_64)
        if useAVX2 {
            packedPanels(m: m, a: a, lda: lda, parts: parts, panels: panels, panelRows: P, c: c, ldc: ldc,
                         accumulate: accumulate, threads: threads, plan: KernelPlan(kernel.runnable))
            return
        }
#endif
        spinningChunks(panels.count, minimumPerChunk: 1, threads: threads) { range in
            let panel = UnsafeMutablePointer<Float>.allocate(capacity: P * K)
            defer { panel.deallocate() }
            for index in range {
                let (p, rows) = panels[index]
                let (w, column) = parts[p]
                for (t, j) in rows.enumerated() { w.dequantizeRow(j, into: panel + t * K, kernel: useAVX2 ? .avx2 : .portable) }
                gemm(.nt, m: m, n: rows.count, k: K, a: a, lda: lda, b: panel, ldb: K, c: c + column + rows.lowerBound, ldc: ldc,
                     accumulate: accumulate, threads: 1)
            }
        }
    }
}

/// A quantized matrix's packed float panels kept for the panel path (many rows of A: batched
/// decoding, prefill), so a step multiplies without expanding any block: 4 bytes per weight (about
/// 8x a Q4 matrix). Off by default; `E2H_QUANT_PANEL_CACHE_MB` (or `budgetBytes`) sets the bytes all
/// matrices together may keep, and a matrix that would pass it keeps none. The panels hold the values
/// the uncached path expands, so C has the same bits either way.
public final class PackedPanelCache: @unchecked Sendable {
    /// Bytes all caches may hold together: `E2H_QUANT_PANEL_CACHE_MB` MiB, else 0 (none).
    nonisolated(unsafe) public static var budgetBytes: Int = {
        guard let raw = ProcessInfo.processInfo.environment["E2H_QUANT_PANEL_CACHE_MB"], let value = Int(raw), value > 0 else { return 0 }
        return value << 20
    }()
    /// Bytes held by all caches now.
    public static var heldBytes: Int { totalLock.lock(); defer { totalLock.unlock() }; return total }
    private static let totalLock = NSLock()
    nonisolated(unsafe) private static var total = 0

    private let lock = NSLock()
    /// (panels of 64 rows, K) packed for micro-tiles `nr` wide and K blocks of `kc`.
    private var panels: UnsafeMutablePointer<Float>?
    private var nr = 0, kc = 0, bytes = 0, refused = false

    deinit {
        guard let panels else { return }
        panels.deallocate()
        PackedPanelCache.totalLock.lock(); PackedPanelCache.total -= bytes; PackedPanelCache.totalLock.unlock()
    }

#if arch(x86_64)
    /// The packed panels of `w` for `plan`'s layout: panel i (rows 64i ..< 64i + 64), K block from p at
    /// panels + i·paddedPanel·K + paddedPanel·p. Builds them on first use when the budget allows;
    /// nil when it does not, or when they were built for another layout.
    func panels(of w: QuantizedMatrix, paddedPanel: Int, panelRows P: Int, depthBlocks: [(start: Int, count: Int)],
                plan: KernelPlan) -> UnsafePointer<Float>? {
        lock.lock(); defer { lock.unlock() }
        if let panels { return nr == plan.nr && kc == depthBlocks[0].count ? UnsafePointer(panels) : nil }
        guard !refused, PackedPanelCache.budgetBytes > 0 else { return nil }
        let K = w.columns, count = (w.rows + P - 1) / P
        let size = count * paddedPanel * K * MemoryLayout<Float>.stride
        PackedPanelCache.totalLock.lock()
        let fits = PackedPanelCache.total + size <= PackedPanelCache.budgetBytes
        if fits { PackedPanelCache.total += size }
        PackedPanelCache.totalLock.unlock()
        guard fits else { refused = true; return nil }
        let built = UnsafeMutablePointer<Float>.allocate(capacity: count * paddedPanel * K)
        for i in 0..<count {
            let first = i * P, rows = min(P, w.rows - first)
            for (start, depth) in depthBlocks {
                func pack(_ order: UnsafePointer<Int32>?) {
                    packQuantizedPanels(w, order, first, rows, start, depth, plan,
                                        built + i * paddedPanel * K + paddedPanel * start)
                }
                if let order = w.rowOrder { order.withUnsafeBufferPointer { pack($0.baseAddress) } } else { pack(nil) }
            }
        }
        (panels, nr, kc, bytes) = (built, plan.nr, depthBlocks[0].count, size)
        return UnsafePointer(built)
    }
#endif
}

/// A matrix's block headers (d, and m for Q4_1: IEEE halves) copied apart from the blocks, row by row
/// (`e2h_quant_split_headers`): the AVX-512 rows kernels convert 16 blocks' headers with a load
/// instead of gathering them from blocks 18-34 bytes apart (docs/models.md, "Session 21"). Memory:
/// 4 bytes per Q4_1 block (a fifth of its 20), 2 per Q4_0 or Q8_0 block; SmolLM2-135M: 13.3 MB for
/// its Q4_1 layers, 1.8 MB for its Q8_0 head.
public final class SplitBlockHeaders: @unchecked Sendable {
    private let lock = NSLock()
    private var halves: UnsafeMutablePointer<UInt16>?

    deinit { halves?.deallocate() }

    /// The split headers of `w` (the matrix this cache belongs to), built on first use.
    func halves(of w: QuantizedMatrix) -> UnsafePointer<UInt16> {
        lock.lock(); defer { lock.unlock() }
        if let halves { return UnsafePointer(halves) }
        let blocks = w.columns / 32, count = w.rows * blocks * (w.format == .q4_1 ? 2 : 1)
        let built = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, count))
        e2h_quant_split_headers(Int32(w.format.rawValue), w.base, w.rows, blocks, built)
        halves = built
        return UnsafePointer(built)
    }
}

#if arch(x86_64)
/// Rows `first ..< first + rows` of `w`, columns `start ..< start + depth`, as `plan`'s packed panels
/// at `dest` (CCPUFeatures/quant_pack.c): sixteen rows at a time on AVX-512, eight on AVX2; the
/// same values either way.
private func packQuantizedPanels(_ w: QuantizedMatrix, _ order: UnsafePointer<Int32>?, _ first: Int, _ rows: Int,
                                 _ start: Int, _ depth: Int, _ plan: KernelPlan, _ dest: UnsafeMutablePointer<Float>) {
    if plan.kernel == .avx512 && plan.nr % 16 == 0 {
        e2h_quant_pack_panels_avx512(Int32(w.format.rawValue), w.base, w.rowBytes, order, first, rows, start, depth, plan.nr, dest)
    } else {
        e2h_quant_pack_panels_avx2(Int32(w.format.rawValue), w.base, w.rowBytes, order, first, rows, start, depth, plan.nr, dest)
    }
}

/// The panel path on AVX2 / AVX-512: A is packed once for all panels, and each panel of W is
/// expanded straight into the micro-kernel's packed layout (CCPUFeatures/quant_pack.c), K block by
/// K block, then met by the macro-kernel. The K blocks, the micro-kernel and the order of additions
/// are those of `gemm(.nt)` on the panel dequantized to floats, and the expanded values are
/// `dequantizeRow`'s, so C has the same bits as that route (which packed A again for every panel
/// and wrote each panel twice: as rows, then as packed columns).
private func packedPanels(
    m: Int, a: UnsafePointer<Float>, lda: Int, parts: [(matrix: QuantizedMatrix, column: Int)],
    panels: [(part: Int, rows: Range<Int>)], panelRows P: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool, threads: Int, plan: KernelPlan
) {
    let K = parts[0].matrix.columns
    let kc = plan.depthBlock(K), mc = plan.rowBlock(m, depth: kc)
    let depthBlocks = stride(from: 0, to: K, by: kc).map { (start: $0, count: min(kc, K - $0)) }
    // A's K block starting at p: (rows/MR, count, MR) panels at packedA + paddedRows·p.
    let paddedRows = (m + plan.mr - 1) / plan.mr * plan.mr
    let paddedPanel = (P + plan.nr - 1) / plan.nr * plan.nr
    // Panels kept by the matrices (PackedPanelCache), where they are.
    let cached = parts.map { $0.matrix.packedCache.panels(of: $0.matrix, paddedPanel: paddedPanel, panelRows: P,
                                                          depthBlocks: depthBlocks, plan: plan) }
    // Pool buffers (PackingBuffers.swift): reused, so a call does not fault in fresh pages.
    PackingBufferPool.shared.withBuffers(aCount: paddedRows * K, bCount: 0) { aBuffers in
        let packedA = aBuffers.a
        for (start, count) in depthBlocks {
            packPanels(a + start, laneStride: lda, depthStride: 1, lanes: m, depth: count, width: plan.mr,
                       into: packedA + paddedRows * start)
        }
        spinningChunks(panels.count, minimumPerChunk: 1, threads: threads) { range in
            PackingBufferPool.shared.withBuffers(aCount: 0, bCount: paddedPanel * kc) { bBuffers in
                for index in range {
                    let (p, rows) = panels[index]
                    let (w, column) = parts[p]
                    for (start, count) in depthBlocks {
                        var packedB = UnsafePointer(bBuffers.b)
                        if let kept = cached[p] {
                            packedB = kept + rows.lowerBound / P * paddedPanel * K + paddedPanel * start
                        } else {
                            func pack(_ order: UnsafePointer<Int32>?) {
                                packQuantizedPanels(w, order, rows.lowerBound, rows.count, start, count, plan, bBuffers.b)
                            }
                            if let order = w.rowOrder { order.withUnsafeBufferPointer { pack($0.baseAddress) } } else { pack(nil) }
                        }
                        // Only the first K block may overwrite C.
                        let add = accumulate || start > 0
                        var ic = 0
                        while ic < m {
                            let rowsOfA = min(mc, m - ic)
                            plan.macroKernel(rowsOfA, rows.count, count, packedA + paddedRows * start + ic * count, packedB,
                                             c + ic * ldc + column + rows.lowerBound, ldc, add)
                            ic += rowsOfA
                        }
                    }
                }
            }
        }
    }
}
#endif
