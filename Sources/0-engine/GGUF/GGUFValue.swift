/// One metadata value of a GGUF file (value types 0...12 of ggml `docs/gguf.md`).
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)      // 0
    case int8(Int8)        // 1
    case uint16(UInt16)    // 2
    case int16(Int16)      // 3
    case uint32(UInt32)    // 4
    case int32(Int32)      // 5
    case float32(Float)    // 6
    case bool(Bool)        // 7
    case string(String)    // 8
    case array([GGUFValue]) // 9 (elements of one type; arrays may nest)
    case uint64(UInt64)    // 10
    case int64(Int64)      // 11
    case float64(Double)   // 12

    /// The value as an integer, when it is one (any integer type) and fits an `Int`.
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// The value as a floating-point number (floats and integers).
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    public var string: String? {
        if case let .string(v) = self { return v }
        return nil
    }

    public var bool: Bool? {
        if case let .bool(v) = self { return v }
        return nil
    }

    public var array: [GGUFValue]? {
        if case let .array(v) = self { return v }
        return nil
    }
}
