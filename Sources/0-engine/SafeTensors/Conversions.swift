// Element conversions from the file's little-endian bytes. Tensor data in a safetensors file is
// not guaranteed to be aligned to its element size, so every load is an unaligned load (or a
// memcpy for the F32 fast path).

/// Converts `source` (little-endian elements of `dtype`, a floating type) into `destination`.
/// `destination.count` is the element count; `source.count == destination.count * dtype.byteSize`.
func convertToFloats(_ dtype: SafeTensorsDType, from source: UnsafeRawBufferPointer,
                     into destination: UnsafeMutableBufferPointer<Float>) {
    let count = destination.count
    guard count > 0, let src = source.baseAddress, let dst = destination.baseAddress else { return }
    switch dtype {
    case .F32:
        #if _endian(little)
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        #else
        for i in 0..<count {
            dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
        #endif
    case .F16:
        for i in 0..<count {
            dst[i] = floatFromHalf(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    case .BF16:
        for i in 0..<count {
            let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            dst[i] = Float(bitPattern: UInt32(bits) << 16)
        }
    case .F64:
        for i in 0..<count {
            let bits = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
            dst[i] = Float(Double(bitPattern: bits))
        }
    case .I64, .I32, .I16, .I8, .U8, .BOOL:
        preconditionFailure("convertToFloats called with non-floating dtype \(dtype)")
    }
}

/// An integer element that does not fit in Int32.
struct OutOfRange: Error {
    var index: Int
    var value: Int64
}

/// Converts integer elements to Int32; nil if `dtype` is not an integer type.
func convertToInt32s(_ dtype: SafeTensorsDType, from source: UnsafeRawBufferPointer,
                     count: Int) -> Result<[Int32], OutOfRange>? {
    func load<T: FixedWidthInteger>(_ type: T.Type, _ i: Int) -> T {
        T(littleEndian: source.baseAddress!.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }
    var result = [Int32](repeating: 0, count: count)
    switch dtype {
    case .I32: for i in 0..<count { result[i] = load(Int32.self, i) }
    case .I16: for i in 0..<count { result[i] = Int32(load(Int16.self, i)) }
    case .I8: for i in 0..<count { result[i] = Int32(load(Int8.self, i)) }
    case .U8: for i in 0..<count { result[i] = Int32(load(UInt8.self, i)) }
    case .I64:
        for i in 0..<count {
            let value = load(Int64.self, i)
            guard let narrow = Int32(exactly: value) else { return .failure(OutOfRange(index: i, value: value)) }
            result[i] = narrow
        }
    case .F32, .F16, .BF16, .F64, .BOOL:
        return nil
    }
    return .success(result)
}

/// IEEE half (binary16) bits to Float, exact for every input including subnormals, infinities and NaN.
@inline(__always)
func floatFromHalf(_ half: UInt16) -> Float {
    let sign = UInt32(half & 0x8000) << 16
    let exponent = UInt32(half >> 10) & 0x1F
    let mantissa = UInt32(half & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa * 2^-24, exactly representable in Float.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
