import Foundation
import Support

/// A JSON value of one JSON Lines record.
///
/// The reader is deliberately tolerant in one way: the tokens `NaN`, `Infinity` and `-Infinity`
/// (which Python's `json.dumps` writes) parse as numbers, so that validation can reject them with a
/// message naming the field instead of a bare "invalid JSON".
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An array whose elements are all numbers (read without a JSONValue per element).
    case numbers([Double])
    case object([String: JSONValue])

    /// The number, if the value is one.
    var number: Double? {
        if case .number(let x) = self { return x }
        return nil
    }

    /// A short name of the value's type for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array, .numbers: return "an array"
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

    /// Parses `bytes` as exactly one JSON value (surrounding whitespace allowed). When `keys` is
    /// given and the value is an object, only those members are kept; the others are checked for
    /// syntax and skipped without building values.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, keys: Set<String>? = nil) throws -> JSONValue {
        var p = JSONLineParser(bytes: bytes)
        p.keep = keys
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i != bytes.count { throw JSONSyntaxError(message: "unexpected text after the JSON value", offset: p.i) }
        return v
    }

    /// Members kept at the top level (nil: all).
    private var keep: Set<String>? = nil

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
            if depth == 1, let keep, !keep.contains(key) { try skipValue() } else { out[key] = try value() }
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
        // Fast path: an array of numbers (step scores) becomes [Double] directly.
        var numbers: [Double] = []
        while i < bytes.count, bytes[i] == UInt8(ascii: "-") || (bytes[i] >= 0x30 && bytes[i] <= 0x39)
                || bytes[i] == UInt8(ascii: "N") || bytes[i] == UInt8(ascii: "I") {
            numbers.append(try value().number!)
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of line inside an array") }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .numbers(numbers) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            i += 1
            skipSpace()
        }
        out = numbers.map { .number($0) }
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

    /// Checks and skips one value without building it.
    private mutating func skipValue() throws {
        guard i < bytes.count else { throw fail("unexpected end of line") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return }
                if c < 0x20 { throw fail("control character inside a string") }
                i += c == UInt8(ascii: "\\") ? 2 : 1
            }
            throw fail("unterminated string")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            _ = try value() // nested containers are rare in skipped fields
        default:
            _ = try value()
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
        // Correctly rounded conversion of the token (C strtod on a NUL-terminated copy).
        let length = i - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }
}

/// Parses the lines of a JSON Lines file in parallel chunks (split at newlines) and returns the
/// records in file order. `parse` turns one line into a record, or nil to drop it (reporting to
/// the log). In strict mode the error of the earliest line is thrown; with `skipInvalid` the logs
/// of the chunks are merged in file order.
func parseLines<T>(_ data: [UInt8], skipInvalid: Bool, threads: Int,
                   _ parse: (Int, UnsafeBufferPointer<UInt8>, inout IssueLog) throws -> T?) throws -> (records: [T], log: IssueLog) {
    try data.withUnsafeBufferPointer { all in
        // Support's one JSON Lines splitter: byte order mark skipped, physical line numbers.
        let n = all.count - JSONLines.bodyStart(all)
        let pieces = try JSONLines.chunks(of: all, pieces: Swift.min(n / (1 << 20), threads * 8), threads: threads)
        let parts = try parallelMap(pieces.count, threads: threads) { c -> ([T], IssueLog) in
            var log = IssueLog(skipInvalid: skipInvalid)
            var records: [T] = []
            let piece = pieces[c]
            records.reserveCapacity((c + 1 < pieces.count ? pieces[c + 1].firstLine : piece.firstLine + 1) - piece.firstLine + 1)
            try JSONLines.forEachLine(in: UnsafeBufferPointer(rebasing: all[piece.range]), firstLine: piece.firstLine) { line, bytes in
                if let r = try parse(line, bytes, &log) { records.append(r) }
            }
            return (records, log)
        }
        var records: [T] = []
        records.reserveCapacity(parts.reduce(0) { $0 + $1.0.count })
        var log = IssueLog(skipInvalid: skipInvalid)
        for (r, l) in parts {
            records += r
            log.merge(l)
        }
        return (records, log)
    }
}
