// C = A·Wᵀ with W held as ggml-quantized rows (the `.nt` form of `gemm`, a linear layer's forward),
// without a float copy of W. Two paths, chosen by the number of rows of A (docs/gemm.md,
// "Quantized weights"):
//   rows   each block is expanded in registers and multiplied with up to 4 rows of A at once
//          (QuantizedKernel.swift); memory-bound decoding of a few sequences reads W once.
//   panels 64 rows of W at a time are expanded to floats and multiplied by the blocked `gemm`;
//          many rows of A (prefill, big batches) amortize the expansion.
// Shapes: A (M, K), W (N, K), C (M, N); K a multiple of 32.

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

/// C(M, N) = A(M, K)·Wᵀ, or C += A·Wᵀ when `accumulate` is true, for W a quantized (N, K) matrix.
/// Threads: the thread policy's default. Without `accumulate` C is only written.
///
/// - Parameters:
///   - path: nil chooses by `m` (``QuantizedPath/choose(m:)``).
///   - kernel: `.portable` forces the baseline code; any other runs AVX2 where the CPU has it.
public func quantizedMatMul(
    m: Int, a: UnsafePointer<Float>, lda: Int, weights w: QuantizedMatrix,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
    path: QuantizedPath? = nil, threads: Int = defaultThreadCount, kernel: GEMMKernel = .selected
) {
    quantizedMatMul(m: m, a: a, lda: lda, parts: [(w, 0)], c: c, ldc: ldc, accumulate: accumulate, path: path,
                    threads: threads, kernel: kernel)
}

/// `quantizedMatMul` of a weight made of parts (e.g. q, k and v of a fused projection): part p
/// fills C's columns `column ..< column + rows` from A·Wₚᵀ. All parts have K columns. One
/// parallel region for all parts, so a decoding step pays one dispatch per projection.
public func quantizedMatMul(
    m: Int, a: UnsafePointer<Float>, lda: Int, parts: [(matrix: QuantizedMatrix, column: Int)],
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
    path: QuantizedPath? = nil, threads: Int = defaultThreadCount, kernel: GEMMKernel = .selected
) {
    guard m > 0, let K = parts.first?.matrix.columns else { return }
    precondition(parts.allSatisfy { $0.matrix.columns == K }, "quantizedMatMul: parts of different widths")
    let nb = K / 32
    let useAVX2 = kernel.runnable != .portable
    // Global row index → (part, row): parts' rows laid end to end.
    var firstRow: [Int] = [0]
    for part in parts { firstRow.append(firstRow.last! + part.matrix.rows) }
    let N = firstRow.last!
    guard N > 0 else { return }
    /// Calls `body(part, local rows)` for the pieces of global rows `range`.
    func split(_ range: Range<Int>, _ body: (Int, Range<Int>) -> Void) {
        for p in parts.indices {
            let lo = max(range.lowerBound, firstRow[p]), hi = min(range.upperBound, firstRow[p + 1])
            if lo < hi { body(p, (lo - firstRow[p])..<(hi - firstRow[p])) }
        }
    }
    switch path ?? QuantizedPath.choose(m: m) {
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
        parallelChunks(N, minimumPerChunk: perChunk, threads: threads) { range in
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
        var panels: [(part: Int, rows: Range<Int>)] = []
        for (p, part) in parts.enumerated() {
            for j0 in stride(from: 0, to: part.matrix.rows, by: P) { panels.append((p, j0..<min(j0 + P, part.matrix.rows))) }
        }
        parallelChunks(panels.count, minimumPerChunk: 1, threads: threads) { range in
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
