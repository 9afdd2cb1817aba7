import Foundation

/// One tensor of a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// GGUF name (`blk.0.attn_q.weight`).
    public let name: String
    /// Dimensions as stored: innermost (contiguous) first, the reverse of PyTorch's order.
    public let dims: [Int]
    /// Storage type.
    public let type: GGMLType
    /// Offset of the data from the start of the data section.
    public let offset: Int
    /// Number of data bytes.
    public let byteCount: Int

    /// Shape in PyTorch order (outermost first): `[rows, columns]` for a matrix.
    public var shape: [Int] { dims.reversed() }
    public var elementCount: Int { dims.reduce(1, *) }
    /// Length of one row (the innermost dimension).
    public var rowLength: Int { dims.first ?? 1 }
    /// Number of rows (the product of the other dimensions).
    public var rowCount: Int { dims.dropFirst().reduce(1, *) }
}

/// A GGUF v2/v3 file (ggml `docs/gguf.md`), memory-mapped: header, metadata, tensor infos, and
/// tensor data read (dequantized to Float) on request. Every length and offset read from the file
/// is checked against its size, so a bad file throws ``GGUFError`` and never crashes.
public final class GGUFFile: Sendable {
    /// Path (or name) for messages.
    public let path: String
    public let version: UInt32
    /// Metadata by key, and the keys in file order.
    public let metadata: [String: GGUFValue]
    public let keys: [String]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment` (default 32).
    public let alignment: Int
    /// Offset of the data section in the file.
    public let dataOffset: Int
    private let indexOfTensor: [String: Int]
    let file: MappedFile

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        try self.init(file: try MappedFile(mapping: path), path: path)
    }

    /// Parses bytes in memory; `name` is used in messages.
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(file: MappedFile(copying: bytes), path: name)
    }

    private init(file: MappedFile, path: String) throws {
        self.file = file
        self.path = path
        var reader = Reader(bytes: file.bytes, file: path)
        let magic = try reader.bytes(4, "magic")
        guard magic == Array("GGUF".utf8) else { throw GGUFError.badMagic(file: path, found: magic) }
        version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(file: path, version: version) }
        let tensorCount = try reader.count(minimumSize: 24, "tensor_count")
        let kvCount = try reader.count(minimumSize: 12, "kv_count")
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for i in 0..<kvCount {
            let key = try reader.string("key of metadata entry \(i)")
            let type = try reader.read(UInt32.self, "type of \(key)")
            let value = try reader.value(type: type, field: key, depth: 0)
            if metadata[key] == nil { keys.append(key) }
            metadata[key] = value
        }
        var alignment = 32
        if let value = metadata["general.alignment"] {
            guard let a = value.int, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
                throw GGUFError.invalid(file: path, field: "general.alignment", reason: "\(value) is not a power of two")
            }
            alignment = a
        }
        var infos: [(name: String, dims: [Int], type: GGMLType, offset: Int)] = []
        infos.reserveCapacity(tensorCount)
        for i in 0..<tensorCount {
            let name = try reader.string("name of tensor \(i)")
            let nDims = try reader.read(UInt32.self, "n_dims of \(name)")
            guard (1...4).contains(nDims) else {
                throw GGUFError.invalid(file: path, field: "tensor \(name)", reason: "\(nDims) dimensions (1 to 4 allowed)")
            }
            var dims: [Int] = []
            var elements = 1
            for d in 0..<Int(nDims) {
                let raw = try reader.read(UInt64.self, "dimension \(d) of \(name)")
                guard raw > 0, raw < 1 << 40, case (let product, false) = elements.multipliedReportingOverflow(by: Int(raw)),
                      product < 1 << 42 else {
                    throw GGUFError.invalid(file: path, field: "tensor \(name)", reason: "dimension \(d) is \(raw)")
                }
                dims.append(Int(raw))
                elements = product
            }
            let rawType = try reader.read(UInt32.self, "type of \(name)")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.unsupportedTensorType(file: path, tensor: name, type: rawType)
            }
            guard dims[0] % type.blockSize == 0 else {
                throw GGUFError.invalid(file: path, field: "tensor \(name)",
                                        reason: "row length \(dims[0]) is not a multiple of the \(type) block size \(type.blockSize)")
            }
            let offset = try reader.read(UInt64.self, "offset of \(name)")
            guard offset < 1 << 50, Int(offset) % alignment == 0 else {
                throw GGUFError.invalid(file: path, field: "tensor \(name)", reason: "offset \(offset) is not a multiple of the alignment \(alignment)")
            }
            infos.append((name, dims, type, Int(offset)))
        }
        let dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for info in infos {
            let count = info.dims.reduce(1, *) / info.type.blockSize * info.type.bytesPerBlock
            guard dataOffset + info.offset + count <= file.bytes.count else {
                throw GGUFError.truncated(file: path, what: "data of tensor \(info.name)", offset: dataOffset + info.offset, needed: count)
            }
            guard index[info.name] == nil else {
                throw GGUFError.invalid(file: path, field: "tensor \(info.name)", reason: "appears twice")
            }
            index[info.name] = tensors.count
            tensors.append(GGUFTensorInfo(name: info.name, dims: info.dims, type: info.type, offset: info.offset, byteCount: count))
        }
        self.metadata = metadata
        self.keys = keys
        self.alignment = alignment
        self.dataOffset = dataOffset
        self.tensors = tensors
        self.indexOfTensor = index
    }

    /// The tensor named `name` (GGUF name).
    public func tensor(_ name: String) throws -> GGUFTensorInfo {
        guard let i = indexOfTensor[name] else { throw GGUFError.missingTensor(file: path, tensor: name) }
        return tensors[i]
    }

    /// Whether the file has a tensor named `name`.
    public func hasTensor(_ name: String) -> Bool { indexOfTensor[name] != nil }

    /// The stored bytes of a tensor; valid while this file lives.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataOffset + tensor.offset)..<(dataOffset + tensor.offset + tensor.byteCount)])
    }

    /// All values of a tensor as Float, row-major in PyTorch order (`shape`).
    public func floats(_ tensor: GGUFTensorInfo) throws -> [Float] {
        try floats(tensor, rows: 0..<tensor.rowCount)
    }

    /// The values of rows `rows` of a tensor (a row is `rowLength` contiguous values).
    public func floats(_ tensor: GGUFTensorInfo, rows: Range<Int>) throws -> [Float] {
        guard tensor.type.canDequantize else {
            throw GGUFError.unsupportedTensorType(file: path, tensor: tensor.name, type: tensor.type.rawValue)
        }
        guard rows.lowerBound >= 0, rows.upperBound <= tensor.rowCount else {
            throw GGUFError.invalid(file: path, field: "tensor \(tensor.name)", reason: "rows \(rows) outside 0..<\(tensor.rowCount)")
        }
        let rowBytes = tensor.rowLength / tensor.type.blockSize * tensor.type.bytesPerBlock
        let source = data(of: tensor)
        let slice = UnsafeRawBufferPointer(rebasing: source[(rows.lowerBound * rowBytes)..<(rows.upperBound * rowBytes)])
        var out = [Float](repeating: 0, count: rows.count * tensor.rowLength)
        out.withUnsafeMutableBufferPointer { GGUFDequantize.dequantize(tensor.type, from: slice, into: $0) }
        return out
    }

    /// Dequantizes a whole tensor into `out` (`elementCount` values, PyTorch row-major order), e.g.
    /// a view of a model's flat parameter buffer.
    public func dequantize(_ tensor: GGUFTensorInfo, into out: UnsafeMutableBufferPointer<Float>) throws {
        guard tensor.type.canDequantize else {
            throw GGUFError.unsupportedTensorType(file: path, tensor: tensor.name, type: tensor.type.rawValue)
        }
        guard out.count == tensor.elementCount else {
            throw GGUFError.shapeMismatch(file: path, tensor: tensor.name, expected: [out.count], found: [tensor.elementCount])
        }
        GGUFDequantize.dequantize(tensor.type, from: data(of: tensor), into: out)
    }

    /// The value of `key`, or nil.
    public subscript(key: String) -> GGUFValue? { metadata[key] }
}

/// Bounds-checked little-endian reads.
struct Reader {
    let bytes: UnsafeRawBufferPointer
    let file: String
    var offset = 0

    mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= bytes.count - offset else {
            throw GGUFError.truncated(file: file, what: what, offset: offset, needed: n)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    mutating func bytes(_ n: Int, _ what: String) throws -> [UInt8] {
        try need(n, what)
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    /// A u64 count, each item at least `minimumSize` bytes, so the rest of the file can hold it.
    mutating func count(minimumSize: Int, _ what: String) throws -> Int {
        let raw = try read(UInt64.self, what)
        let left = UInt64(bytes.count - offset)
        guard raw <= left / UInt64(minimumSize) else {
            throw GGUFError.invalid(file: file, field: what, reason: "\(raw) items cannot fit in the \(left) bytes left")
        }
        return Int(raw)
    }

    mutating func string(_ what: String) throws -> String {
        let length = try read(UInt64.self, "length of \(what)")
        guard length <= UInt64(bytes.count - offset) else {
            throw GGUFError.truncated(file: file, what: what, offset: offset, needed: Int(clamping: length))
        }
        let n = Int(length)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), as: UTF8.self)
    }

    mutating func value(type: UInt32, field: String, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try read(UInt8.self, field))
        case 1: return .int8(try read(Int8.self, field))
        case 2: return .uint16(try read(UInt16.self, field))
        case 3: return .int16(try read(Int16.self, field))
        case 4: return .uint32(try read(UInt32.self, field))
        case 5: return .int32(try read(Int32.self, field))
        case 6: return .float32(Float(bitPattern: try read(UInt32.self, field)))
        case 7:
            let byte = try read(UInt8.self, field)
            guard byte <= 1 else { throw GGUFError.invalid(file: file, field: field, reason: "bool byte \(byte)") }
            return .bool(byte == 1)
        case 8: return .string(try string(field))
        case 9:
            guard depth < 8 else { throw GGUFError.invalid(file: file, field: field, reason: "arrays nested deeper than 8") }
            let elementType = try read(UInt32.self, "element type of \(field)")
            let size: Int
            switch elementType {
            case 0, 1, 7: size = 1
            case 2, 3: size = 2
            case 4, 5, 6: size = 4
            case 8, 9, 10, 11, 12: size = 8
            default: throw GGUFError.invalid(file: file, field: field, reason: "unknown array element type \(elementType)")
            }
            let n = try count(minimumSize: size, "length of \(field)")
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for i in 0..<n { items.append(try value(type: elementType, field: "\(field)[\(i)]", depth: depth + 1)) }
            return .array(items)
        case 10: return .uint64(try read(UInt64.self, field))
        case 11: return .int64(try read(Int64.self, field))
        case 12: return .float64(Double(bitPattern: try read(UInt64.self, field)))
        default: throw GGUFError.invalid(file: file, field: field, reason: "unknown value type \(type)")
        }
    }
}
