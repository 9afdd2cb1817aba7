/// Dequantization of ggml blocks to Float (`ggml-quants.c` `dequantize_row_*`; the Python
/// reference is `gguf.quants` of the `gguf` package, which the tests compare against).
///
/// Layouts (`ggml-common.h`; d, m, dmin are f16):
/// - Q8_0: 32 values in 34 bytes: d, 32 x i8; x = d * q.
/// - Q4_0: 32 in 18: d, 16 bytes (low nibbles values 0-15, high 16-31); x = d * (q - 8).
/// - Q4_1: 32 in 20: d, m, 16 bytes; x = d * q + m.
/// - Q4_K: 256 in 144: d, dmin, 12 bytes of 6-bit scales and mins (8 sub-blocks of 32), 128
///   bytes of nibbles; x = d * sc * q - dmin * m.
/// - Q6_K: 256 in 210: 128 bytes low 4 bits, 64 bytes high 2 bits, 16 x i8 scales, d;
///   x = d * sc * (q - 32).
public enum GGUFDequantize {
    /// Dequantizes whole blocks of `type` in `source` into `out` (`out.count` values; the caller
    /// passes `out.count / blockSize * bytesPerBlock` bytes).
    public static func dequantize(_ type: GGMLType, from source: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let blocks = out.count / type.blockSize
        precondition(out.count % type.blockSize == 0 && source.count >= blocks * type.bytesPerBlock, "dequantize: buffer sizes")
        guard blocks > 0, let src = source.baseAddress, let dst = out.baseAddress else { return }
        switch type {
        case .f32:
            for i in 0..<out.count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<out.count { dst[i] = half(src, 2 * i) }
        case .bf16:
            for i in 0..<out.count { dst[i] = Float(bitPattern: UInt32(u16(src, 2 * i)) << 16) }
        case .q8_0:
            for b in 0..<blocks { q8_0(src + b * 34, dst + b * 32) }
        case .q4_0:
            for b in 0..<blocks { q4_0(src + b * 18, dst + b * 32) }
        case .q4_1:
            for b in 0..<blocks { q4_1(src + b * 20, dst + b * 32) }
        case .q4_K:
            for b in 0..<blocks { q4_K(src + b * 144, dst + b * 256) }
        case .q6_K:
            for b in 0..<blocks { q6_K(src + b * 210, dst + b * 256) }
        default:
            preconditionFailure("dequantize: \(type) is not supported (callers check canDequantize)")
        }
    }

    @inline(__always) static func u16(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// IEEE half to Float by bits (Float16 is unavailable on some targets).
    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        halfToFloat(u16(p, offset))
    }

    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24.
            let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
    }

    @inline(__always) private static func q8_0(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, 0)
        let q = (p + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { y[j] = d * Float(q[j]) }
    }

    @inline(__always) private static func q4_0(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, 0)
        let q = (p + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            y[j] = d * Float(Int(q[j] & 0x0F) - 8)
            y[j + 16] = d * Float(Int(q[j] >> 4) - 8)
        }
    }

    @inline(__always) private static func q4_1(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, 0), m = half(p, 2)
        let q = (p + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            y[j] = d * Float(q[j] & 0x0F) + m
            y[j + 16] = d * Float(q[j] >> 4) + m
        }
    }

    /// Scale and min of sub-block `j` from Q4_K's 12 packed bytes (`get_scale_min_k4`).
    @inline(__always) private static func scaleMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (Float, Float) {
        if j < 4 { return (Float(q[j] & 63), Float(q[j + 4] & 63)) }
        let sc = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4)
        let m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4)
        return (Float(sc), Float(m))
    }

    @inline(__always) private static func q4_K(_ p: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(p, 0), dmin = half(p, 2)
        let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
        var q = (p + 16).assumingMemoryBound(to: UInt8.self)
        var y = out
        for pair in 0..<4 {  // 64 values: 32 low nibbles, 32 high nibbles
            let (sc1, m1) = scaleMin(2 * pair, scales)
            let (sc2, m2) = scaleMin(2 * pair + 1, scales)
            let d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2
            for l in 0..<32 { y[l] = d1 * Float(q[l] & 0x0F) - min1 }
            for l in 0..<32 { y[l + 32] = d2 * Float(q[l] >> 4) - min2 }
            q += 32
            y += 64
        }
    }

    @inline(__always) private static func q6_K(_ p: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        var ql = p.assumingMemoryBound(to: UInt8.self)
        var qh = (p + 128).assumingMemoryBound(to: UInt8.self)
        var sc = (p + 192).assumingMemoryBound(to: Int8.self)
        let d = half(p, 208)
        var y = out
        for _ in 0..<2 {  // 128 values each
            for l in 0..<32 {
                let s = l / 16
                let q1 = Int((ql[l] & 0x0F) | ((qh[l] >> 0) & 3) << 4) - 32
                let q2 = Int((ql[l + 32] & 0x0F) | ((qh[l] >> 2) & 3) << 4) - 32
                let q3 = Int((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32
                let q4 = Int((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32
                y[l] = d * Float(sc[s]) * Float(q1)
                y[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                y[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                y[l + 96] = d * Float(sc[s + 6]) * Float(q4)
            }
            y += 128
            ql += 64
            qh += 32
            sc += 8
        }
    }
}
