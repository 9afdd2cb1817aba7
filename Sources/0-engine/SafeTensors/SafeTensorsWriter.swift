// Writing a safetensors file with the same layout as Python's `safetensors` library: tensors
// ordered by dtype (8-byte types first, so every tensor is aligned to its element size) and
// then by name, contiguous without holes; header = compact JSON padded with spaces to a
// multiple of 8 bytes so the data section starts 8-byte aligned.

import Support

import Foundation

/// Collects tensors and writes them as one safetensors file.
///
/// ```swift
/// var writer = SafeTensorsWriter(metadata: ["format": "pt"])
/// writer.add("model.norm.weight", shape: [256], floats: normView)
/// try writer.write(to: url)   // atomic: temp file, fsync, rename
/// ```
public struct SafeTensorsWriter {
    /// The `__metadata__` map written into the header (omitted when empty).
    public var metadata: [String: String]

    private var entries: [Entry] = []
    /// Problems found by `add` (which cannot throw), reported by `write`/`serialized`.
    private var problems: [(tensor: String, reason: String)] = []

    private struct Entry {
        var name: String
        var dtype: SafeTensorsDType
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// Creates an empty writer.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds an F32 tensor; `floats.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], floats: UnsafeBufferPointer<Float>) {
        add(name, dtype: .F32, shape: shape, count: floats.count, littleEndian: UnsafeRawBufferPointer(floats))
    }

    /// Adds an F32 tensor; `floats.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], floats: [Float]) {
        floats.withUnsafeBufferPointer { add(name, shape: shape, floats: $0) }
    }

    /// Adds an I32 tensor; `int32s.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], int32s: UnsafeBufferPointer<Int32>) {
        add(name, dtype: .I32, shape: shape, count: int32s.count, littleEndian: UnsafeRawBufferPointer(int32s))
    }

    /// Adds an I32 tensor; `int32s.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], int32s: [Int32]) {
        int32s.withUnsafeBufferPointer { add(name, shape: shape, int32s: $0) }
    }

    /// Adds a tensor of any dtype from its raw little-endian bytes
    /// (`rawBytes.count` must be `dtype.byteSize` times the product of `shape`).
    public mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], rawBytes: UnsafeRawBufferPointer) {
        guard rawBytes.count % dtype.byteSize == 0 else {
            problems.append((name, "\(rawBytes.count) bytes is not a whole number of \(dtype.rawValue) elements"))
            return
        }
        append(name, dtype: dtype, shape: shape, count: rawBytes.count / dtype.byteSize, bytes: Array(rawBytes))
    }

    private mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], count: Int,
                              littleEndian native: UnsafeRawBufferPointer) {
        var bytes = Array(native)
        #if !_endian(little)
        // Byte-swap every element to little-endian, as the format requires.
        let size = dtype.byteSize
        for start in stride(from: 0, to: bytes.count, by: size) { bytes[start..<start + size].reverse() }
        #endif
        append(name, dtype: dtype, shape: shape, count: count, bytes: bytes)
    }

    private mutating func append(_ name: String, dtype: SafeTensorsDType, shape: [Int], count: Int, bytes: [UInt8]) {
        if name == "__metadata__" {
            problems.append((name, "the name is reserved for the header's metadata"))
        } else if entries.contains(where: { $0.name == name }) {
            problems.append((name, "a tensor with this name was already added"))
        } else if checkedElementCount(shape, elementSize: dtype.byteSize) != count {
            problems.append((name, "shape \(shape) does not match the \(count) elements given"))
        } else {
            entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
        }
    }

    /// The complete file as bytes (for small files and tests; `write(to:)` streams instead).
    public func serialized() throws -> [UInt8] {
        let (header, ordered) = try layout(file: "<memory>")
        var out = header
        for entry in ordered { out += entry.bytes }
        return out
    }

    /// Writes the file atomically: to a temporary file in the same directory, fsync, then rename
    /// over `url`, so a crash leaves either the old file or the complete new one.
    /// - Throws: ``SafeTensorsError/invalidTensor(file:tensor:reason:)`` for a bad `add`, or
    ///   ``SafeTensorsError/io(file:operation:reason:)`` if the file system refuses.
    public func write(to url: URL) throws {
        let (header, ordered) = try layout(file: url.path)
        do {
            try AtomicFile.write(to: url.path, chunks: [header] + ordered.map(\.bytes))
        } catch let error as FileError {
            throw SafeTensorsError.io(file: error.path, operation: error.operation, reason: error.reason)
        }
    }

    /// The prefix + padded header bytes and the entries in data order.
    private func layout(file: String) throws -> ([UInt8], [Entry]) {
        if let problem = problems.first {
            throw SafeTensorsError.invalidTensor(file: file, tensor: problem.tensor, reason: problem.reason)
        }
        // Python's order: dtype rank descending (larger elements first), then names byte-wise.
        let ordered = entries.sorted { a, b in
            a.dtype.writeRank != b.dtype.writeRank
                ? a.dtype.writeRank > b.dtype.writeRank
                : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in ordered {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
            offset += entry.bytes.count
        }
        json += fields.joined(separator: ",") + "}"
        var headerBytes = Array(json.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count)
        let length = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        out += headerBytes
        return (out, ordered)
    }
}

/// `text` as a JSON string literal.
private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
