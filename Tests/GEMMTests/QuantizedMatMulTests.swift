// quantizedMatMul (Q4_0, Q4_1, Q8_0 rows) against dequantize-then-`gemmReference`, with the
// dequantization written out here from ggml's formulas: both paths, both kernels the CPU runs,
// row orders, odd row counts, strides and accumulate; block counts below, at and across the 16 and
// 32 the one-row AVX-512 kernel reads its split headers by (1, 2, 3, 16, 18, 37).

import Foundation
import GEMM
import Testing

/// IEEE half bits to Float, by hand (the reference does not share the kernels' conversion).
func halfValue(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let exponent = Int(h >> 10) & 0x1F, mantissa = Float(h & 0x3FF)
    if exponent == 0 { return sign * mantissa * pow(2, -24) }
    return sign * (1 + mantissa / 1024) * pow(2, Float(exponent - 15))
}

/// Random blocks of `format` for a (rows, columns) matrix, and their values by ggml's formulas.
func randomQuantized(_ format: QuantizedFormat, rows: Int, columns: Int, generator: inout SplitMix64) -> (bytes: [UInt8], values: [Float]) {
    var bytes: [UInt8] = [], values: [Float] = []
    func half() -> UInt16 {  // a normal half in ±[2^-9, 2^-2)
        UInt16(generator.next() % 2) << 15 | UInt16(6 + generator.next() % 7) << 10 | UInt16(generator.next() % 1024)
    }
    for _ in 0..<(rows * columns / 32) {
        let d = half()
        bytes += [UInt8(d & 0xFF), UInt8(d >> 8)]
        switch format {
        case .q8_0:
            let q = (0..<32).map { _ in Int8(truncatingIfNeeded: generator.next()) }
            bytes += q.map { UInt8(bitPattern: $0) }
            values += q.map { halfValue(d) * Float($0) }
        case .q4_0, .q4_1:
            var m: UInt16 = 0
            if format == .q4_1 { m = half(); bytes += [UInt8(m & 0xFF), UInt8(m >> 8)] }
            let q = (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            bytes += q
            var block = [Float](repeating: 0, count: 32)
            for j in 0..<16 {
                let low = Float(q[j] & 0x0F), high = Float(q[j] >> 4)
                if format == .q4_0 {
                    block[j] = halfValue(d) * (low - 8); block[j + 16] = halfValue(d) * (high - 8)
                } else {
                    block[j] = halfValue(d) * low + halfValue(m); block[j + 16] = halfValue(d) * high + halfValue(m)
                }
            }
            values += block
        }
    }
    return (bytes, values)
}

@Suite("Quantized matrix multiply")
struct QuantizedMatMulTests {
    @Test(arguments: QuantizedFormat.allCases)
    func matchesDequantizeThenReference(format: QuantizedFormat) {
        var generator = SplitMix64(state: 42 &+ UInt64(format.rawValue))
        let kernels = [GEMMKernel.portable] + (GEMMKernel.avx2.isSupported ? [.avx2] : [])
            + (GEMMKernel.avx512.isSupported ? [.avx512] : [])
        for (n, k) in [(1, 32), (37, 64), (70, 576), (130, 96), (23, 512), (18, 1184)] {
            let (bytes, values) = randomQuantized(format, rows: n, columns: k, generator: &generator)
            var order = Array(0..<Int32(n))
            order.shuffle(using: &generator)
            for permuted in [false, true] {
                // Row j of the matrix is stored row order[j].
                let rows = permuted ? order.map { Array(values[(Int($0) * k)..<(Int($0) * k + k)]) }
                                    : (0..<n).map { Array(values[($0 * k)..<($0 * k + k)]) }
                let w = rows.flatMap { $0 }
                for m in [1, 2, 3, 4, 5, 9, 12, 13, 33, 64] {
                    let lda = k + 3, ldc = n + 2
                    let a = (0..<(m * lda)).map { _ in Float(Int(generator.next() % 2001) - 1000) / 1000 }
                    let start = (0..<(m * ldc)).map { _ in Float(Int(generator.next() % 201) - 100) / 100 }
                    for accumulate in [false, true] {
                        var expected = start
                        gemmReference(.nt, m: m, n: n, k: k, a: a, lda: lda, b: w, ldb: k, c: &expected, ldc: ldc,
                                      accumulate: accumulate)
                        for kernel in kernels {
                            for path in QuantizedPath.allCases {
                                var found = start
                                bytes.withUnsafeBytes { raw in
                                    let matrix = QuantizedMatrix(format: format, rows: n, columns: k, base: raw.baseAddress!,
                                                                 rowOrder: permuted ? order : nil)
                                    quantizedMatMul(m: m, a: a, lda: lda, weights: matrix, c: &found, ldc: ldc,
                                                    accumulate: accumulate, path: path, threads: 2, kernel: kernel)
                                }
                                var worst: Float = 0
                                for i in 0..<m {
                                    for j in 0..<n {
                                        var scale: Float = 1
                                        for p in 0..<k { scale += abs(a[i * lda + p] * w[j * k + p]) }
                                        worst = max(worst, abs(found[i * ldc + j] - expected[i * ldc + j]) / scale)
                                    }
                                    // Padding between rows of C is never written.
                                    for j in n..<ldc { #expect(found[i * ldc + j] == start[i * ldc + j]) }
                                }
                                #expect(worst < 1e-5, "\(format) \(kernel) \(path) n=\(n) k=\(k) m=\(m) permuted=\(permuted) accumulate=\(accumulate): \(worst)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The int8-activation rows path (AVX2, and AVX-512 VNNI where the CPU has it) against dequantize-then-`gemmReference`: each product
    /// within the rounding bound of its activations, Σ_k |W[j, k]|·max|A[i, block of k]|/254 (plus
    /// float rounding); and well inside it on average, since the rounding errors cancel.
    @Test(arguments: QuantizedFormat.allCases)
    func int8ActivationsStayWithinTheirRoundingBound(format: QuantizedFormat) throws {
        try #require(GEMMKernel.avx2.isSupported, "int8 activations run on AVX2 only")
        var generator = SplitMix64(state: 77 &+ UInt64(format.rawValue))
        // avx512 runs the VNNI form where the CPU has it (even block counts), else the AVX2 one.
        let kernels = [GEMMKernel.avx2] + (GEMMKernel.avx512.isSupported ? [.avx512] : [])
        for (n, k) in [(1, 32), (37, 64), (70, 576), (9, 1536), (5, 96)] {
            let (bytes, values) = randomQuantized(format, rows: n, columns: k, generator: &generator)
            var order = Array(0..<Int32(n))
            order.shuffle(using: &generator)
            for permuted in [false, true] {
                let w = (permuted ? order.map(Int.init) : Array(0..<n)).flatMap { Array(values[($0 * k)..<($0 * k + k)]) }
                for m in [1, 2, 3, 4, 5, 9, 12] {
                    let lda = k + 3, ldc = n + 2
                    let a = (0..<(m * lda)).map { _ in Float(Int(generator.next() % 2001) - 1000) / 1000 }
                    let start = (0..<(m * ldc)).map { _ in Float(Int(generator.next() % 201) - 100) / 100 }
                    for accumulate in [false, true] {
                        for kernel in kernels {
                            var expected = start
                            gemmReference(.nt, m: m, n: n, k: k, a: a, lda: lda, b: w, ldb: k, c: &expected, ldc: ldc,
                                          accumulate: accumulate)
                            var found = start
                            bytes.withUnsafeBytes { raw in
                                let matrix = QuantizedMatrix(format: format, rows: n, columns: k, base: raw.baseAddress!,
                                                             rowOrder: permuted ? order : nil)
                                quantizedMatMul(m: m, a: a, lda: lda, weights: matrix, c: &found, ldc: ldc, accumulate: accumulate,
                                                path: .rows, threads: 2, kernel: kernel, activations: .int8)
                            }
                            var errorSum: Float = 0, boundSum: Float = 0
                            for i in 0..<m {
                                for j in 0..<n {
                                    var bound: Float = 0, scale: Float = 1
                                    for b in 0..<(k / 32) {
                                        let block = (32 * b)..<(32 * b + 32)
                                        let top = block.map { abs(a[i * lda + $0]) }.max()!
                                        for p in block {
                                            bound += abs(w[j * k + p]) * top / 254
                                            scale += abs(a[i * lda + p] * w[j * k + p])
                                        }
                                    }
                                    let error = abs(found[i * ldc + j] - expected[i * ldc + j])
                                    #expect(error <= bound + 1e-5 * scale,
                                            "\(format) \(kernel) n=\(n) k=\(k) m=\(m) permuted=\(permuted) i=\(i) j=\(j): \(error) > \(bound)")
                                    errorSum += error; boundSum += bound
                                }
                                for j in n..<ldc { #expect(found[i * ldc + j] == start[i * ldc + j]) }
                            }
                            #expect(m * n < 30 || errorSum <= 0.25 * boundSum, "\(format) \(kernel) n=\(n) k=\(k) m=\(m): mean error \(errorSum / boundSum) of the bound")
                        }
                    }
                }
            }
        }
    }

    /// The panel path on AVX2 / AVX-512 expands blocks straight into the micro-kernel's packed
    /// panels (CCPUFeatures/quant_pack.c): the same bits as dequantizing each 64-row panel to floats
    /// and calling `gemm(.nt)` on it, which is what the path did before. Shapes with several K
    /// blocks (1536 = 3 × 512) and with K blocks that cut through a block of 32 (1056 = 2 × 528);
    /// with and without the matrix's panel cache (`PackedPanelCache`), twice each.
    @Test(.serialized, arguments: QuantizedFormat.allCases)
    func packedPanelsKeepTheBitsOfDequantizeThenGEMM(format: QuantizedFormat) throws {
        try #require(GEMMKernel.avx2.isSupported, "the packed panel path runs on AVX2 and AVX-512")
        var generator = SplitMix64(state: 505 &+ UInt64(format.rawValue))
        let kernels = [GEMMKernel.avx2] + (GEMMKernel.avx512.isSupported ? [.avx512] : [])
        for (n, k) in [(70, 576), (37, 1536), (130, 1056), (9, 32)] {
            let (bytes, _) = randomQuantized(format, rows: n, columns: k, generator: &generator)
            var order = Array(0..<Int32(n))
            order.shuffle(using: &generator)
            for permuted in [false, true] {
                bytes.withUnsafeBytes { raw in
                    let matrix = QuantizedMatrix(format: format, rows: n, columns: k, base: raw.baseAddress!,
                                                 rowOrder: permuted ? order : nil)
                    var w = [Float](repeating: 0, count: n * k)
                    w.withUnsafeMutableBufferPointer { out in
                        for j in 0..<n { matrix.dequantizeRow(j, into: out.baseAddress! + j * k, kernel: .avx2) }
                    }
                    for m in [1, 12, 13, 32, 64, 67] {
                        let lda = k + 5, ldc = n + 3
                        let a = (0..<(m * lda)).map { _ in Float(Int(generator.next() % 2001) - 1000) / 1000 }
                        let start = (0..<(m * ldc)).map { _ in Float(Int(generator.next() % 201) - 100) / 100 }
                        for accumulate in [false, true] {
                            for kernel in kernels {
                                var expected = start
                                for row0 in stride(from: 0, to: n, by: 64) {
                                    let count = min(64, n - row0)
                                    expected.withUnsafeMutableBufferPointer { e in
                                        gemm(.nt, m: m, n: count, k: k, a: a, lda: lda, b: Array(w[(row0 * k)...]), ldb: k,
                                             c: e.baseAddress! + row0, ldc: ldc, accumulate: accumulate, threads: 1, kernel: kernel)
                                    }
                                }
                                for cached in [false, true] {
                                    // A fresh matrix: with a budget its first product builds its panel cache.
                                    let matrix = QuantizedMatrix(format: format, rows: n, columns: k, base: raw.baseAddress!,
                                                                 rowOrder: permuted ? order : nil)
                                    PackedPanelCache.budgetBytes = cached ? 1 << 30 : 0
                                    var found = start, again = start
                                    quantizedMatMul(m: m, a: a, lda: lda, weights: matrix, c: &found, ldc: ldc,
                                                    accumulate: accumulate, path: .panels, threads: 2, kernel: kernel)
                                    quantizedMatMul(m: m, a: a, lda: lda, weights: matrix, c: &again, ldc: ldc,
                                                    accumulate: accumulate, path: .panels, threads: 2, kernel: kernel)
                                    if cached { #expect(PackedPanelCache.heldBytes > 0) }
                                    PackedPanelCache.budgetBytes = 0
                                    let differing = zip(found, expected).filter { $0.bitPattern != $1.bitPattern }.count
                                        + zip(again, expected).filter { $0.bitPattern != $1.bitPattern }.count
                                    #expect(differing == 0, "\(format) \(kernel) n=\(n) k=\(k) m=\(m) permuted=\(permuted) accumulate=\(accumulate) cached=\(cached): \(differing) values differ")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func dequantizedRowsMatchTheFormulas() {
        var generator = SplitMix64(state: 9)
        for format in QuantizedFormat.allCases {
            let (bytes, values) = randomQuantized(format, rows: 3, columns: 64, generator: &generator)
            for kernel in [GEMMKernel.portable, .avx2] {
                var out = [Float](repeating: 0, count: 64)
                bytes.withUnsafeBytes { raw in
                    let matrix = QuantizedMatrix(format: format, rows: 3, columns: 64, base: raw.baseAddress!, rowOrder: [2, 0, 1])
                    out.withUnsafeMutableBufferPointer { matrix.dequantizeRow(0, into: $0.baseAddress!, kernel: kernel) }
                }
                let expected = Array(values[128..<192])
                #expect(zip(out, expected).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "\(format) \(kernel)")
            }
        }
    }
}
