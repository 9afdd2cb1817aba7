/// String normalizations: the rung-1 key (Hendrycks MATH `_strip_string` and PRM800K `_normalize`
/// rules), light cleanup before parsing, and the key used for text answers. All work on UTF-8
/// bytes (see Bytes.swift).
enum Normalizer {
    private static func b(_ s: String) -> Bytes { Bytes(s) }

    private static let textStripPatterns: [Bytes] = [
        "\\left", "\\right", "\\displaystyle", "\\!", "\\,", "\\;", "\\:", "\\ ", "$", "\\quad",
    ].map(b)
    private static let textCommands: [Bytes] = [
        "\\text", "\\textbf", "\\textit", "\\textrm", "\\mbox", "\\mathrm", "\\textnormal", "\\mathbf",
        "\\boxed", "\\fbox", "\\textsf",
    ].map(b)

    // MARK: Rung 1

    /// The normalized string of rung 1; two answers with equal keys are equal.
    ///
    /// Follows the Hendrycks/PRM800K normalizations: `\left`/`\right`, `\!`, `\,`, `dfrac`/`tfrac`,
    /// `\text{...}` unwrapping, `^\circ`, `\%`, `\$`, thousands separators, `\frac12`, `\sqrt3`,
    /// `.5` -> `0.5`, trailing `.0`, `a/b` -> `\frac{a}{b}`, a leading `x =` on a single answer.
    static func stringKey(_ input: String) -> String {
        var s = stripCommon(Bytes(input).trimmed())
        s = unwrapTextCommands(s)
        if s.last == UInt8(ascii: "."), !s.hasSuffix(b("..")) { s.removeLast() }
        s = s.replacing(b(" ."), with: b(" 0."))
        s = s.replacing(b("{."), with: b("{0."))
        if s.first == UInt8(ascii: ".") { s.insert(UInt8(ascii: "0"), at: 0) }
        // A leading `x =` / `k =` on a single answer.
        let equals = s.indices.filter { s[$0] == UInt8(ascii: "=") }
        if equals.count == 1 {
            let lhs = Bytes(s[..<equals[0]]).trimmed()
            if !lhs.isEmpty, lhs.count <= 2, lhs.allSatisfy(isASCIILetter) { s = Bytes(s[(equals[0] + 1)...]) }
        }
        s = s.filter { !Bytes.isSpace($0) && $0 != UInt8(ascii: "~") }
        s = braceSingleCharacterArguments(s, command: b("\\sqrt"), count: 1)
        s = braceSingleCharacterArguments(s, command: b("\\frac"), count: 2)
        s = removeThousandsSeparators(s)
        s = trimDecimalZeros(s)
        // `a/b` of two integers -> `\frac{a}{b}`.
        if let slash = s.firstIndex(of: UInt8(ascii: "/")), isInteger(s[..<slash]), isInteger(s[(slash + 1)...]) {
            s = b("\\frac{") + s[..<slash] + b("}{") + s[(slash + 1)...] + b("}")
        }
        return s.string
    }

    private static let strippedWords: [Bytes] = ["left", "right", "displaystyle", "circ"].map(b)

    /// One pass for the rung-1 removals: `\n`, `$`, `%`, `°`, `\!`, `\,`, `\;`, `\:`, `\$`, `\%`,
    /// `\left`, `\right`, `\displaystyle`, `^{\circ}`, `^\circ`, `\circ`; `\ ` becomes a space and
    /// `\dfrac`/`\tfrac` become `\frac`.
    static func stripCommon(_ s: Bytes) -> Bytes {
        var out = Bytes()
        out.reserveCapacity(s.count)
        let backslash = UInt8(ascii: "\\")
        var i = 0
        func at(_ k: Int, _ p: Bytes) -> Bool {
            guard k + p.count <= s.count else { return false }
            for j in 0..<p.count where s[k + j] != p[j] { return false }
            return true
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "\n"), UInt8(ascii: "$"), UInt8(ascii: "%"):
                i += 1
                continue
            case 0xC2 where i + 1 < s.count && s[i + 1] == 0xB0:  // °
                i += 2
                continue
            case UInt8(ascii: "^"):
                if at(i + 1, b("{\\circ}")) { i += 8; continue }
                if at(i + 1, b("\\circ")) { i += 6; continue }
            case backslash where i + 1 < s.count:
                let n = s[i + 1]
                if n == UInt8(ascii: "!") || n == UInt8(ascii: ",") || n == UInt8(ascii: ";") || n == UInt8(ascii: ":")
                    || n == UInt8(ascii: "$") || n == UInt8(ascii: "%") {
                    i += 2
                    continue
                }
                if n == UInt8(ascii: " ") { out.append(UInt8(ascii: " ")); i += 2; continue }
                if (n == UInt8(ascii: "d") || n == UInt8(ascii: "t")) && at(i + 2, b("frac")) {
                    out.append(contentsOf: b("\\frac"))
                    i += 6
                    continue
                }
                if let w = strippedWords.first(where: { at(i + 1, $0) }) { i += 1 + w.count; continue }
            default:
                break
            }
            out.append(c)
            i += 1
        }
        return out
    }

    // MARK: Parsing

    /// Cleanup before parsing: thousands separators (`1,000`, `1{,}000`, `1\,000`) become plain digits.
    static func prepareForParsing(_ input: String) -> String {
        var s = Bytes(input).trimmed()
        s = cutApproximation(s)
        s = dropTemperatureScale(s)
        // `0,5`, `0,111`: a decimal comma (a list would not start with a lone 0 glued to the next item;
        // `0, 5` with a space stays a list).
        if s.count >= 3, s[0] == UInt8(ascii: "0"), s[1] == UInt8(ascii: ","), s[2...].allSatisfy(isDigit) {
            s[1] = UInt8(ascii: ".")
        }
        s = s.replacing(b("{,}"), with: [])
        s = s.replacing(b("\\!"), with: [])
        if s.contains(b("\\,")) { s = joinThinSpaceGroups(s) }
        return removeThousandsSeparators(s).string
    }

    /// `25^\circ C`, `25 °F`: the letter of a temperature scale after a degree sign is a unit, not a factor.
    static func dropTemperatureScale(_ s: Bytes) -> Bytes {
        var out = s
        for marker in [b("^\\circ"), b("^{\\circ}"), b("°")] {
            var from = 0
            while let i = out.firstIndex(of: marker, from: from) {
                var j = i + marker.count
                while j < out.count, out[j] == UInt8(ascii: " ") { j += 1 }
                if j < out.count, out[j] == UInt8(ascii: "C") || out[j] == UInt8(ascii: "F"),
                   j + 1 == out.count || !isASCIILetter(out[j + 1]) {
                    out.remove(at: j)
                }
                from = i + marker.count
            }
        }
        return out
    }

    /// `x = \frac13 \approx 0.33` is `x = \frac13` (the exact value before the approximation); when
    /// nothing but a name precedes it (`x \approx 0.33`) the approximate value is the answer.
    static func cutApproximation(_ s: Bytes) -> Bytes {
        let markers: [Bytes] = [b("\\approx"), b("≈"), b("\\simeq")]
        guard let (i, m) = markers.lazy.compactMap({ m in s.firstIndex(of: m).map { ($0, m) } }).first else { return s }
        let before = Bytes(s[..<i]).trimmed()
        let letters = before.allSatisfy { isASCIILetter($0) || $0 == UInt8(ascii: "_") || isDigit($0) }
        if before.isEmpty || (letters && before.contains(where: isASCIILetter)) {
            return Bytes(s[(i + m.count)...]).trimmed()
        }
        return before
    }

    // MARK: Text answers

    /// Lowercased text without LaTeX wrappers, braces, spacing or a trailing period.
    static func textKey(_ input: String) -> String {
        var s = unwrapTextCommands(Bytes(input))
        for p in textStripPatterns { s = s.replacing(p, with: []) }
        s = s.asciiLowercased().filter { !Bytes.isSpace($0) && $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "}") && $0 != UInt8(ascii: "~") }
        while s.last == UInt8(ascii: ".") { s.removeLast() }
        return s.string
    }

    // MARK: Helpers

    static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func isInteger(_ s: ArraySlice<UInt8>) -> Bool {
        var t = s
        if t.first == UInt8(ascii: "-") { t = t.dropFirst() }
        return !t.isEmpty && t.count < 19 && t.allSatisfy(isDigit)
    }

    /// `\text{abc}` -> `abc` for every text-like command (balanced braces).
    static func unwrapTextCommands(_ input: Bytes) -> Bytes {
        guard input.contains(UInt8(ascii: "\\")) else { return input }
        var s = input
        for _ in 0..<64 {
            var changed = false
            for cmd in textCommands {
                var from = 0
                while let i = s.firstIndex(of: cmd, from: from) {
                    let open = i + cmd.count
                    guard open < s.count, s[open] == UInt8(ascii: "{") else { from = i + 1; continue }
                    var depth = 0, j = open
                    while j < s.count {
                        if s[j] == UInt8(ascii: "{") { depth += 1 }
                        if s[j] == UInt8(ascii: "}") { depth -= 1; if depth == 0 { break } }
                        j += 1
                    }
                    if j >= s.count { break }
                    s.remove(at: j)
                    s.removeSubrange(i...open)
                    changed = true
                    from = i
                }
            }
            if !changed { break }
        }
        return s
    }

    /// `\sqrt3` -> `\sqrt{3}`, `\frac12` -> `\frac{1}{2}`.
    static func braceSingleCharacterArguments(_ s: Bytes, command: Bytes, count: Int) -> Bytes {
        guard var at = s.firstIndex(of: command) else { return s }
        var out = Bytes()
        var start = 0
        while true {
            var k = at + command.count
            out.append(contentsOf: s[start..<k])
            for _ in 0..<count {
                guard k < s.count else { break }
                let c = s[k]
                guard c != UInt8(ascii: "{"), c != UInt8(ascii: "["), c != UInt8(ascii: "\\"), c < 0x80,
                      !isASCIILetter(c) || k + 1 >= s.count || !isASCIILetter(s[k + 1]) else { break }
                out.append(contentsOf: [UInt8(ascii: "{"), c, UInt8(ascii: "}")])
                k += 1
            }
            start = k
            guard let n = s.firstIndex(of: command, from: k) else { break }
            at = n
        }
        out.append(contentsOf: s[start...])
        return out
    }

    /// Removes commas when every comma in `s` separates digit groups (`1,234,567.5`).
    static func removeThousandsSeparators(_ chars: Bytes) -> Bytes {
        let comma = UInt8(ascii: ",")
        guard chars.contains(comma) else { return chars }
        var keep = [Bool](repeating: true, count: chars.count)
        for i in chars.indices where chars[i] == comma {
            var k = i - 1
            while k >= 0, isDigit(chars[k]) { k -= 1 }
            let before = i - 1 - k
            var m = i + 1
            while m < chars.count, isDigit(chars[m]) { m += 1 }
            let after = m - i - 1
            guard after == 3, before >= 1 else { return chars }
            if k >= 0, chars[k] == comma {
                guard before == 3 else { return chars }
            } else {
                // The leading group: 1-3 digits, not a decimal fraction, not a lone 0 (`0,5` is a decimal comma).
                guard before <= 3, k < 0 || chars[k] != UInt8(ascii: "."),
                      !(before == 1 && chars[i - 1] == UInt8(ascii: "0")) else { return chars }
            }
            // Not a decimal after the group either (`1,234.5` is fine, `1,234,5` is not: checked above).
            keep[i] = false
        }
        var out = Bytes()
        out.reserveCapacity(chars.count)
        for (c, k) in zip(chars, keep) where k { out.append(c) }
        return out
    }

    /// `1\,000` -> `1000` (thin space between digit groups).
    private static func joinThinSpaceGroups(_ input: Bytes) -> Bytes {
        var s = input
        var i = 1
        while i + 4 < s.count {
            if s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: ","), isDigit(s[i - 1]),
               isDigit(s[i + 2]), isDigit(s[i + 3]), isDigit(s[i + 4]), i + 5 == s.count || !isDigit(s[i + 5]) {
                s.removeSubrange(i...(i + 1))
            } else {
                i += 1
            }
        }
        return s
    }

    /// `5.0` -> `5`, `2.50` -> `2.5` when the whole string is a decimal number.
    private static func trimDecimalZeros(_ s: Bytes) -> Bytes {
        let dot = UInt8(ascii: ".")
        guard s.contains(dot) else { return s }
        var body = s[...]
        var sign = Bytes()
        if body.first == UInt8(ascii: "-") { sign = [UInt8(ascii: "-")]; body = body.dropFirst() }
        guard body.allSatisfy({ isDigit($0) || $0 == dot }), body.filter({ $0 == dot }).count == 1 else { return s }
        var t = Bytes(body)
        while t.last == UInt8(ascii: "0") { t.removeLast() }
        if t.last == dot { t.removeLast() }
        if t.first == dot { t.insert(UInt8(ascii: "0"), at: 0) }
        return sign + (t.isEmpty ? [UInt8(ascii: "0")] : t)
    }
}
