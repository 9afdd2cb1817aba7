/// Prose rules of answer extraction: invisible characters, other-script digits, and the final
/// mathematical value of a sentence ("... so the largest n is 34.", "答案是 5", "La réponse est 2,74 $").

/// Character cleanup applied to every text before extraction and parsing.
enum TextCleanup {
    /// Drops invisible characters (BOM U+FEFF, zero-width space/joiners U+200B-U+200D, word joiner
    /// U+2060, soft hyphen U+00AD, direction marks) and maps the decimal digits of every script
    /// (Arabic-Indic, Persian, Devanagari, Bengali, Thai, full-width, ...) to ASCII digits; a no-break space becomes a space. ASCII text is returned as is.
    static func clean(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 >= 0x80 }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            let v = u.value
            switch v {
            case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060, 0x00AD, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue
            case 0x00A0, 0x202F, 0x2009:
                out.append(" ")
            case 0x2212: out.append("-")
            case 0xFF01...0xFF5E where !(0xFF10...0xFF19).contains(v):
                out.append(Unicode.Scalar(v - 0xFEE0)!)  // full-width ASCII: `Ａ`, `（`, `：` (digits below)
            case _ where u.properties.generalCategory == .currencySymbol:
                continue  // `€5`, `5€`, `£3`, `₹50`: currency signs carry no value (`\$` is handled as LaTeX)
            default:
                // Decimal digits of every script (Arabic-Indic, Devanagari, Bengali, Thai, full-width, ...);
                // superscripts and other numerals are not decimal digits and stay.
                if u.properties.numericType == .decimal, let d = u.properties.numericValue, d >= 0, d <= 9 {
                    out.append(Unicode.Scalar(UInt8(ascii: "0") + UInt8(d)))
                } else {
                    out.append(u)
                }
            }
        }
        return String(out)
    }
}

/// The final value of a prose text: the last number, tuple of numbers, matrix environment, `\frac`,
/// `\sqrt` or choice letter `(B)` of the text. Decimal commas are read as decimal points where the digits make that
/// clear (`2,74`, `0,111`, `3,5`), while `1,000` and `12,345` are thousands and `(1, 2)` a tuple.
enum ProseExtractor {
    /// Words of phrases that link a quantity to its value, checked before a value stated after the last
    /// math span.
    static let linkWords: Set<String> = ["is", "are", "was", "were", "be", "equals", "equal", "=", "est", "es", "ist",
                                         "是", "为", "為", "：", ":", "gives", "get", "obtain", "total"]

    /// Letters that are prose whatever the word count: accented Latin and every alphabetic script below
    /// U+2000 except Greek (Cyrillic, Arabic, Hebrew, Indic, Thai, Vietnamese, ...), CJK and Hangul.
    static func isProseScalar(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x00C0 || (0x0370...0x03FF).contains(v) { return false }  // ASCII; Greek letters are math
        if v < 0x2000 { return u.properties.isAlphabetic }  // accented Latin, Cyrillic, Arabic, Indic, Thai, ...
        return (0x4E00...0x9FFF).contains(v) || (0x3040...0x30FF).contains(v) || (0xAC00...0xD7AF).contains(v)
    }

    /// Whether `s` reads as a sentence: three or more words of two or more letters outside LaTeX
    /// command names, or letters of another script.
    static func looksLikeProse(_ s: String) -> Bool {
        var words = 0
        var run = ""
        var inCommand = false
        func endWord() {
            if run.count >= 2, !nonProseWords.contains(run.lowercased()) { words += 1 }
            run = ""
        }
        for u in s.unicodeScalars {
            if isProseScalar(u) { return true }
            let letter = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z")
            if letter {
                if !inCommand { run.unicodeScalars.append(u) }
                continue
            }
            endWord()
            if words >= 3 { return true }
            inCommand = u == "\\"
        }
        endWord()
        // Two words make a sentence when it ends like one ("After 2 days, 5 remain.").
        let last = s.unicodeScalars.reversed().first { $0 != " " && $0 != "\n" }
        return words >= 3 || (words >= 2 && (last == "." || last == "!" || last == "。"))
    }

    /// Words that do not make a sentence: connectives of answer lists and units.
    static let nonProseWords: Set<String> = [
        "and", "or", "cm", "mm", "km", "ft", "kg", "mg", "ml", "hr", "yd", "oz", "lb", "mi", "sq", "am", "pm", "in",
        "mph", "units", "unit", "square", "cubic", "degrees", "degree", "dollars", "dollar", "cents", "cent", "per",
        "hours", "hour", "minutes", "minute", "seconds", "second", "meters", "meter", "inches", "inch", "feet",
        "foot", "miles", "mile", "pounds", "grams", "liters", "days", "weeks", "years", "sq", "radians",
    ]

    struct Candidate {
        var start: Int
        var end: Int
        var text: String
    }

    /// The final value of `s`, or nil when it has none.
    static func finalValue(_ s: String) -> String? {
        let chars = Array(s.unicodeScalars)
        let found = candidates(chars)
        if found.isEmpty { return numberWordValue(chars) }
        return Clauses.lastOutside(found, start: { $0.start }, in: chars)?.text
    }

    /// The value of the last run of English number words in a text without digits ("She has twenty-five
    /// apples.", "three hundred and five"), as digits; a lone "one" is a pronoun as often as a number and is
    /// not taken. Nil when there is none or the run is not a number (`five twenty`).
    static func numberWordValue(_ chars: [Unicode.Scalar]) -> String? {
        // Words of letters, each with what separated it from the previous word.
        var words: [(word: String, joined: Bool)] = []
        var word = String.UnicodeScalarView()
        var gap = String.UnicodeScalarView()
        for c in chars {
            if AnswerExtractor.isLetter(c) {
                word.append(c)
                continue
            }
            if !word.isEmpty {
                words.append((String(word).lowercased(), gap.count == 1 && (gap.first == " " || gap.first == "-")))
                word = String.UnicodeScalarView()
                gap = String.UnicodeScalarView()
            }
            if gap.count < 2 { gap.append(c) }
        }
        if !word.isEmpty { words.append((String(word).lowercased(), gap.count == 1 && (gap.first == " " || gap.first == "-"))) }
        var runs: [[String]] = []
        var run: [String] = []
        for (w, joined) in words {
            let isNumber = Canonical.numberWords[w] != nil
            if (isNumber || w == "and"), joined, !run.isEmpty {
                run.append(w)
            } else {
                if !run.isEmpty { runs.append(run) }
                run = isNumber ? [w] : []
            }
        }
        if !run.isEmpty { runs.append(run) }
        guard var last = runs.last else { return nil }
        while last.last == "and" { last.removeLast() }
        if last == ["one"] || last.isEmpty { return nil }
        if last.count == 1 { return Canonical.numberWords[last[0]].map(String.init) }
        return Canonical.numberPhrase(last.joined(separator: " ")).map(String.init)
    }

    /// A value stated after the last math span, right after a linking word in the final sentence
    /// ("We have $a = 3$, so the largest n is 34.").
    static func valueAfterLastSpan(_ s: String, spanEnd: Int) -> String? {
        let chars = Array(s.unicodeScalars)
        guard spanEnd < chars.count else { return nil }
        let tail = Array(chars[spanEnd...])
        guard let last = candidates(tail).last else { return nil }
        // The words just before the value.
        let before = String(String.UnicodeScalarView(tail[max(0, last.start - 24)..<last.start]))
        let words = before.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "," })
        guard let w = words.last else { return nil }
        var word = String(w).lowercased()
        if let l = word.unicodeScalars.last, isProseScalar(l) { word = String(l) }
        return linkWords.contains(word) ? last.text : nil
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    /// Number, tuple, matrix and fraction candidates in order of their end; nested candidates (numbers
    /// inside a tuple) are dropped. Linear: every scan stops at the first character it cannot take.
    static func candidates(_ chars: [Unicode.Scalar]) -> [Candidate] {
        var out: [Candidate] = []
        let n = chars.count
        var i = 0
        func push(_ c: Candidate) {
            while let last = out.last, last.start >= c.start { out.removeLast() }
            out.append(c)
        }
        var envSearchFailed = false
        while i < n {
            let c = chars[i]
            if c == "\\" {
                let nameStart = i + 1
                var j = nameStart
                while j < n, AnswerExtractor.isLetter(chars[j]) { j += 1 }
                let name = String(String.UnicodeScalarView(chars[nameStart..<j]))
                if name == "begin", !envSearchFailed, let env = matrixEnvironment(chars, at: i) {
                    if let end = env.end {
                        push(Candidate(start: i, end: end, text: String(String.UnicodeScalarView(chars[i..<end]))))
                        i = end
                        continue
                    }
                    envSearchFailed = true
                }
                if name == "frac" || name == "dfrac" || name == "tfrac" || name == "sqrt", let end = bracedArguments(chars, from: j, count: name == "sqrt" ? 1 : 2) {
                    var start = i
                    if start > 0, chars[start - 1] == "-" { start -= 1 }
                    push(Candidate(start: start, end: end, text: String(String.UnicodeScalarView(chars[start..<end]))))
                    i = end
                    continue
                }
                i = max(j, i + 2)
                continue
            }
            if c == "(" || c == "[", let t = tuple(chars, at: i) {
                push(t)
                i = t.end
                continue
            }
            // A choice letter `(B)`.
            if c == "(", i + 2 < n, chars[i + 1] >= "A", chars[i + 1] <= "E", chars[i + 2] == ")",
               i == 0 || !AnswerExtractor.isLetter(chars[i - 1]) {
                push(Candidate(start: i, end: i + 3, text: "(" + String(Character(chars[i + 1])) + ")"))
                i += 3
                continue
            }
            if isDigit(c) {
                let prev: Unicode.Scalar = i > 0 ? chars[i - 1] : " "
                if AnswerExtractor.isLetter(prev) || prev == "_" || prev == "^" || isDigit(prev) || prev == "." {
                    i += 1
                    continue
                }
                let num = number(chars, at: i)
                push(num)
                i = num.end
                continue
            }
            i += 1
        }
        return out
    }

    /// `\begin{pmatrix} ... \end{pmatrix}` (any matrix or array environment) at `i`; `end` nil when it
    /// is not closed.
    private static func matrixEnvironment(_ chars: [Unicode.Scalar], at i: Int) -> (name: String, end: Int?)? {
        let open = Array("\\begin{".unicodeScalars)
        guard AnswerExtractor.matches(chars, open, at: i) else { return nil }
        var j = i + open.count
        var name = ""
        while j < chars.count, chars[j] != "}", name.count < 20 { name.unicodeScalars.append(chars[j]); j += 1 }
        guard name.hasSuffix("matrix") || name == "array" else { return nil }
        let close = Array("\\end{\(name)}".unicodeScalars)
        var k = j
        while k + close.count <= chars.count {
            if chars[k] == "\\", AnswerExtractor.matches(chars, close, at: k) { return (name, k + close.count) }
            k += 1
        }
        return (name, nil)
    }

    /// End of `count` braced arguments starting at `from` (nested braces), nil when they are not there.
    private static func bracedArguments(_ chars: [Unicode.Scalar], from: Int, count: Int) -> Int? {
        var j = from
        for _ in 0..<count {
            guard j < chars.count, chars[j] == "{" else { return nil }
            var depth = 0
            while j < chars.count {
                if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                if depth > 8 { return nil }
                j += 1
            }
            guard j < chars.count else { return nil }
            j += 1
        }
        return j
    }

    /// A parenthesized or bracketed list of two or more plain numbers: `(1, 2)`, `[-2, 7]`.
    private static func tuple(_ chars: [Unicode.Scalar], at i: Int) -> Candidate? {
        var j = i + 1
        var items: [String] = []
        while true {
            while j < chars.count, chars[j] == " " { j += 1 }
            if j < chars.count, chars[j] == "-" { j += 1 }
            guard j < chars.count, isDigit(chars[j]) else { return nil }
            let num = number(chars, at: j, allowDecimalComma: false)
            items.append(num.text)
            j = num.end
            while j < chars.count, chars[j] == " " { j += 1 }
            guard j < chars.count else { return nil }
            if chars[j] == "," { j += 1; continue }
            if chars[j] == ")" || chars[j] == "]" {
                guard items.count >= 2 else { return nil }
                let open = chars[i] == "(" ? "(" : "[", close = chars[j] == ")" ? ")" : "]"
                return Candidate(start: i, end: j + 1, text: open + items.joined(separator: ", ") + close)
            }
            return nil
        }
    }

    /// The number starting at the digit `i`: thousands groups dropped, a decimal comma read as a point,
    /// a fraction `a/b`, a minus sign right before it, a percent sign right after it.
    static func number(_ chars: [Unicode.Scalar], at i: Int, allowDecimalComma: Bool = true) -> Candidate {
        let n = chars.count
        var j = i
        var text = ""
        func digits() {
            while j < n, isDigit(chars[j]) { text.unicodeScalars.append(chars[j]); j += 1 }
        }
        digits()
        var grouped = false, decimal = false
        while j + 1 < n, chars[j] == ",", isDigit(chars[j + 1]) {
            var k = j + 1
            while k < n, isDigit(chars[k]) { k += 1 }
            let len = k - j - 1
            if len == 3, !decimal, grouped || (text.count <= 3 && text != "0") {
                grouped = true
                j += 1
                digits()
            } else if allowDecimalComma && !grouped && !decimal {
                decimal = true
                text += "."
                j += 1
                digits()
            } else {
                break
            }
        }
        if !decimal, j + 1 < n, chars[j] == ".", isDigit(chars[j + 1]) {
            text += "."
            j += 1
            digits()
        }
        if j + 1 < n, chars[j] == "/", isDigit(chars[j + 1]) {
            text += "/"
            j += 1
            digits()
        }
        if j < n, chars[j] == "%" { text += "\\%"; j += 1 }
        var start = i
        if start > 0, chars[start - 1] == "-" {
            let before: Unicode.Scalar = start > 1 ? chars[start - 2] : " "
            if before == " " || before == "(" || before == "[" || before == "," || before == "=" || before == "$" || before == "\n" { start -= 1; text = "-" + text }
        }
        return Candidate(start: start, end: j, text: text)
    }
}
