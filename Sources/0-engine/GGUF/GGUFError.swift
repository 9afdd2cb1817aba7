/// Errors reading a GGUF file; each names the file and the key or tensor at fault.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened or mapped.
    case io(file: String, reason: String)
    /// The first four bytes are not "GGUF".
    case badMagic(file: String, found: [UInt8])
    /// A version other than 2 or 3.
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends before `what` (which needs `needed` bytes at `offset`).
    case truncated(file: String, what: String, offset: Int, needed: Int)
    /// A value is malformed: an unknown value type, an absurd count, a misaligned offset.
    case invalid(file: String, field: String, reason: String)
    /// A tensor of a ggml type this reader does not dequantize.
    case unsupportedTensorType(file: String, tensor: String, type: UInt32)
    /// A required metadata key is missing or has the wrong type.
    case missingKey(file: String, key: String, expected: String)
    /// A tensor the model needs is missing.
    case missingTensor(file: String, tensor: String)
    /// A tensor's shape (PyTorch order) differs from what the config implies.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// `general.architecture` is not llama or qwen2.
    case unsupportedArchitecture(file: String, architecture: String)

    public var description: String {
        switch self {
        case let .io(file, reason): return "\(file): \(reason)"
        case let .badMagic(file, found):
            return "\(file): not a GGUF file (the first bytes are \(found.map { String(format2: $0) }.joined(separator: " ")), expected 47 47 55 46 \"GGUF\")"
        case let .unsupportedVersion(file, version): return "\(file): GGUF version \(version) is not supported (2 or 3)"
        case let .truncated(file, what, offset, needed):
            return "\(file): truncated: \(what) needs \(needed) bytes at offset \(offset), past the end of the file"
        case let .invalid(file, field, reason): return "\(file): \(field): \(reason)"
        case let .unsupportedTensorType(file, tensor, type):
            return "\(file): tensor \(tensor): ggml type \(type) is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)"
        case let .missingKey(file, key, expected): return "\(file): metadata key \(key) is missing or not \(expected)"
        case let .missingTensor(file, tensor): return "\(file): tensor \(tensor) is missing"
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): tensor \(tensor) has shape \(found), expected \(expected)"
        case let .unsupportedArchitecture(file, architecture):
            return "\(file): architecture \"\(architecture)\" is not supported (llama, qwen2)"
        }
    }
}

extension String {
    /// Two hex digits.
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = hex.count == 1 ? "0" + hex : hex
    }
}
