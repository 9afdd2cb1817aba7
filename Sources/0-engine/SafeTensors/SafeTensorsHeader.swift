// Parsing and validation of the JSON header:
//   { "__metadata__": {str: str}, name: {"dtype": D, "shape": [..], "data_offsets": [begin, end]}, ... }
// Every check a later read relies on (offsets inside the data section, sizes matching dtype*shape,
// no overlap) happens here, so the accessors can read memory without further bounds checks.

import Foundation

/// The validated header of a safetensors file.
struct SafeTensorsHeader {
    /// Tensors by name.
    var tensors: [String: TensorInfo]
    /// The `__metadata__` map (empty when absent).
    var metadata: [String: String]

    /// Header size cap, as in the reference implementation: a larger value means a corrupted prefix.
    static let maxHeaderLength = 100_000_000

    /// Parses `json` (the header bytes) and validates every entry against a data section of
    /// `dataSize` bytes. `file` is used in error messages only.
    init(json: UnsafeRawBufferPointer, dataSize: Int, file: String) throws {
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(json))
        } catch let error as DecodingError {
            throw SafeTensorsError.invalidHeader(file: file, reason: Self.describe(error))
        } catch {
            throw SafeTensorsError.invalidHeader(file: file, reason: "\(error)")
        }
        metadata = raw.metadata
        tensors = [:]
        for (name, entry) in raw.entries {
            tensors[name] = try Self.validate(name: name, entry: entry, dataSize: dataSize, file: file)
        }
        try Self.checkNoOverlap(Array(tensors.values), file: file)
    }

    private static func validate(name: String, entry: RawEntry, dataSize: Int, file: String) throws -> TensorInfo {
        guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
            throw SafeTensorsError.unknownDType(file: file, tensor: name, dtype: entry.dtype)
        }
        guard let count = checkedElementCount(entry.shape, elementSize: dtype.byteSize) else {
            throw SafeTensorsError.invalidShape(file: file, tensor: name, shape: entry.shape)
        }
        guard entry.dataOffsets.count == 2 else {
            throw SafeTensorsError.invalidHeader(
                file: file, reason: "tensor '\(name)': data_offsets must be [begin, end], found \(entry.dataOffsets)")
        }
        let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw SafeTensorsError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        let expected = count * dtype.byteSize
        guard end - begin == expected else {
            throw SafeTensorsError.sizeMismatch(file: file, tensor: name, dtype: dtype, shape: entry.shape,
                                                expectedBytes: expected, foundBytes: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: entry.shape, elementCount: count, dataOffset: begin)
    }

    private static func checkNoOverlap(_ infos: [TensorInfo], file: String) throws {
        let sorted = infos.filter { $0.byteCount > 0 }
            .sorted { ($0.dataOffset, $0.name) < ($1.dataOffset, $1.name) }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.dataOffset < previous.dataOffset + previous.byteCount {
            throw SafeTensorsError.offsetsOverlap(file: file, tensor: next.name, other: previous.name)
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : " at '\(keys)'"
        }
        switch error {
        case let .dataCorrupted(context):
            return "not valid JSON\(path(context)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "missing field '\(key.stringValue)'\(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong value type\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A JSON object key known only at run time (the tensor names).
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The header as decoded, before validation.
private struct RawHeader: Decodable {
    var metadata: [String: String] = [:]
    var entries: [(String, RawEntry)] = []

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}

/// One tensor entry as decoded.
private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}
