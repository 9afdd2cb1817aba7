import Foundation
import Support

/// Splits a top-level JSON array (`[{...}, {...}]`, e.g. MetaMathQA-395K.json) into the bytes of
/// its elements one at a time, without reading the whole file.
struct JSONArrayElementScanner {
    private var reader: ChunkedFileReader
    private(set) var line = 1
    private var started = false
    private var finished = false

    init(reader: ChunkedFileReader) { self.reader = reader }

    /// The next element and the line it starts on; nil after the closing bracket.
    /// - Throws: ``FieldError`` (with the line) when the array is not well formed.
    mutating func next(into element: inout [UInt8]) throws -> (line: Int, ok: Bool)? {
        element.removeAll(keepingCapacity: true)
        if finished { return nil }
        // Skip whitespace, the opening bracket and commas between elements.
        while let b = try reader.nextByte() {
            if b == 0x0A { line += 1; continue }
            if b == 0x20 || b == 0x09 || b == 0x0D { continue }
            if !started, b == 0xEF || b == 0xBB || b == 0xBF { continue }  // UTF-8 BOM
            if !started {
                guard b == UInt8(ascii: "[") else { return (line, false) }
                started = true
                continue
            }
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { finished = true; return nil }
            return try scanElement(first: b, into: &element)
        }
        finished = true
        return started ? (line, false) : nil  // missing "]" (truncated file) or empty file
    }

    private mutating func scanElement(first: UInt8, into element: inout [UInt8]) throws -> (line: Int, ok: Bool) {
        let startLine = line
        var depth = 0, inString = false, escaped = false
        var b = first
        while true {
            element.append(b)
            if b == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth <= 0 { return (startLine, true) }
            } else if depth == 0, b == UInt8(ascii: ",") {
                element.removeLast()
                return (startLine, true)  // a scalar element; the decoder will reject it
            }
            guard let nb = try reader.nextByte() else { return (startLine, false) }
            b = nb
        }
    }
}
