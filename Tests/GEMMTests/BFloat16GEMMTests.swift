// The bfloat16 products (AMX tiles) against the naive reference on operands rounded to bfloat16 here,
// independently of the kernel's own rounding: both then sum the same products, so they agree to
// float32 summation error. Where the CPU has no AMX, bf16 must fall back to exact float32.

import Foundation
import GEMM
import Testing

/// `x` rounded to bfloat16 (8 significant bits), to nearest with ties to even; NaN stays NaN.
func bfloat16Rounded(_ x: Float) -> Float {
    guard !x.isNaN else { return x }
    let bits = x.bitPattern
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return Float(bitPattern: rounded & 0xFFFF_0000)
}

extension Operands {
    /// The same product with A and B rounded to bfloat16.
    var roundedToBFloat16: Operands {
        var copy = self
        copy.a = a.map(bfloat16Rounded)
        copy.b = b.map(bfloat16Rounded)
        return copy
    }

    /// C after the public `gemm` (default kernel) in `precision` on `threads` threads.
    func run(precision: MatmulPrecision, threads: Int?) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    gemm(form, m: test.m, n: test.n, k: test.k, a: a.baseAddress!, lda: lda, b: b.baseAddress!,
                         ldb: ldb, c: c.baseAddress!, ldc: ldc, accumulate: test.accumulate,
                         threads: threads, precision: precision)
                }
            }
        }
        return c
    }
}

@Suite("bfloat16 GEMM")
struct BFloat16GEMMTests {
    /// Sizes past the AMX threshold that cross its blocks (KC 512, NC 1024, MC 256) and its tile
    /// edges (16 and 32), plus the shared cases (small ones run in float32).
    static func bf16Cases() -> [Case] {
        cases() + [
            Case(m: 32, n: 32, k: 32), Case(m: 33, n: 17, k: 64, padA: 1, padC: 2, accumulate: true),
            Case(m: 300, n: 1100, k: 700, padB: 3, accumulate: true),
            Case(m: 257, n: 31, k: 1025, padA: 2), Case(m: 5, n: 2000, k: 40, padC: 1, accumulate: true),
            Case(m: 1030, n: 48, k: 96),
        ]
    }

    @Test(arguments: GEMMForm.allCases)
    func bfloat16MatchesTheReferenceOnRoundedOperands(form: GEMMForm) {
        for (index, test) in Self.bf16Cases().enumerated() {
            let operands = Operands(form, test, seed: UInt64(index) &* 104_729 &+ 3)
            let usesTiles = MatmulPrecision.amxAvailable && test.m * test.n * test.k >= 32 * 32 * 32
            // With tiles the product is the rounded operands'; without, the exact float32 one.
            let expected = (usesTiles ? operands.roundedToBFloat16 : operands).run(kernel: nil, threads: nil)
            for threads in [1, 2] {
                let got = operands.run(precision: .bfloat16, threads: threads)
                let mismatch = operands.firstMismatch(got, expected)
                #expect(mismatch == nil, "bf16 \(form) threads=\(threads) \(test): \(mismatch ?? "")")
            }
        }
    }

    @Test func bfloat16RoundsLikeTheCPU() {
        // Ties go to even, and a large product differs from float32 by about bf16's relative step.
        #expect(bfloat16Rounded(1 + 1.0 / 256) == 1)           // halfway, even below
        #expect(bfloat16Rounded(1 + 3.0 / 256) == 1 + 4.0 / 256)  // halfway, even above
        #expect(bfloat16Rounded(1 + 1.0 / 128) == 1 + 1.0 / 128)  // representable
        guard MatmulPrecision.amxAvailable else {
            #expect(MatmulPrecision.bfloat16.effective == .float32)
            return
        }
        #expect(MatmulPrecision.bfloat16.effective == .bfloat16)
        let operands = Operands(.nn, Case(m: 64, n: 64, k: 256), seed: 5)
        let exact = operands.run(kernel: nil, threads: nil)
        let bf16 = operands.run(precision: .bfloat16, threads: 1)
        let largest = zip(exact, bf16).map { abs($0 - $1) }.max() ?? 0
        #expect(largest > 1e-4, "bf16 products should differ from float32 ones")
        #expect(largest < 0.1, "bf16 products are far from float32 ones: \(largest)")
    }

    @Test func precisionNamesParse() {
        #expect(MatmulPrecision(rawValue: "bf16") == .bfloat16)
        #expect(MatmulPrecision(rawValue: "fp32") == .float32)
        #expect(MatmulPrecision(rawValue: "float16") == nil)
        #expect(MatmulPrecision.float32.effective == .float32)
    }
}
