// The machine's fp32 multiply-add peak as a short loop: twelve independent chains of `vfmadd231ps`
// on ymm registers (enough to cover the FMA latency on two pipes), nothing loaded from memory.
// `e2h bench` prints engine figures as a percentage of it.

#if arch(x86_64)
/// Runs `iterations` × 12 eight-lane FMAs (192 flops per iteration) on the calling thread and
/// returns a value that depends on all of them (so the loop is not optimised away). Call only on a
/// CPU with AVX2 and FMA.
@inline(never)
public func avx2FMALoop(iterations: Int, seed: Float) -> Float {
    let a = SIMD8<Float>(repeating: 0.999_999), b = SIMD8<Float>(repeating: 1e-7)
    var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3
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
