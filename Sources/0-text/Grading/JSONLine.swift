/// A small JSON reader for one line of a JSONL file: the string fields of an object, with errors that
/// name the column (1-based, in bytes) and say what is wrong. Numbers are checked against the JSON
/// grammar but not converted, so `1e400` is accepted; strings keep every character as written (a raw
/// U+FEFF and `\ufeff` read the same); bytes that are not UTF-8 are an error, never replaced.
struct JSONLineReader {
    let bytes: [UInt8]
    var pos = 0
    /// Deepest nesting of arrays and objects accepted.
    static let maxDepth = 64

    struct Failure: Error {
        var column: Int
        var message: String
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A member value: a string or a boolean; other values are validated and kept as `other`.
    enum Member: Equatable {
        case string(String)
        case bool(Bool)
        case other
    }

    /// The string-valued members of the top-level object (other members are validated and read as nil);
    /// "expected a JSON object" is thrown with column 1 when the line holds another JSON value.
    mutating func objectStrings() throws -> [String: String?] {
        try objectMembers().mapValues { if case .string(let s) = $0 { return s }; return nil }
    }

    /// The members of the top-level object.
    mutating func objectMembers() throws -> [String: Member] {
        if let bad = JSONLineReader.firstInvalidUTF8(bytes) {
            throw Failure(column: bad + 1, message: String(format: "invalid UTF-8 byte 0x%02X", bytes[bad]))
        }
        skipSpace()
        // A UTF-8 byte-order mark before the object is allowed.
        if bytes.count >= pos + 3, bytes[pos] == 0xEF, bytes[pos + 1] == 0xBB, bytes[pos + 2] == 0xBF { pos += 3; skipSpace() }
        guard pos < bytes.count else { throw Failure(column: pos + 1, message: "empty line, expected a JSON object") }
        guard bytes[pos] == UInt8(ascii: "{") else {
            try skipValue(depth: 0)
            skipSpace()
            if pos < bytes.count { throw unexpected("after the value") }
            throw Failure(column: 1, message: "expected a JSON object")
        }
        var out: [String: Member] = [:]
        pos += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { pos += 1 } else {
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw unexpected("where a member name (a string) was expected") }
                let key = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw unexpected("where ':' was expected after the member name") }
                pos += 1
                skipSpace()
                switch peek {
                case UInt8(ascii: "\""): out[key] = .string(try string())
                case UInt8(ascii: "t"): try literal("true"); out[key] = .bool(true)
                case UInt8(ascii: "f"): try literal("false"); out[key] = .bool(false)
                default: try skipValue(depth: 1); out[key] = .other
                }
                skipSpace()
                if peek == UInt8(ascii: ",") { pos += 1; continue }
                if peek == UInt8(ascii: "}") { pos += 1; break }
                throw unexpected("where ',' or '}' was expected")
            }
        }
        skipSpace()
        if pos < bytes.count { throw unexpected("after the object") }
        return out
    }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private func unexpected(_ context: String) -> Failure {
        guard pos < bytes.count else { return Failure(column: pos + 1, message: "unexpected end of line \(context)") }
        let c = bytes[pos]
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : String(format: "byte 0x%02X", c)
        return Failure(column: pos + 1, message: "unexpected \(shown) \(context)")
    }

    private mutating func skipSpace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D { pos += 1 }
    }

    /// Index of the first byte that does not belong to valid UTF-8 (overlong forms and surrogates
    /// included), or nil.
    static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let n: Int, lo: UInt8, hi: UInt8
            switch c {
            case 0xC2...0xDF: n = 1; lo = 0x80; hi = 0xBF
            case 0xE0: n = 2; lo = 0xA0; hi = 0xBF
            case 0xE1...0xEC, 0xEE, 0xEF: n = 2; lo = 0x80; hi = 0xBF
            case 0xED: n = 2; lo = 0x80; hi = 0x9F
            case 0xF0: n = 3; lo = 0x90; hi = 0xBF
            case 0xF1...0xF3: n = 3; lo = 0x80; hi = 0xBF
            case 0xF4: n = 3; lo = 0x80; hi = 0x8F
            default: return i
            }
            guard i + n < b.count else { return i }
            if b[i + 1] < lo || b[i + 1] > hi { return i }
            if n >= 2 {
                for k in 2...n where b[i + k] < 0x80 || b[i + k] > 0xBF { return i }
            }
            i += n + 1
        }
        return nil
    }

    /// A JSON string at `pos` (the opening quote), unescaped.
    private mutating func string() throws -> String {
        let start = pos
        pos += 1
        var out = [UInt8]()
        while true {
            guard pos < bytes.count else { throw Failure(column: start + 1, message: "unterminated string") }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") { pos += 1; break }
            if c < 0x20 { throw Failure(column: pos + 1, message: String(format: "control character 0x%02X in a string (write it escaped)", c)) }
            if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
            guard pos + 1 < bytes.count else { throw Failure(column: pos + 1, message: "unterminated escape") }
            let e = bytes[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let at = pos - 2
                var v = try hex4(at: at)
                if (0xD800...0xDBFF).contains(v) {
                    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw Failure(column: at + 1, message: "unpaired surrogate in \\u escape")
                    }
                    pos += 2
                    let low = try hex4(at: pos - 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw Failure(column: at + 1, message: "unpaired surrogate in \\u escape") }
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(v) {
                    throw Failure(column: at + 1, message: "unpaired surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(v)!)).utf8))
            default:
                throw Failure(column: pos - 1, message: "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4(at escape: Int) throws -> UInt32 {
        guard pos + 4 <= bytes.count else { throw Failure(column: escape + 1, message: "\\u escape needs 4 hex digits") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[pos + k]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw Failure(column: escape + 1, message: "\\u escape needs 4 hex digits")
            }
            v = v * 16 + d
        }
        pos += 4
        return v
    }

    /// Validates and skips any JSON value.
    private mutating func skipValue(depth: Int) throws {
        guard let c = peek else { throw unexpected("where a value was expected") }
        switch c {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < JSONLineReader.maxDepth else {
                throw Failure(column: pos + 1, message: "arrays and objects nested deeper than \(JSONLineReader.maxDepth)")
            }
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            pos += 1
            skipSpace()
            if peek == close { pos += 1; return }
            while true {
                skipSpace()
                if c == UInt8(ascii: "{") {
                    guard peek == UInt8(ascii: "\"") else { throw unexpected("where a member name (a string) was expected") }
                    _ = try string()
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { throw unexpected("where ':' was expected after the member name") }
                    pos += 1
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { pos += 1; continue }
                if peek == close { pos += 1; return }
                throw unexpected(c == UInt8(ascii: "{") ? "where ',' or '}' was expected" : "where ',' or ']' was expected")
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw unexpected("where a value was expected")
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<(pos + w.count)]) == w else { throw unexpected("where a value was expected") }
        pos += w.count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws {
        let start = pos
        func digits() -> Int {
            let s = pos
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
            return pos - s
        }
        if peek == UInt8(ascii: "-") { pos += 1 }
        if peek == UInt8(ascii: "0") { pos += 1 } else if digits() == 0 {
            throw Failure(column: start + 1, message: "malformed number")
        }
        if peek == UInt8(ascii: ".") {
            pos += 1
            if digits() == 0 { throw Failure(column: start + 1, message: "malformed number (digits expected after '.')") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            pos += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { pos += 1 }
            if digits() == 0 { throw Failure(column: start + 1, message: "malformed number (digits expected in the exponent)") }
        }
    }
}
