// The element types of the safetensors format (https://github.com/huggingface/safetensors).

/// An element type as spelled in a safetensors header (`"dtype": "F32"`).
///
/// Only the types that the engine can meet in practice are listed; a header naming any other
/// type (for example `F8_E4M3`) fails to load with ``SafeTensorsError/unknownDType(file:tensor:dtype:)``.
public enum SafeTensorsDType: String, CaseIterable, Sendable, Equatable {
    /// IEEE 754 single precision.
    case F32
    /// IEEE 754 half precision.
    case F16
    /// bfloat16: the upper 16 bits of an IEEE single.
    case BF16
    /// IEEE 754 double precision.
    case F64
    /// Signed 64-bit integer.
    case I64
    /// Signed 32-bit integer.
    case I32
    /// Signed 16-bit integer.
    case I16
    /// Signed 8-bit integer.
    case I8
    /// Unsigned 8-bit integer.
    case U8
    /// One byte per element, 0 or 1.
    case BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64: return 8
        case .F32, .I32: return 4
        case .F16, .BF16, .I16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// Whether ``SafeTensorsFile/floats(_:)`` converts this type.
    public var isFloatingPoint: Bool {
        switch self {
        case .F32, .F16, .BF16, .F64: return true
        default: return false
        }
    }

    /// Position in the reference implementation's dtype enum; its writer puts tensors with a
    /// larger rank first (so larger elements come first and every tensor is naturally aligned).
    var writeRank: Int {
        switch self {
        case .BOOL: return 0
        case .U8: return 1
        case .I8: return 2
        case .I16: return 3
        case .F16: return 4
        case .BF16: return 5
        case .I32: return 6
        case .F32: return 7
        case .F64: return 8
        case .I64: return 9
        }
    }
}
