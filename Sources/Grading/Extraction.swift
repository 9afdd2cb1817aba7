/// Final-answer extraction from a solution text or an answer field.
///
/// Rules, first that fires wins: the text after the last `# Answer` header (the project's solution
/// format, PAPER.md "Text format", cut at an end-of-sequence marker), the last `\boxed{...}` /
/// `\fbox{...}` (balanced, nested braces), the last math span (`$...$`, `$$...$$`, `\(...\)`,
/// `\[...\]`), an "answer is ..." phrase, the whole field when it is short (a bare answer).

/// Which extraction rule produced an answer.
public enum ExtractionRule: String, Sendable, Codable {
    case answerHeader, boxed, mathSpan, answerPhrase, wholeField
}

/// An extracted final answer and the rule that found it.
public struct ExtractedAnswer: Sendable, Equatable {
    /// The answer text (trimmed, wrappers such as `$...$` and `\boxed{}` removed; still LaTeX).
    public var text: String
    /// The rule that fired.
    public var rule: ExtractionRule

    public init(text: String, rule: ExtractionRule) {
        self.text = text
        self.rule = rule
    }
}

/// Longest field (in characters) taken whole as a bare answer.
let maxBareAnswerLength = 120

/// Extracts the final answer from `text`; nil when nothing is extractable (empty, or a long text
/// without any answer marker).
public func extractAnswer(from text: String) -> ExtractedAnswer? {
    let trimmed = text.trimmedASCII
    if trimmed.isEmpty { return nil }
    let bytes = Bytes(trimmed)
    // Most answer fields carry no marker at all: skip the rules that cannot fire.
    let mayHaveMarker = bytes.contains(UInt8(ascii: "$")) || bytes.contains(UInt8(ascii: "#"))
        || bytes.contains(Bytes("\\boxed")) || bytes.contains(Bytes("\\fbox")) || bytes.contains(Bytes("\\("))
        || bytes.contains(Bytes("\\[")) || bytes.contains(Bytes("nswer"))
    if !mayHaveMarker {
        if trimmed.count > maxBareAnswerLength { return nil }
        let a = AnswerExtractor.clean(trimmed)
        return a.isEmpty ? nil : ExtractedAnswer(text: a, rule: .wholeField)
    }
    if let a = AnswerExtractor.afterAnswerHeader(trimmed) { return ExtractedAnswer(text: a, rule: .answerHeader) }
    if let a = AnswerExtractor.lastBoxed(trimmed) { return ExtractedAnswer(text: a, rule: .boxed) }
    if let a = AnswerExtractor.lastMathSpan(trimmed) { return ExtractedAnswer(text: a, rule: .mathSpan) }
    if let a = AnswerExtractor.answerPhrase(trimmed) { return ExtractedAnswer(text: a, rule: .answerPhrase) }
    if trimmed.count <= maxBareAnswerLength {
        let a = AnswerExtractor.clean(trimmed)
        return a.isEmpty ? nil : ExtractedAnswer(text: a, rule: .wholeField)
    }
    return nil
}

/// The individual extraction rules.
enum AnswerExtractor {
    static let endMarkers = ["<eos>", "</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end|>"]

    /// Text after the last `# Answer` line, cut at an end-of-sequence marker.
    static func afterAnswerHeader(_ s: String) -> String? {
        let bytes = Bytes(s)
        let header = Bytes("# Answer")
        var before = bytes.count
        while let i = bytes.lastIndex(of: header, before: before) {
            if i == 0 || bytes[i - 1] == UInt8(ascii: "\n") {
                var rest = Bytes(bytes[(i + header.count)...])
                for m in endMarkers {
                    if let e = rest.firstIndex(of: Bytes(m)) { rest = Bytes(rest[..<e]) }
                }
                let cleaned = clean(rest.string)
                return cleaned.isEmpty ? nil : cleaned
            }
            before = i
        }
        return nil
    }

    /// Content of the last `\boxed{...}` or `\fbox{...}` (also `\boxed 5`).
    static func lastBoxed(_ s: String) -> String? {
        let chars = Array(s.unicodeScalars)
        var best: String? = nil
        var bestStart = -1
        for command in ["\\boxed", "\\fbox"] {
            let c = Array(command.unicodeScalars)
            var i = chars.count - c.count
            while i >= 0 {
                if chars[i] == "\\" && matches(chars, c, at: i) {
                    let next = i + c.count < chars.count ? chars[i + c.count] : " "
                    if !isLetter(next), let content = argument(chars, from: i + c.count) {
                        if i > bestStart { best = content; bestStart = i }
                        break
                    }
                }
                i -= 1
            }
        }
        guard let b = best else { return nil }
        let cleaned = clean(b)
        return cleaned.isEmpty ? nil : cleaned
    }

    /// Whether `pattern` occurs in `chars` at `i` (no allocation).
    static func matches(_ chars: [Unicode.Scalar], _ pattern: [Unicode.Scalar], at i: Int) -> Bool {
        guard i >= 0, i + pattern.count <= chars.count else { return false }
        for k in 0..<pattern.count where chars[i + k] != pattern[k] { return false }
        return true
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    /// The braced argument starting at `from` (after spaces), or a bare token up to whitespace or `$`.
    private static func argument(_ chars: [Unicode.Scalar], from: Int) -> String? {
        var i = from
        while i < chars.count, chars[i] == " " { i += 1 }
        guard i < chars.count else { return nil }
        if chars[i] == "{" {
            var depth = 0, j = i
            while j < chars.count {
                if chars[j] == "\\" { j += 2; continue }
                if chars[j] == "{" { depth += 1 }
                if chars[j] == "}" {
                    depth -= 1
                    if depth == 0 { return String(String.UnicodeScalarView(chars[(i + 1)..<j])) }
                }
                j += 1
            }
            return nil
        }
        var j = i
        while j < chars.count, chars[j] != " ", chars[j] != "$", chars[j] != "\n" { j += 1 }
        return j > i ? String(String.UnicodeScalarView(chars[i..<j])) : nil
    }

    /// Content of the math span that ends last: `$...$`, `$$...$$`, `\(...\)`, `\[...\]`.
    static func lastMathSpan(_ s: String) -> String? {
        let chars = Array(s.unicodeScalars)
        var last: (Int, Int)? = nil
        var i = 0
        func find(_ pattern: [Unicode.Scalar], from: Int) -> Int? {
            var k = from
            while k + pattern.count <= chars.count {
                if chars[k] == "\\" && pattern[0] != "\\" { k += 2; continue }
                if matches(chars, pattern, at: k) { return k }
                k += 1
            }
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let n = chars[i + 1]
                if n == "(" || n == "[" {
                    let closer: [Unicode.Scalar] = n == "(" ? ["\\", ")"] : ["\\", "]"]
                    if let e = find(closer, from: i + 2) { last = (i + 2, e); i = e + 2; continue }
                }
                i += 2
                continue
            }
            if c == "$" {
                let double = i + 1 < chars.count && chars[i + 1] == "$"
                let start = i + (double ? 2 : 1)
                if let e = find(double ? ["$", "$"] : ["$"], from: start) {
                    last = (start, e)
                    i = e + (double ? 2 : 1)
                    continue
                }
                break
            }
            i += 1
        }
        guard let (a, b) = last, a <= b else { return nil }
        let cleaned = clean(String(String.UnicodeScalarView(chars[a..<b])))
        return cleaned.isEmpty ? nil : cleaned
    }

    /// "The answer is X", "final answer: X", MetaMath "The answer is: X" (to the end of the line).
    static func answerPhrase(_ s: String) -> String? {
        let bytes = Bytes(s)
        let lower = bytes.asciiLowercased()
        var bestEnd = -1
        for phrase in ["answer is", "answer:", "answer would be", "answer will be"] {
            let p = Bytes(phrase)
            if let i = lower.lastIndex(of: p), i + p.count > bestEnd { bestEnd = i + p.count }
        }
        guard bestEnd >= 0 else { return nil }
        var rest = Bytes(bytes[bestEnd...])
        if let nl = rest.firstIndex(of: UInt8(ascii: "\n")) { rest = Bytes(rest[..<nl]) }
        rest = rest.trimmed()
        while rest.first == UInt8(ascii: ":") { rest = Bytes(rest.dropFirst()).trimmed() }
        var t = rest.string
        if let inner = lastBoxed(t) ?? lastMathSpan(t) { return inner }
        // Stop at a sentence end: a period followed by a space (not a decimal point).
        if let e = rest.firstIndex(of: Bytes(". ")) { t = Bytes(rest[..<e]).string }
        let cleaned = clean(t)
        return cleaned.isEmpty || cleaned.count > maxBareAnswerLength ? nil : cleaned
    }

    /// Trims and removes wrappers: `$...$`, `\(...\)`, `\[...\]`, `\boxed{...}`, a trailing period.
    static func clean(_ input: String) -> String {
        var s = input.trimmedASCII
        // Fast path: nothing to unwrap.
        if let first = s.utf8.first, let last = s.utf8.last, first != UInt8(ascii: "$"), first != UInt8(ascii: "\\"),
           last != UInt8(ascii: "."), last != UInt8(ascii: "$") {
            return s
        }
        for _ in 0..<8 {
            let before = s
            if s.hasPrefix("$$") && s.hasSuffix("$$") && s.count >= 4 {
                s = String(s.dropFirst(2).dropLast(2))
            } else if s.hasPrefix("$") && s.hasSuffix("$") && s.count >= 2 && !s.hasSuffix("\\$") {
                s = String(s.dropFirst().dropLast())
            } else if (s.hasPrefix("\\(") && s.hasSuffix("\\)")) || (s.hasPrefix("\\[") && s.hasSuffix("\\]")) {
                s = String(s.dropFirst(2).dropLast(2))
            } else if s.hasPrefix("\\boxed{") || s.hasPrefix("\\fbox{"), let inner = lastBoxed(s),
                      s.hasSuffix("}"), s.filter({ $0 == "{" }).count == inner.filter({ $0 == "{" }).count + 1 {
                s = inner
            }
            if s.hasSuffix(".") && !s.hasSuffix("..") && !s.hasSuffix("\\.") { s.removeLast() }
            s = s.trimmedASCII
            if s == before { break }
        }
        return s
    }
}
