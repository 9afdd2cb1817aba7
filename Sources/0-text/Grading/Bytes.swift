/// Byte-level (UTF-8) string helpers.
///
/// Foundation's `String.contains`/`replacingOccurrences`/`range(of:)` go through NSString on Linux
/// and cost microseconds each; grading does dozens per answer, so the hot paths use these instead.
/// All patterns are ASCII, so searching UTF-8 bytes never splits a multi-byte character.
typealias Bytes = [UInt8]

extension Array where Element == UInt8 {
    init(_ s: String) { self = Array(s.utf8) }

    var string: String { String(decoding: self, as: UTF8.self) }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Index of the first occurrence of `needle` at or after `from`.
    func firstIndex(of needle: Bytes, from: Int = 0) -> Int? {
        let n = needle.count
        guard n > 0, count >= n, from <= count - n else { return nil }
        let first = needle[0]
        var i = Swift.max(0, from)
        while i <= count - n {
            if self[i] == first {
                var k = 1
                while k < n && self[i + k] == needle[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// Index of the last occurrence of `needle` starting before `before`.
    func lastIndex(of needle: Bytes, before: Int? = nil) -> Int? {
        let n = needle.count
        guard n > 0, count >= n else { return nil }
        var i = Swift.min((before ?? count) - 1, count - n)
        while i >= 0 {
            if self[i] == needle[0] {
                var k = 1
                while k < n && self[i + k] == needle[k] { k += 1 }
                if k == n { return i }
            }
            i -= 1
        }
        return nil
    }

    func contains(_ needle: Bytes) -> Bool { firstIndex(of: needle) != nil }

    func hasPrefix(_ p: Bytes) -> Bool { count >= p.count && self[0..<p.count].elementsEqual(p) }

    func hasSuffix(_ p: Bytes) -> Bool { count >= p.count && self[(count - p.count)...].elementsEqual(p) }

    /// Every occurrence of `needle` replaced by `replacement`.
    func replacing(_ needle: Bytes, with replacement: Bytes) -> Bytes {
        guard var next = firstIndex(of: needle) else { return self }
        var out = Bytes()
        out.reserveCapacity(count)
        var start = 0
        while true {
            out.append(contentsOf: self[start..<next])
            out.append(contentsOf: replacement)
            start = next + needle.count
            guard let n = firstIndex(of: needle, from: start) else { break }
            next = n
        }
        out.append(contentsOf: self[start...])
        return out
    }

    /// Without leading and trailing ASCII whitespace.
    func trimmed() -> Bytes {
        var a = 0, b = count
        while a < b && Bytes.isSpace(self[a]) { a += 1 }
        while b > a && Bytes.isSpace(self[b - 1]) { b -= 1 }
        return a == 0 && b == count ? self : Bytes(self[a..<b])
    }

    /// ASCII lowercase (other bytes unchanged).
    func asciiLowercased() -> Bytes {
        map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }
}

extension String {
    /// Trimmed of ASCII whitespace without Foundation.
    var trimmedASCII: String {
        let b = Bytes(self)
        let t = b.trimmed()
        return t.count == b.count ? self : t.string
    }
}
