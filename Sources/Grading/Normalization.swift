import Foundation

/// String normalizations: the rung-1 key (Hendrycks MATH `_strip_string` and PRM800K `_normalize`
/// rules), light cleanup before parsing, and the key used for text answers.
enum Normalizer {
    // MARK: Rung 1

    /// The normalized string of rung 1; two answers with equal keys are equal.
    ///
    /// Follows the Hendrycks/PRM800K normalizations: `\left`/`\right`, `\!`, `\,`, `dfrac`/`tfrac`,
    /// `\text{...}` unwrapping, `^\circ`, `\%`, `\$`, thousands separators, `\frac12`, `\sqrt3`,
    /// `.5` -> `0.5`, trailing `.0`, `a/b` -> `\frac{a}{b}`, a leading `x =` on a single answer.
    static func stringKey(_ input: String) -> String {
        var s = input.trimmingCharacters(in: .whitespacesAndNewlines)
        s = removeAll(s, ["\n", "\\!", "\\,", "\\;", "\\:", "\\left", "\\right", "\\displaystyle",
                          "^{\\circ}", "^\\circ", "\\circ", "°", "\\$", "$", "\\%", "%"])
        s = replace(s, "\\ ", " ")
        s = replace(s, "tfrac", "frac")
        s = replace(s, "dfrac", "frac")
        s = unwrapTextCommands(s)
        if s.hasSuffix(".") && !s.hasSuffix("..") { s.removeLast() }
        s = replace(s, " .", " 0.")
        s = replace(s, "{.", "{0.")
        if s.hasPrefix(".") { s = "0" + s }
        // A leading `x =` / `k =` on a single answer.
        let parts = s.split(separator: "=", omittingEmptySubsequences: false)
        if parts.count == 2 {
            let lhs = parts[0].trimmingCharacters(in: .whitespaces)
            if !lhs.isEmpty, lhs.count <= 2, lhs.allSatisfy({ $0.isLetter }) {
                s = String(parts[1])
            }
        }
        s = s.filter { $0 != " " && $0 != "\t" && $0 != "~" }
        s = braceSingleCharacterArguments(s, command: "\\sqrt", count: 1)
        s = braceSingleCharacterArguments(s, command: "\\frac", count: 2)
        s = removeThousandsSeparators(s)
        s = trimDecimalZeros(s)
        // `a/b` of two integers -> `\frac{a}{b}`.
        let slash = s.split(separator: "/", omittingEmptySubsequences: false)
        if slash.count == 2, let a = Int(slash[0]), let b = Int(slash[1]) {
            s = "\\frac{\(a)}{\(b)}"
        }
        return s
    }

    // MARK: Parsing

    /// Cleanup before parsing: thousands separators (`1,000`, `1{,}000`, `1\,000`) become plain digits.
    static func prepareForParsing(_ input: String) -> String {
        var s = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.contains("{,}") { s = replace(s, "{,}", "") }
        if s.contains("\\!") { s = replace(s, "\\!", "") }
        if s.contains("\\,") { s = joinThinSpaceGroups(s) }
        return removeThousandsSeparators(s)
    }

    // MARK: Text answers

    /// Lowercased text without LaTeX wrappers, braces, spacing or a trailing period.
    static func textKey(_ input: String) -> String {
        var s = unwrapTextCommands(input)
        s = removeAll(s, ["\\left", "\\right", "\\displaystyle", "\\!", "\\,", "\\;", "\\:", "\\ ", "$", "\\quad"])
        s = s.lowercased().filter { !$0.isWhitespace && $0 != "{" && $0 != "}" && $0 != "~" }
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }

    // MARK: Helpers

    static func replace(_ s: String, _ a: String, _ b: String) -> String {
        s.contains(a) ? s.replacingOccurrences(of: a, with: b) : s
    }

    static func removeAll(_ s: String, _ patterns: [String]) -> String {
        var out = s
        for p in patterns where out.contains(p) { out = out.replacingOccurrences(of: p, with: "") }
        return out
    }

    private static let textCommands = ["\\text", "\\textbf", "\\textit", "\\textrm", "\\mbox", "\\mathrm",
                                       "\\textnormal", "\\mathbf", "\\boxed", "\\fbox", "\\textsf"]

    /// `\text{abc}` -> `abc` for every text-like command (balanced braces).
    static func unwrapTextCommands(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var chars = Array(s)
        var changed = true
        var rounds = 0
        while changed && rounds < 64 {
            changed = false
            rounds += 1
            for cmd in textCommands {
                let c = Array(cmd)
                var i = 0
                while i + c.count < chars.count {
                    if chars[i] == "\\", Array(chars[i..<(i + c.count)]) == c, chars[i + c.count] == "{" {
                        // Find the matching brace.
                        var depth = 0, j = i + c.count
                        while j < chars.count {
                            if chars[j] == "{" { depth += 1 }
                            if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                            j += 1
                        }
                        if j >= chars.count { break }
                        chars.remove(at: j)
                        chars.removeSubrange(i..<(i + c.count + 1))
                        changed = true
                    } else {
                        i += 1
                    }
                }
            }
        }
        return String(chars)
    }

    /// `\sqrt3` -> `\sqrt{3}`, `\frac12` -> `\frac{1}{2}`.
    static func braceSingleCharacterArguments(_ s: String, command: String, count: Int) -> String {
        guard s.contains(command) else { return s }
        var out = ""
        var rest = Substring(s)
        while let r = rest.range(of: command) {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            // Only when the next char is not a letter (so `\sqrtx` is not a different command).
            for _ in 0..<count {
                guard let c = rest.first, c != "{", c != "[", c != "\\", c != " " else { break }
                out += "{\(c)}"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }

    /// Removes commas when every comma in `s` separates digit groups (`1,234,567.5`).
    static func removeThousandsSeparators(_ s: String) -> String {
        guard s.contains(",") else { return s }
        let chars = Array(s)
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        var keep = [Bool](repeating: true, count: chars.count)
        for i in chars.indices where chars[i] == "," {
            var k = i - 1
            while k >= 0, isDigit(chars[k]) { k -= 1 }
            let before = i - 1 - k
            var m = i + 1
            while m < chars.count, isDigit(chars[m]) { m += 1 }
            let after = m - i - 1
            guard after == 3, before >= 1 else { return s }
            if k >= 0, chars[k] == "," {
                guard before == 3 else { return s }
            } else {
                // The leading group: 1-3 digits, not a decimal fraction, not a lone 0 (`0,5` is a decimal comma).
                guard before <= 3, k < 0 || chars[k] != ".", !(before == 1 && chars[i - 1] == "0") else { return s }
            }
            keep[i] = false
        }
        return String(zip(chars, keep).compactMap { $1 ? $0 : nil })
    }

    /// `1\,000` -> `1000` (thin space between digit groups).
    private static func joinThinSpaceGroups(_ s: String) -> String {
        var chars = Array(s)
        var i = 1
        while i + 2 < chars.count {
            if chars[i] == "\\", chars[i + 1] == ",", chars[i - 1].isNumber,
               i + 5 <= chars.count, chars[(i + 2)..<(i + 5)].allSatisfy({ $0.isASCII && $0.isNumber }),
               i + 5 == chars.count || !chars[i + 5].isNumber {
                chars.removeSubrange(i...(i + 1))
            } else {
                i += 1
            }
        }
        return String(chars)
    }

    /// `5.0` -> `5`, `2.50` -> `2.5` when the whole string is a decimal number.
    private static func trimDecimalZeros(_ s: String) -> String {
        guard s.contains("."), !s.isEmpty else { return s }
        var body = Substring(s)
        var sign = ""
        if body.first == "-" { sign = "-"; body = body.dropFirst() }
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), body.filter({ $0 == "." }).count == 1 else { return s }
        var t = String(body)
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        if t.hasPrefix(".") { t = "0" + t }
        return sign + (t.isEmpty ? "0" : t)
    }
}
