// Reading a safetensors file: [8-byte little-endian header length N][N bytes JSON header][data].
// The header is validated once at open (SafeTensorsHeader), so a truncated or corrupted file
// throws there and the accessors below only check names, shapes and dtypes.

import Foundation

/// A safetensors file opened for reading. The file is memory-mapped; tensors are converted to
/// `Float`/`Int32` on access.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: url)
/// try file.copyFloats("model.norm.weight", into: normView, expectedShape: [config.hiddenSize])
/// ```
public struct SafeTensorsFile: Sendable {
    /// The path, for error messages.
    public let path: String
    /// Tensor names in ascending order.
    public let names: [String]
    /// The `__metadata__` map of the header (empty when absent).
    public let metadata: [String: String]

    private let bytes: FileBytes
    private let tensors: [String: TensorInfo]
    /// Offset of the data section in `bytes`.
    private let dataStart: Int

    /// Opens and memory-maps the file at `url`, validating its header.
    /// - Throws: ``SafeTensorsError`` if the file cannot be read or is not a valid safetensors file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: FileBytes(mapping: url.path), path: url.path)
    }

    /// Reads a safetensors file held in memory (e.g. received over a pipe, or built in a test).
    /// - Parameter name: what error messages call the data.
    public init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(bytes: FileBytes(copying: bytes), path: name)
    }

    private init(bytes: FileBytes, path: String) throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.truncated(file: path, size: bytes.count) }
        var prefix: UInt64 = 0
        for (i, byte) in bytes.slice(0, 8).enumerated() { prefix |= UInt64(byte) << (8 * UInt64(i)) }
        guard prefix <= UInt64(SafeTensorsHeader.maxHeaderLength), Int(prefix) <= bytes.count - 8 else {
            throw SafeTensorsError.headerBeyondFile(file: path, headerLength: prefix, fileSize: bytes.count)
        }
        let headerLength = Int(prefix)
        let header = try SafeTensorsHeader(json: bytes.slice(8, headerLength),
                                           dataSize: bytes.count - 8 - headerLength, file: path)
        self.path = path
        self.bytes = bytes
        self.dataStart = 8 + headerLength
        self.tensors = header.tensors
        self.metadata = header.metadata
        self.names = header.tensors.keys.sorted()
    }

    /// Whether the file has a tensor named `name`.
    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The dtype and shape of tensor `name`.
    /// - Throws: ``SafeTensorsError/missingTensor(file:tensor:available:)``.
    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else {
            throw SafeTensorsError.missingTensor(file: path, tensor: name, available: names)
        }
        return info
    }

    /// Tensor `name` as `Float`s in row-major order, converting F16, BF16 and F64.
    /// - Throws: if the tensor is missing or is not floating point.
    public func floats(_ name: String) throws -> [Float] {
        let info = try info(name)
        try requireFloat(info)
        return [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            convertToFloats(info.dtype, from: raw(info), into: buffer)
            initialized = info.elementCount
        }
    }

    /// Copies tensor `name`, converted to `Float`, into `destination` after checking that its
    /// shape is `expectedShape` (e.g. a named view of the model's flat parameter buffer).
    /// - Throws: on a missing tensor, a shape mismatch (naming expected and found shapes), a
    ///   non-floating dtype, or a destination whose count is not the tensor's element count.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>,
                           expectedShape: [Int]) throws {
        let info = try info(name)
        guard info.shape == expectedShape else {
            throw SafeTensorsError.shapeMismatch(file: path, tensor: name, expected: expectedShape, found: info.shape)
        }
        try requireFloat(info)
        guard destination.count == info.elementCount else {
            throw SafeTensorsError.destinationSizeMismatch(
                file: path, tensor: name, expected: info.elementCount, found: destination.count)
        }
        convertToFloats(info.dtype, from: raw(info), into: destination)
    }

    /// Tensor `name` as `Int32`s, from I32, or from I64/I16/I8/U8 with a range check.
    /// - Throws: if the tensor is missing, not an integer type, or holds a value beyond Int32.
    public func int32s(_ name: String) throws -> [Int32] {
        let info = try info(name)
        guard let values = convertToInt32s(info.dtype, from: raw(info), count: info.elementCount) else {
            throw SafeTensorsError.dtypeNotConvertible(file: path, tensor: name, dtype: info.dtype, to: "Int32")
        }
        switch values {
        case let .success(array): return array
        case let .failure(bad):
            throw SafeTensorsError.valueOutOfRange(file: path, tensor: name, index: bad.index, value: bad.value)
        }
    }

    /// Calls `body` with the raw little-endian bytes of tensor `name` (valid only during the call).
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        return try withExtendedLifetime(bytes) { try body(raw(info)) }
    }

    private func raw(_ info: TensorInfo) -> UnsafeRawBufferPointer {
        bytes.slice(dataStart + info.dataOffset, info.byteCount)
    }

    private func requireFloat(_ info: TensorInfo) throws {
        guard info.dtype.isFloatingPoint else {
            throw SafeTensorsError.dtypeNotConvertible(file: path, tensor: info.name, dtype: info.dtype, to: "Float")
        }
    }
}
