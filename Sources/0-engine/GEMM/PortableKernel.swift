// The portable instantiation of the shared macro-kernel (MacroKernel.swift): 6×8 micro-tiles of two
// SIMD4<Float> per row. This module is compiled for the platform's baseline (SSE2 on x86_64, NEON on
// arm64), so it runs everywhere; it is the fallback when neither AVX2+FMA nor AVX-512 is present.

/// One 128-bit register of floats (xmm on x86_64, q on arm64).
typealias KernelVector = SIMD4<Float>

/// c + a·b. Baseline x86_64 has no FMA instruction, where `addingProduct` becomes one `fmaf` call
/// per lane (~100x slower), so it multiplies and adds separately there; arm64 always has FMA.
@inline(__always)
func multiplyAdd(_ c: KernelVector, _ a: KernelVector, _ b: KernelVector) -> KernelVector {
#if arch(arm64)
    c.addingProduct(a, b)
#else
    c + a * b
#endif
}

/// C(mc, nc) (+)= packed A block · packed B block, portable code (see `avx2MacroKernel` for shapes).
func portableMacroKernel(
    mc: Int, nc: Int, kc: Int,
    packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    macroKernel(mc: mc, nc: nc, kc: kc, packedA: packedA, packedB: packedB, c: c, ldc: ldc,
                accumulate: accumulate)
}
