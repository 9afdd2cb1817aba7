/// Outputs that stop before their answer: generation cut at a token limit ends mid-sentence
/// ("... 9 * 2 = 18 dollars, so she makes", "Step 4: Multiply by", "The answer is:"), and a reasoning block
/// that was opened (`<think>`) and never closed. Such a text states no final answer, so the weak rules
/// (the last math span, the final value of the prose) must not pick a number out of its reasoning: the
/// answer is "none" and the verdict is not equal. The strong markers (`# Answer`, `####`, `\boxed`, "the
/// answer is X") still count when they are there: the model stated an answer before the cut.
enum Truncation {
    /// Texts this short are bare answers or one-sentence statements, never judged cut.
    static let minimumLength = maxBareAnswerLength

    /// Most words a quantity may be followed by at the end of a text without a sentence end ("18 dollars",
    /// "25 square units", "15 है"): units, not a sentence that goes on ("24 bolts of white" is cut).
    static let unitWords = 2

    /// Whether `s` (cleaned, after any think block) ends mid-sentence: it is longer than a bare answer and
    /// its last character is a comma, a colon or an operator, where a sentence, formula or list cannot
    /// end; or its final fragment (after the last sentence end or line break) leaves a bracket open
    /// ("12^4 = 401 (since 42 squared"); or it ends with letters that continue a sentence past its last
    /// value (more than `unitWords` words after it). A final digit, period, closing bracket or math
    /// delimiter is a possible end.
    static func endsMidSentence(_ s: String) -> Bool {
        var chars = Array(s.unicodeScalars)
        guard chars.count > minimumLength else { return false }
        // End-of-sequence markers and trailing emphasis are not part of the sentence.
        var changed = true
        while changed {
            changed = false
            while let l = chars.last, l == " " || l == "\n" || l == "\t" || l == "\r" { chars.removeLast(); changed = true }
            for m in AnswerExtractor.endMarkers where AnswerExtractor.matches(chars, Array(m.unicodeScalars), at: chars.count - m.unicodeScalars.count) {
                chars.removeLast(m.unicodeScalars.count)
                changed = true
            }
            if chars.count >= 2, chars[chars.count - 1] == "*", chars[chars.count - 2] == "*" { chars.removeLast(2); changed = true }
        }
        guard let last = chars.last else { return true }
        switch last {
        case ",", ";", ":", "+", "=", "(", "[", "{", "\\", "^", "_", "&", "*", "/", "\u{FF0C}", "\u{FF1A}", "\u{3001}":
            return true
        case "-":
            // `x = 5 -` is cut; `--` is a dash of the prose (rare at an end) and `-` in `3-` is taken as cut too.
            return true
        default:
            break
        }
        // The final fragment: after the last sentence end or line break.
        var start = chars.count - 1
        while start > 0 {
            let c = chars[start - 1]
            if c == "\n" || c == "\u{3002}" || c == "\u{FF01}" || c == "\u{FF1F}" { break }
            if (c == "." || c == "!" || c == "?"), chars[start] == " " { break }
            start -= 1
        }
        let fragment = Array(chars[start...])
        // A bracket opened in the final fragment and never closed: cut inside a formula or remark.
        var open = 0
        var k = 0
        while k < fragment.count {
            let c = fragment[k]
            if c == "\\" { k += 2; continue }  // the character after a backslash (`\{`, `\(`) is a delimiter of LaTeX, not a bracket of the prose
            if c == "(" || c == "[" || c == "{" { open += 1 } else if c == ")" || c == "]" || c == "}" { open = max(0, open - 1) }
            k += 1
        }
        if open > 0 { return true }
        let values = ProseExtractor.candidates(fragment)
        let isLetter = AnswerExtractor.isLetter(last) || ProseExtractor.isProseScalar(last)
        guard isLetter else {
            // "so Gretchen has 9 gold coins * 3": a final number that is an operand, not a result.
            if last >= "0" && last <= "9", let v = values.last { return followsOperator(fragment, v.start) }
            return false
        }
        // A LaTeX command that needs what follows it: `$P(A) = \binom`, `2 \times`.
        var w = chars.count
        while w > 0, AnswerExtractor.isLetter(chars[w - 1]) { w -= 1 }
        let lastWord = String(String.UnicodeScalarView(chars[w...]))
        if w > 0, chars[w - 1] == "\\" { return openCommands.contains(lastWord) }
        // A final fragment with letters and no value: a sentence that was started ("She makes", "Step").
        if values.isEmpty { return true }
        // A sentence does not end on an article, preposition, conjunction or pronoun ("the 18 bolts of").
        if openEndedWords.contains(lastWord.lowercased()) { return true }
        let after = values.last.map { Array(fragment[$0.end...]) } ?? fragment
        return wordCount(after) > unitWords
    }

    /// The answer of a text cut at the token limit: its final run of letters and digits (with a decimal
    /// point or comma inside or right after digits: "12." may have been 12.5) is dropped, since the cut may
    /// have split it, and of the rest only a stated answer counts: `# Answer`, `####`, the last box, "the
    /// answer is ...". Nil when there is none.
    static func statedBeforeCut(_ s: String) -> ExtractedAnswer? {
        var chars = Array(s.unicodeScalars)
        func isWordChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "0" && c <= "9") || AnswerExtractor.isLetter(c) || ProseExtractor.isProseScalar(c)
        }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        var end = chars.count
        while end > 0 {
            let c = chars[end - 1]
            if isWordChar(c) || ((c == "." || c == ",") && end >= 2 && isDigit(chars[end - 2]) && (end == chars.count || isDigit(chars[end]))) {
                end -= 1
            } else {
                break
            }
        }
        chars.removeSubrange(end...)
        let rest = String(String.UnicodeScalarView(chars)).trimmedASCII
        guard !rest.isEmpty else { return nil }
        if let a = AnswerExtractor.afterAnswerHeader(rest) { return ExtractedAnswer(text: a, rule: .answerHeader) }
        if let a = AnswerExtractor.afterHashes(rest) { return ExtractedAnswer(text: a, rule: .answerHeader) }
        if let a = AnswerExtractor.lastBoxed(rest, joinAdjacent: true) { return ExtractedAnswer(text: a, rule: .boxed) }
        return AnswerExtractor.answerPhrase(rest)
    }

    /// LaTeX commands that take or join what follows them (a text cannot end on one); `\pi`, `\infty`, `\circ`
    /// are values and may end a text.
    static let openCommands: Set<String> = [
        "frac", "dfrac", "tfrac", "binom", "dbinom", "sqrt", "cdot", "times", "div", "left", "right", "begin", "text",
        "mathrm", "textbf", "boxed", "fbox", "le", "leq", "ge", "geq", "ne", "neq", "pm", "mp", "log", "ln", "sin",
        "cos", "tan", "sum", "prod", "int", "lim", "quad", "qquad", "approx", "equiv", "implies", "Rightarrow", "to",
        "cup", "cap", "in", "overline", "hat", "vec", "mathbb", "operatorname",
    ]

    /// Whether the value starting at `start` follows an arithmetic operator (`9 * 3`, `2 \times 5`, `4 x 2`)
    /// with no `=` between: an operand of an unfinished computation.
    static func followsOperator(_ chars: [Unicode.Scalar], _ start: Int) -> Bool {
        var k = start - 1
        while k >= 0, chars[k] == " " { k -= 1 }
        guard k >= 0 else { return false }
        switch chars[k] {
        case "*", "+", "/", "\u{00D7}", "\u{00F7}": return true
        case "x":
            return k > 0 && chars[k - 1] == " " && k + 1 < chars.count && chars[k + 1] == " "
        default:
            var w = k
            while w >= 0, AnswerExtractor.isLetter(chars[w]) { w -= 1 }
            guard w >= 0, w < k, chars[w] == "\\" else { return false }
            let name = String(String.UnicodeScalarView(chars[(w + 1)...k]))
            return name == "times" || name == "cdot" || name == "div"
        }
    }

    /// English words a statement cannot end on: what follows them is missing.
    static let openEndedWords: Set<String> = [
        "the", "a", "an", "of", "and", "or", "to", "with", "by", "for", "from", "into", "onto", "is", "are", "was",
        "were", "be", "been", "that", "which", "than", "as", "at", "we", "our", "its", "their", "this", "these",
        "then", "so", "if", "because", "since", "when", "where", "while", "plus", "minus", "times", "equals",
        "multiply", "divide", "add", "subtract", "get", "gives", "find", "calculate", "let", "us", "can", "will",
        "need", "must", "should", "would", "could", "has", "have", "had", "each", "every", "per", "not",
    ]

    /// Words of `chars`: runs of letters (ASCII or another script's), a run of CJK characters counting one
    /// per character beyond the first two (Chinese has no spaces: "个苹果" is one unit word).
    static func wordCount(_ chars: [Unicode.Scalar]) -> Int {
        var words = 0
        var inWord = false
        var cjkRun = 0
        for c in chars {
            let cjk = (0x4E00...0x9FFF).contains(c.value) || (0x3040...0x30FF).contains(c.value)
            if cjk {
                cjkRun += 1
                if cjkRun == 1 || cjkRun > 3 { words += 1 }
                inWord = false
                continue
            }
            cjkRun = 0
            let letter = AnswerExtractor.isLetter(c) || ProseExtractor.isProseScalar(c)
            if letter && !inWord { words += 1 }
            inWord = letter
        }
        return words
    }

    /// Whether `s` opens a reasoning block that it never closes (`<think>` without `</think>`): the model
    /// stopped while reasoning.
    static func unclosedThinking(_ s: String) -> Bool {
        guard s.utf8.contains(UInt8(ascii: "<")) else { return false }
        let bytes = Bytes(s)
        guard let open = bytes.lastIndex(of: Bytes("<think>")) else { return false }
        return bytes.firstIndex(of: Bytes("</think>"), from: open) == nil
    }
}
