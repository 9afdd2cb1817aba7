// Products with ggml-quantized weight rows (Q4_0, Q4_1, Q8_0 blocks of 32), computed on the
// blocks as they are stored: each block is expanded to four SIMD8<Float> in registers and never
// written out as floats.
//
// ONE FILE, TWO MODULES: GEMMAVX2/QuantizedKernel.swift is a symbolic link to this file, compiled
// there for AVX2+FMA+F16C (`vpmovzxbd`, `vcvtdq2ps`, `vcvtph2ps`, `vfmadd`) and here for the
// platform baseline; GEMM's `quantizedMatMul` picks one at run time.
//
// Block layouts (ggml-common.h; d, m are IEEE halves):
//   Q4_0 (18 bytes): d, 16 bytes of nibbles (low nibble = value j, high = value j + 16); w = d·(q - 8)
//   Q4_1 (20 bytes): d, m, 16 bytes of nibbles;                                           w = d·q + m
//   Q8_0 (34 bytes): d, 32 signed bytes;                                                   w = d·q
// Each block is read as w = d·q + o with a per-block offset o (-8d, m, 0), so a row's dot product
// with x is Σ_b d_b·(q_b·x_b) + o_b·Σx_b, with the block sums Σx_b computed once per call.

/// IEEE half to Float (hardware `vcvtph2ps` where the target has F16C).
@inline(__always)
func quantHalf(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    let bits = UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
#if (os(macOS) || os(iOS)) && arch(x86_64)
    // Float16 is unavailable on Intel Macs.
    let sign = UInt32(bits & 0x8000) << 16, exponent = Int(bits >> 10) & 0x1F, mantissa = UInt32(bits & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
    if exponent == 0 { let v = Float(mantissa) * (1.0 / 16_777_216.0); return sign != 0 ? -v : v }
    return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
#else
    return Float(Float16(bitPattern: bits))
#endif
}

/// One block of 32 values as four vectors of q (values 0-7, 8-15, 16-23, 24-31), the scale d
/// and the offset o: value = d·q + o.
struct QuantBlock {
    var q0, q1, q2, q3: SIMD8<Float>
    var d, o: Float
}

/// Decodes block `b` of a row of `format` (0 Q4_0, 1 Q4_1, 2 Q8_0).
@inline(__always)
func quantDecode(format: Int, row: UnsafeRawPointer, block b: Int) -> QuantBlock {
    switch format {
    case 2:
        let p = row + b * 34
        let d = quantHalf(p, 0)
        func part(_ at: Int) -> SIMD8<Float> {
            SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: 2 + at, as: SIMD8<Int8>.self)))
        }
        return QuantBlock(q0: part(0), q1: part(8), q2: part(16), q3: part(24), d: d, o: 0)
    default:
        let size = format == 0 ? 18 : 20, start = format == 0 ? 2 : 4
        let p = row + b * size
        let d = quantHalf(p, 0)
        let o = format == 0 ? -8 * d : quantHalf(p, 2)
        let bytes = p.loadUnaligned(fromByteOffset: start, as: SIMD16<UInt8>.self)
        let low = bytes & 0x0F, high = bytes &>> 4
        return QuantBlock(q0: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: low.lowHalf)),
                          q1: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: low.highHalf)),
                          q2: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: high.lowHalf)),
                          q3: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: high.highHalf)), d: d, o: o)
    }
}

/// q·x for one block and 32 floats at `x`.
@inline(__always)
func quantBlockDot(_ q: QuantBlock, _ x: UnsafePointer<Float>) -> SIMD8<Float> {
    let p = UnsafeRawPointer(x)
    var s = q.q0 * p.loadUnaligned(as: SIMD8<Float>.self)
    s.addProduct(q.q1, p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
    s.addProduct(q.q2, p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
    s.addProduct(q.q3, p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
    return s
}

/// c[i·ldc + j] (+)= Σ_k a[i·lda + k]·W[j, k] for i < m and j in `columns`, where W's row j is
/// stored at `base + (rowOrder?[j] ?? j)·rowBytes` as `blocks` blocks of `format`.
///
/// - Parameter blockSums: (m, blocks) Σ of each row of a over each block's 32 columns.
@inline(__always)
func quantizedRowsKernel(
    format: Int, base: UnsafeRawPointer, rowBytes: Int, rowOrder: UnsafePointer<Int32>?,
    columns: Range<Int>, blocks nb: Int, a: UnsafePointer<Float>, lda: Int, m: Int,
    blockSums: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    for j in columns {
        let row = base + (rowOrder.map { Int($0[j]) } ?? j) * rowBytes
        var i0 = 0
        while i0 < m {
            let mr = min(4, m - i0)
            let x = a + i0 * lda, sums = blockSums + i0 * nb
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
            var off0: Float = 0, off1: Float = 0, off2: Float = 0, off3: Float = 0
            for b in 0..<nb {
                let q = quantDecode(format: format, row: row, block: b)
                let d = SIMD8<Float>(repeating: q.d)
                acc0.addProduct(d, quantBlockDot(q, x + 32 * b))
                off0 += q.o * sums[b]
                if mr > 1 {
                    acc1.addProduct(d, quantBlockDot(q, x + lda + 32 * b))
                    off1 += q.o * sums[nb + b]
                    if mr > 2 {
                        acc2.addProduct(d, quantBlockDot(q, x + 2 * lda + 32 * b))
                        off2 += q.o * sums[2 * nb + b]
                        if mr > 3 {
                            acc3.addProduct(d, quantBlockDot(q, x + 3 * lda + 32 * b))
                            off3 += q.o * sums[3 * nb + b]
                        }
                    }
                }
            }
            @inline(__always) func put(_ r: Int, _ value: Float) {
                let out = c + (i0 + r) * ldc + j
                out.pointee = accumulate ? out.pointee + value : value
            }
            put(0, acc0.sum() + off0)
            if mr > 1 { put(1, acc1.sum() + off1) }
            if mr > 2 { put(2, acc2.sum() + off2) }
            if mr > 3 { put(3, acc3.sum() + off3) }
            i0 += 4
        }
    }
}

/// Writes the `blocks`·32 values of one stored row of `format` as floats to `out`.
@inline(__always)
func quantizedDequantizeRow(format: Int, row: UnsafeRawPointer, blocks nb: Int, out: UnsafeMutablePointer<Float>) {
    for b in 0..<nb {
        let q = quantDecode(format: format, row: row, block: b)
        let d = SIMD8<Float>(repeating: q.d), o = SIMD8<Float>(repeating: q.o)
        let p = UnsafeMutableRawPointer(out + 32 * b)
        p.storeBytes(of: (q.q0 * d + o), as: SIMD8<Float>.self)
        p.storeBytes(of: (q.q1 * d + o), toByteOffset: 32, as: SIMD8<Float>.self)
        p.storeBytes(of: (q.q2 * d + o), toByteOffset: 64, as: SIMD8<Float>.self)
        p.storeBytes(of: (q.q3 * d + o), toByteOffset: 96, as: SIMD8<Float>.self)
    }
}
