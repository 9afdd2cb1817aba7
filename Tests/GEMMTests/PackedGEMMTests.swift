// The pre-packed B operand (`PackedMatrix`, `gemm(m:a:lda:packed:...)`): bit-identical to `gemm`
// packing B itself, for every supported kernel, forms nn and nt, edge and multi-K-block sizes, one
// and two threads; within rounding of the naive reference; and re-packing after B changes. In
// bfloat16 (AMX): the naive product of the operands rounded to bfloat16, and bit for bit `gemm`'s
// own bfloat16 product.

import GEMM
import Testing

@Suite struct PackedGEMMTests {
    static let shapes: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 1, n: 37, k: 19), Case(m: 23, n: 1, k: 41),
        Case(m: 64, n: 768, k: 256), Case(m: 64, n: 256, k: 768, padA: 3, padC: 2, accumulate: true),
        Case(m: 5, n: 64, k: 256, accumulate: true), Case(m: 130, n: 45, k: 130, padB: 1),
        Case(m: 9, n: 70, k: 2100, padA: 2, padB: 3, accumulate: true),  // several K blocks
        Case(m: 3, n: 4130, k: 5, padC: 1),  // several column blocks
    ]

    /// C after the packed product.
    func runPacked(_ o: Operands, kernel: GEMMKernel = .selected, threads: Int?,
                   precision: MatmulPrecision = .float32) -> [Float] {
        var c = o.c0
        o.b.withUnsafeBufferPointer { b in
            let packed = PackedMatrix(o.form, n: o.test.n, k: o.test.k, b: b.baseAddress!, ldb: o.ldb, kernel: kernel,
                                      precision: precision)
            #expect(packed.precision == precision.effective)
            o.a.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { c in
                    gemm(m: o.test.m, a: a.baseAddress!, lda: o.lda, packed: packed, c: c.baseAddress!, ldc: o.ldc,
                         accumulate: o.test.accumulate, threads: threads)
                }
            }
        }
        return c
    }

    @Test(arguments: [GEMMForm.nn, .nt])
    func packedProductsEqualFreshlyPackedOnes(form: GEMMForm) {
        for (index, test) in Self.shapes.enumerated() {
            let operands = Operands(form, test, seed: UInt64(index) &* 31 &+ 5)
            let reference = operands.run(kernel: nil, threads: nil)
            for kernel in GEMMTests.kernels {
                for threads in [1, 2] {
                    let fresh = operands.run(kernel: kernel, threads: threads)
                    let packed = runPacked(operands, kernel: kernel, threads: threads)
                    #expect(packed == fresh, "\(kernel) \(form) threads=\(threads) \(test): not bit-identical to gemm")
                    let mismatch = operands.firstMismatch(packed, reference)
                    #expect(mismatch == nil, "\(kernel) \(form) threads=\(threads) \(test): \(mismatch ?? "")")
                }
            }
        }
    }

    @Test(arguments: [GEMMForm.nn, .nt])
    func bfloat16TilesEqualGEMMsBFloat16Product(form: GEMMForm) {
        guard MatmulPrecision.amxAvailable else {  // no AMX: bfloat16 packing falls back to float32 panels
            let operands = Operands(form, Case(m: 9, n: 40, k: 70), seed: 3)
            #expect(runPacked(operands, threads: 1, precision: .bfloat16) == operands.run(kernel: .selected, threads: 1))
            return
        }
        let shapes = Self.shapes + [
            Case(m: 64, n: 1536, k: 256), Case(m: 17, n: 100, k: 1100, padB: 2, accumulate: true),  // two depth blocks
            Case(m: 40, n: 4200, k: 64, padA: 1, padC: 3),  // two column blocks
            Case(m: 200, n: 70, k: 300, accumulate: true),  // split by rows
        ]
        for (index, test) in shapes.enumerated() {
            let operands = Operands(form, test, seed: UInt64(index) &* 977 &+ 13)
            let expected = operands.roundedToBFloat16.run(kernel: nil, threads: nil)
            for threads in [1, 2] {
                let packed = runPacked(operands, threads: threads, precision: .bfloat16)
                let mismatch = operands.firstMismatch(packed, expected)
                #expect(mismatch == nil, "bf16 \(form) threads=\(threads) \(test): \(mismatch ?? "")")
                if test.m * test.n * test.k >= 32 * 32 * 32 {  // gemm's own bfloat16 threshold
                    #expect(packed == operands.run(precision: .bfloat16, threads: threads),
                            "bf16 \(form) threads=\(threads) \(test): not bit-identical to gemm in bfloat16")
                }
            }
        }
        let bytes = PackedMatrix.byteCount(n: 100, k: 40, precision: .bfloat16)
        #expect(bytes == 128 * 64 * 2, "bfloat16 tiles: columns and depth rounded up to 32, 2 bytes each")
    }

    @Test func repackingFollowsNewWeights() {
        let test = Case(m: 7, n: 50, k: 33)
        var operands = Operands(.nt, test, seed: 11)
        var c = [Float](repeating: 0, count: test.m * operands.ldc)
        let packed = operands.b.withUnsafeBufferPointer {
            PackedMatrix(.nt, n: test.n, k: test.k, b: $0.baseAddress!, ldb: operands.ldb)
        }
        #expect(packed.byteCount == PackedMatrix.byteCount(n: test.n, k: test.k, kernel: packed.kernel))
        #expect(packed.byteCount >= 4 * test.n * test.k)
        for i in operands.b.indices { operands.b[i] = -0.5 * operands.b[i] + 0.25 }  // the weights change
        operands.b.withUnsafeBufferPointer { packed.repack(.nt, b: $0.baseAddress!, ldb: operands.ldb) }
        operands.a.withUnsafeBufferPointer { a in
            c.withUnsafeMutableBufferPointer { c in
                gemm(m: test.m, a: a.baseAddress!, lda: operands.lda, packed: packed, c: c.baseAddress!, ldc: operands.ldc)
            }
        }
        operands.c0 = c  // `run` starts from c0; without accumulate it overwrites it
        #expect(c == operands.run(kernel: packed.kernel, threads: nil), "the re-packed product must use the new B")
    }
}
