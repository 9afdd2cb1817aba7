// The fp32 multiply-add peak of the AVX-512 units: GEMMAVX2/FMAPeak.swift's loop on zmm registers
// (this module is compiled for x86-64-v4). `e2h bench` uses it where the GEMM runs AVX-512, so its
// "percent of peak" figures are against the units the kernels use.

#if arch(x86_64)
/// Runs `iterations` × 12 sixteen-lane FMAs (384 flops per iteration) on the calling thread and
/// returns a value that depends on all of them. Call only on a CPU with AVX-512F.
@inline(never)
public func avx512FMALoop(iterations: Int, seed: Float) -> Float {
    let a = SIMD16<Float>(repeating: 0.999_999), b = SIMD16<Float>(repeating: 1e-7)
    var c0 = SIMD16<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3
    var c4 = c0 + 4, c5 = c0 + 5, c6 = c0 + 6, c7 = c0 + 7
    var c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
    for _ in 0..<iterations {
        c0 = b.addingProduct(c0, a); c1 = b.addingProduct(c1, a); c2 = b.addingProduct(c2, a)
        c3 = b.addingProduct(c3, a); c4 = b.addingProduct(c4, a); c5 = b.addingProduct(c5, a)
        c6 = b.addingProduct(c6, a); c7 = b.addingProduct(c7, a); c8 = b.addingProduct(c8, a)
        c9 = b.addingProduct(c9, a); c10 = b.addingProduct(c10, a); c11 = b.addingProduct(c11, a)
    }
    let sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
    return sum.sum()
}
#endif
