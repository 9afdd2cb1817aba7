// Typed errors of the safetensors reader and writer. Every message names the file and, where
// there is one, the tensor, and says what was expected and what was found.

/// Why a safetensors file could not be read or written.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An operating-system call failed (open, mmap, write, fsync, rename); `reason` is strerror.
    case io(file: String, operation: String, reason: String)
    /// The file is shorter than the 8-byte header-length prefix.
    case truncated(file: String, size: Int)
    /// The header length in the prefix does not fit in the file (or exceeds the 100 MB cap).
    case headerBeyondFile(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not the JSON object the format prescribes.
    case invalidHeader(file: String, reason: String)
    /// A tensor declares an element type this reader does not know.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor declares a negative dimension or a shape whose size overflows.
    case invalidShape(file: String, tensor: String, shape: [Int])
    /// A tensor's byte range is not a valid range inside the data section.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors' byte ranges overlap.
    case offsetsOverlap(file: String, tensor: String, other: String)
    /// A tensor's byte range does not have the size its dtype and shape require.
    case sizeMismatch(file: String, tensor: String, dtype: SafeTensorsDType, shape: [Int],
                      expectedBytes: Int, foundBytes: Int)
    /// The requested tensor is not in the file.
    case missingTensor(file: String, tensor: String, available: [String])
    /// The tensor's shape differs from the one the caller expects.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// The tensor's element type cannot be converted to the requested one.
    case dtypeNotConvertible(file: String, tensor: String, dtype: SafeTensorsDType, to: String)
    /// An integer element does not fit in the requested type (e.g. an I64 token id beyond Int32).
    case valueOutOfRange(file: String, tensor: String, index: Int, value: Int64)
    /// The destination buffer does not hold exactly the tensor's element count.
    case destinationSizeMismatch(file: String, tensor: String, expected: Int, found: Int)
    /// The writer was given an unusable tensor (duplicate or reserved name, data not matching shape).
    case invalidTensor(file: String, tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .io(file, operation, reason):
            return "\(file): \(operation) failed: \(reason)"
        case let .truncated(file, size):
            return "\(file): truncated safetensors file: \(size) bytes, but at least 8 are needed "
                + "for the header length; the file is incomplete or not a safetensors file"
        case let .headerBeyondFile(file, headerLength, fileSize):
            return "\(file): header length \(headerLength) does not fit in the file of \(fileSize) bytes "
                + "(limit 100 MB); the file is truncated or not a safetensors file"
        case let .invalidHeader(file, reason):
            return "\(file): invalid safetensors header: \(reason)"
        case let .unknownDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has unsupported dtype '\(dtype)' (supported: "
                + SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case let .invalidShape(file, tensor, shape):
            return "\(file): tensor '\(tensor)' has an invalid shape \(shape)"
        case let .offsetsOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' has data_offsets [\(begin), \(end)] outside the data "
                + "section of \(dataSize) bytes; the file is truncated or corrupted"
        case let .offsetsOverlap(file, tensor, other):
            return "\(file): tensors '\(other)' and '\(tensor)' have overlapping data_offsets; the file is corrupted"
        case let .sizeMismatch(file, tensor, dtype, shape, expectedBytes, foundBytes):
            return "\(file): tensor '\(tensor)' (\(dtype.rawValue) \(shape)) needs \(expectedBytes) bytes "
                + "but its data_offsets span \(foundBytes); the file is corrupted"
        case let .missingTensor(file, tensor, available):
            let shown = available.prefix(8).joined(separator: ", ")
            let more = available.count > 8 ? ", ... (\(available.count) in all)" : ""
            return "\(file): no tensor named '\(tensor)' (file has: \(shown)\(more))"
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found) but \(expected) was expected; "
                + "the checkpoint was made for a different model configuration"
        case let .dtypeNotConvertible(file, tensor, dtype, to):
            return "\(file): tensor '\(tensor)' has dtype \(dtype.rawValue), which cannot be read as \(to)"
        case let .valueOutOfRange(file, tensor, index, value):
            return "\(file): tensor '\(tensor)' element \(index) = \(value) does not fit in Int32"
        case let .destinationSizeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has \(expected) elements but the destination holds \(found)"
        case let .invalidTensor(file, tensor, reason):
            return "\(file): cannot write tensor '\(tensor)': \(reason)"
        }
    }
}
