import Foundation

/// A JSON value of one JSON Lines record.
///
/// The reader is deliberately tolerant in one way: the tokens `NaN`, `Infinity` and `-Infinity`
/// (which Python's `json.dumps` writes) parse as numbers, so that validation can reject them with a
/// message naming the field instead of a bare "invalid JSON".
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A parse error with the byte offset where it happened.
struct JSONSyntaxError: Error {
    var message: String
    var offset: Int
}

/// Parses one JSON text held in UTF-8 bytes (recursive descent, nesting limited to 64 levels).
struct JSONLineParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    /// Parses `bytes` as exactly one JSON value (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var p = JSONLineParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i != bytes.count { throw JSONSyntaxError(message: "unexpected text after the JSON value", offset: p.i) }
        return v
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: i) }

    private mutating func value() throws -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of line") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N"): try literal("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try literal("Infinity"); return .number(.infinity)
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end of line") }
        let w = word.utf8Start
        for k in 0..<n where bytes[i + k] != w[k] { throw fail("unexpected character") }
        i += n
    }

    private mutating func object() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw fail("nesting deeper than 64 levels") }
        i += 1
        var out: [String: JSONValue] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            i += 1
            skipSpace()
            out[key] = try value()
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of line inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw fail("nesting deeper than 64 levels") }
        i += 1
        var out: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
        while true {
            skipSpace()
            out.append(try value())
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of line inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character inside a string") }
            i += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character inside a string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(0xFFFD)!)).utf8))
                        scalar = low
                    }
                }
                let u = Unicode.Scalar(scalar) ?? Unicode.Scalar(0xFFFD)!
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("invalid escape in a string")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// A JSON number (or `-Infinity`). Exact fast path for up to 15 significant digits and a
    /// decimal exponent within 22 (Clinger); otherwise the standard library's correctly rounded parser.
    private mutating func number() throws -> Double {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "I") { try literal("Infinity"); return -.infinity }
        }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0
        var sawDigit = false
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            sawDigit = true
            if mantissa != 0 || bytes[i] != 0x30 { digits += 1 }
            if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] - 0x30) } else { exponent += 1 }
            i += 1
        }
        guard sawDigit else { throw fail("expected a value") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var fractionDigit = false
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                fractionDigit = true
                if mantissa != 0 || bytes[i] != 0x30 { digits += 1 }
                if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] - 0x30); exponent -= 1 }
                i += 1
            }
            guard fractionDigit else { throw fail("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0, sawExp = false
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                sawExp = true
                if e < 100_000 { e = e * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            guard sawExp else { throw fail("expected digits in the exponent") }
            exponent += expNegative ? -e : e
        }
        if digits <= 15 && exponent >= -22 && exponent <= 22 {
            var v = Double(mantissa)
            if exponent < 0 { v /= Self.powersOfTen[-exponent] } else { v *= Self.powersOfTen[exponent] }
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let v = Double(text) else { throw fail("invalid number") }
        return v
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }
}

/// Splits a JSON Lines file into lines (1-based numbers), skipping a UTF-8 byte order mark and
/// stripping a trailing carriage return.
func forEachLine(of bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
    var start = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    var line = 1
    while start < bytes.count {
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        var stop = end
        if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
        try body(line, UnsafeBufferPointer(rebasing: bytes[start..<stop]))
        line += 1
        start = end + 1
    }
}
