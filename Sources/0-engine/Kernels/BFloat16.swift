// bfloat16 storage for decoding: float32 values rounded to their upper 16 bits (to nearest, ties
// to even), and the decoding attention over keys and values stored so (a bfloat16 KV cache, as
// `torch.autocast(bfloat16)` keeps one). Arithmetic stays float32; only the stored values round.

#if arch(x86_64)
import CCPUFeatures
#endif
import GEMM

/// `x` rounded to bfloat16 bits: to nearest, ties to even; a NaN becomes a quiet NaN and a
/// subnormal a zero of its sign (as `vcvtneps2bf16` does, whatever the MXCSR says).
@inline(__always)
public func bfloat16Bits(_ x: Float) -> UInt16 {
    let bits = x.bitPattern
    if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
    if x.isSubnormal { return UInt16(truncatingIfNeeded: bits >> 16) & 0x8000 }
    return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
}

/// The float32 value of bfloat16 bits.
@inline(__always)
public func float(bfloat16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

/// `count` floats rounded to bfloat16 (``bfloat16Bits(_:)``; with AVX-512 BF16 where AMX runs).
public func roundToBFloat16(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<UInt16>) {
#if arch(x86_64)
    if MatmulPrecision.amxAvailable {
        e2h_bfloat16_from_float_avx512(source, count, destination)
        return
    }
#endif
    for i in 0..<count { destination[i] = bfloat16Bits(source[i]) }
}

/// ``attendCachedGroup(queries:group:keys:values:stride:length:headDim:scale:scores:output:kernel:)``
/// over bfloat16 keys and values (`stride` in elements). The AVX-512 form reads them as they are;
/// elsewhere they are widened to float32 first. Equal to the float32 form on the widened values
/// up to float rounding. `prefetch` as in the float32 form.
public func attendCachedGroupBFloat16(
    queries: UnsafePointer<Float>, group: Int, keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
    stride: Int, length: Int, headDim D: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
    prefetch next: NextBlocks? = nil, kernel: GEMMKernel = .selected
) {
#if arch(x86_64)
    if kernel.runnable == .avx512, D % 16 == 0 {
        e2h_attend_group_bf16_avx512(queries, group, keys, values, stride, length, D, scale, scores, output,
                                     next?.keys, next?.values, next?.bytes ?? 0)
        return
    }
#endif
    next?.prefetchNow()
    let wide = UnsafeMutablePointer<Float>.allocate(capacity: 2 * length * D)
    defer { wide.deallocate() }
    for j in 0..<length {
        for d in 0..<D {
            wide[j * D + d] = float(bfloat16: keys[j * stride + d])
            wide[(length + j) * D + d] = float(bfloat16: values[j * stride + d])
        }
    }
    attendCachedGroup(queries: queries, group: group, keys: wide, values: wide + length * D, stride: D,
                      length: length, headDim: D, scale: scale, scores: scores, output: output, kernel: kernel)
}
