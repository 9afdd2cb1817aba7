/// Final-answer extraction from a solution text or an answer field.
///
/// The text is first cleaned: invisible characters (byte-order mark, zero-width spaces, word joiner,
/// soft hyphen) are dropped, other-script digits become ASCII digits, and a `<think>...</think>`
/// block is cut off (what follows it is the solution). Rules, first that fires wins: the text after
/// the last `# Answer` header, the last `\boxed{...}` / `\fbox{...}` (several boxes separated only by
/// commas, "and", "or" or `x =` form one list answer), an "answer is ..." phrase, the last math span
/// (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`; a number stated after it in the same final sentence
/// wins), the final mathematical value of a prose sentence, the whole field when it is short.
/// Every scan is linear in the length of the text.

/// Which extraction rule produced an answer.
public enum ExtractionRule: String, Sendable, Codable {
    case answerHeader, boxed, mathSpan, answerPhrase, wholeField
    /// The final number, tuple or matrix of a prose text (any language).
    case finalValue
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
/// without any answer marker or final value).
public func extractAnswer(from text: String) -> ExtractedAnswer? {
    extractAnswer(from: text, cutAtTokenLimit: false)
}

/// Extracts the final answer of a model output whose finish reason is known. `cutAtTokenLimit`: generation
/// stopped at its token limit (finish reason "length"), so the text is known to be incomplete: only an
/// answer the model stated before the cut counts (`# Answer`, `####`, `\boxed{}`, "the answer is ..."),
/// never a value of its unfinished reasoning, and its final word or number is dropped first (the cut may
/// have split it: "The answer is 12" may have been 125). An end-of-sequence marker in the text means the
/// model ended its answer, so the limit cut nothing of it. With `false` (complete, or not known) the text
/// alone decides (`Truncation.endsMidSentence`), and a text ending right after a digit keeps it.
public func extractAnswer(from text: String, cutAtTokenLimit: Bool) -> ExtractedAnswer? {
    let body = AnswerExtractor.afterThinking(text)
    // `<think>` never closed: the model stopped while reasoning and stated no answer.
    if Truncation.unclosedThinking(body) { return nil }
    let beforeEnd = AnswerExtractor.beforeEndMarker(body)
    // An empty box (`\boxed{}`, `$\boxed{ }$`) is no answer: the text is read as if it were not there.
    let part = AnswerExtractor.withoutEmptyBoxes(AnswerExtractor.lastPart(beforeEnd))
    if cutAtTokenLimit && beforeEnd.utf8.count == body.utf8.count { return Truncation.statedBeforeCut(part) }
    var trimmed = part.trimmedASCII
    // `<answer>...</answer>` (the answer tag of models trained with it): only its content is the answer.
    if let inner = AnswerExtractor.answerTag(trimmed) { trimmed = inner }
    if trimmed.isEmpty { return nil }
    let bytes = Bytes(trimmed)
    // Most answer fields carry no marker at all: skip the rules that cannot fire.
    let mayHaveMarker = bytes.contains(UInt8(ascii: "$")) || bytes.contains(UInt8(ascii: "#"))
        || bytes.contains(Bytes("\\boxed")) || bytes.contains(Bytes("\\fbox")) || bytes.contains(Bytes("\\("))
        || bytes.contains(Bytes("\\[")) || bytes.contains(Bytes("nswer")) || bytes.contains(Bytes("NSWER")) || bytes.contains(UInt8(ascii: ":"))
        || bytes.contains(Bytes("\u{FF1A}")) || bytes.contains(Bytes("\u{7B54}")) || bytes.contains(Bytes("\u{9009}"))
        || bytes.contains(Bytes("\u{9078}")) || bytes.contains(Bytes("orrect option")) || bytes.contains(Bytes("orrect choice"))
    if mayHaveMarker {
        if let a = AnswerExtractor.afterAnswerHeader(trimmed) { return ExtractedAnswer(text: a, rule: .answerHeader) }
        if let a = AnswerExtractor.afterHashes(trimmed) { return ExtractedAnswer(text: a, rule: .answerHeader) }
        if let a = AnswerExtractor.lastBoxed(trimmed, joinAdjacent: true) { return ExtractedAnswer(text: a, rule: .boxed) }
        if let a = AnswerExtractor.answerPhrase(trimmed) { return a }
        // A text cut mid-sentence states no answer: no span or number of its reasoning is taken for one.
        if Truncation.endsMidSentence(trimmed) { return nil }
        if let a = AnswerExtractor.lastMathSpan(trimmed) {
            if a.isLast, let later = ProseExtractor.valueAfterLastSpan(trimmed, spanEnd: a.end) {
                return ExtractedAnswer(text: later, rule: .finalValue)
            }
            return ExtractedAnswer(text: a.text, rule: .mathSpan)
        }
    }
    if Truncation.endsMidSentence(trimmed) { return nil }
    return AnswerExtractor.bareOrProse(trimmed)
}

/// The individual extraction rules.
enum AnswerExtractor {
    static let endMarkers = ["<eos>", "</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end|>"]

    /// Longest text (UTF-8 bytes) that extraction reads; of a longer one only the end is read (the
    /// final answer of a solution is at its end), which bounds extraction time.
    static let maxExtractionBytes = 16_384

    /// The last `maxExtractionBytes` of `s` (cut at a character boundary), cleaned by TextCleanup.
    static func lastPart(_ s: String) -> String {
        guard s.utf8.count > maxExtractionBytes else { return TextCleanup.clean(s) }
        var u = Array(s.utf8.suffix(maxExtractionBytes))
        while let f = u.first, f & 0xC0 == 0x80 { u.removeFirst() }
        return TextCleanup.clean(String(decoding: u, as: UTF8.self))
    }

    /// The text after the last `</think>` (the reasoning block of a thinking model); the whole text
    /// when there is none.
    static func afterThinking(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "<")) else { return s }
        let bytes = Bytes(s)
        guard let i = bytes.lastIndex(of: Bytes("</think>")) else { return s }
        return Bytes(bytes[(i + 8)...]).string
    }

    /// The text before the first end-of-sequence marker (`<|im_end|>`, `</s>`, ...): what follows it was
    /// not part of the model's answer.
    static func beforeEndMarker(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "<")) else { return s }
        let bytes = Bytes(s)
        var cut = bytes.count
        for m in endMarkers {
            if let e = bytes.firstIndex(of: Bytes(m)), e < cut { cut = e }
        }
        return cut == bytes.count ? s : Bytes(bytes[..<cut]).string
    }

    /// The content of the last `<answer>...</answer>` tag (to the end of the text when the closing tag is
    /// missing: generation often stops at it), nil when there is no such tag or it is empty.
    static func answerTag(_ s: String) -> String? {
        guard s.utf8.contains(UInt8(ascii: "<")) else { return nil }
        let bytes = Bytes(s)
        guard let open = bytes.lastIndex(of: Bytes("<answer>")) else { return nil }
        var rest = Bytes(bytes[(open + 8)...])
        if let close = rest.firstIndex(of: Bytes("</answer>")) { rest = Bytes(rest[..<close]) }
        let inner = rest.string.trimmedASCII
        return inner.isEmpty ? nil : inner
    }

    /// `s` without the sentences whose boxes are all empty (`\boxed{}`, `\fbox{ }`: only spaces inside): such a
    /// sentence ("The answer is $\boxed{}$.") states no answer, and the rest of the text is read as usual. A
    /// sentence runs from the previous sentence end (`. `, `! `, `? `, `。`, a line break) to the next one.
    /// Linear.
    static func withoutEmptyBoxes(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "\\")) else { return s }
        let b = Bytes(s)
        guard b.contains(Bytes("\\boxed")) || b.contains(Bytes("\\fbox")) else { return s }
        let c = Array(s.unicodeScalars)
        func isSpace(_ x: Unicode.Scalar) -> Bool { x == " " || x == "\n" || x == "\t" }
        // Each box: start and whether it is empty.
        var boxes: [(start: Int, empty: Bool)] = []
        var i = 0
        while i < c.count {
            guard c[i] == "\\" else { i += 1; continue }
            let name = matches(c, boxedName, at: i + 1) ? 5 : matches(c, fboxName, at: i + 1) ? 4 : 0
            guard name > 0 else { i += 2; continue }
            var j = i + 1 + name
            while j < c.count, isSpace(c[j]) { j += 1 }
            var empty = false
            if j < c.count, c[j] == "{" {
                j += 1
                while j < c.count, isSpace(c[j]) { j += 1 }
                empty = j < c.count && c[j] == "}"
            }
            boxes.append((i, empty))
            i = j
        }
        guard boxes.contains(where: { $0.empty }) else { return s }
        func isEnd(_ k: Int) -> Bool {
            // A sentence end at k: a line break, `。`, or `.`/`!`/`?` followed by a space.
            let x = c[k]
            if x == "\n" || x == "\u{3002}" { return true }
            return (x == "." || x == "!" || x == "?") && k + 1 < c.count && isSpace(c[k + 1])
        }
        var drop: [Range<Int>] = []
        var b0 = 0
        while b0 < boxes.count {
            guard boxes[b0].empty else { b0 += 1; continue }
            var start = boxes[b0].start
            while start > 0, !isEnd(start - 1) { start -= 1 }
            if let last = drop.last, start < last.upperBound { b0 += 1; continue }
            var end = boxes[b0].start
            while end < c.count, !isEnd(end) { end += 1 }
            end = min(c.count, end + 1)
            // A sentence that also holds a box with something in it keeps its boxes (empty ones are skipped).
            var k = b0
            var allEmpty = true
            while k < boxes.count, boxes[k].start < end { if !boxes[k].empty { allEmpty = false }; k += 1 }
            var k2 = b0
            while k2 > 0, boxes[k2 - 1].start >= start { k2 -= 1; if !boxes[k2].empty { allEmpty = false } }
            if allEmpty { drop.append(start..<end) }
            b0 = k
        }
        guard !drop.isEmpty else { return s }
        var out = String.UnicodeScalarView()
        var at = 0
        for r in drop {
            out.append(contentsOf: c[at..<r.lowerBound])
            at = r.upperBound
        }
        out.append(contentsOf: c[at...])
        return String(out)
    }

    static let boxedName = Array("boxed".unicodeScalars)
    static let fboxName = Array("fbox".unicodeScalars)

    /// A short field as a bare answer, or the final value of a prose text.
    static func bareOrProse(_ s: String) -> ExtractedAnswer? {
        let short = s.count <= maxBareAnswerLength
        if ProseExtractor.looksLikeProse(s), let v = ProseExtractor.finalValue(s) {
            return ExtractedAnswer(text: v, rule: .finalValue)
        }
        guard short else { return nil }
        let a = clean(s)
        return a.isEmpty ? nil : ExtractedAnswer(text: a, rule: .wholeField)
    }

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

    /// GSM8K's answer line: the text after the last `####` to the end of its line.
    static func afterHashes(_ s: String) -> String? {
        let bytes = Bytes(s)
        guard let i = bytes.lastIndex(of: Bytes("####")) else { return nil }
        var rest = Bytes(bytes[(i + 4)...])
        if let nl = rest.firstIndex(of: UInt8(ascii: "\n")) { rest = Bytes(rest[..<nl]) }
        for m in endMarkers {
            if let e = rest.firstIndex(of: Bytes(m)) { rest = Bytes(rest[..<e]) }
        }
        let t = rest.string
        if ProseExtractor.looksLikeProse(t), let v = ProseExtractor.finalValue(t) { return v }
        let cleaned = clean(t)
        return cleaned.isEmpty || cleaned.count > maxBareAnswerLength ? nil : cleaned
    }

    /// Positions of the closing brace of every `{` (-1 when unclosed), skipping `\x` escapes; linear.
    static func braceMatches(_ chars: [Unicode.Scalar]) -> [Int] {
        var match = [Int](repeating: -1, count: chars.count)
        var stack: [Int] = []
        var j = 0
        while j < chars.count {
            let c = chars[j]
            if c == "\\" { j += 2; continue }
            if c == "{" { stack.append(j) } else if c == "}", let o = stack.popLast() { match[o] = j }
            j += 1
        }
        return match
    }

    /// One `\boxed` occurrence: the range of the whole command and of its content (positions in the
    /// scalars; the content string is made only for the boxes chosen, so nested boxes stay linear).
    struct Box {
        var start: Int
        var end: Int
        var contentStart: Int
        var contentEnd: Int

        func content(_ chars: [Unicode.Scalar]) -> String {
            String(String.UnicodeScalarView(chars[contentStart..<contentEnd]))
        }
    }

    /// Every `\boxed{...}` / `\fbox{...}` (also `\boxed 5`) in order; linear in the text length.
    static func boxes(_ chars: [Unicode.Scalar]) -> [Box] {
        let match = braceMatches(chars)
        var out: [Box] = []
        var i = 0
        let names: [[Unicode.Scalar]] = [Array("\\boxed".unicodeScalars), Array("\\fbox".unicodeScalars)]
        while i < chars.count {
            guard chars[i] == "\\" else { i += 1; continue }
            guard let c = names.first(where: { matches(chars, $0, at: i) }) else { i += 1; continue }
            let after = i + c.count
            if after < chars.count, isLetter(chars[after]) { i = after; continue }
            var k = after
            while k < chars.count, chars[k] == " " { k += 1 }
            if k < chars.count, chars[k] == "{" {
                let close = match[k]
                if close > k {
                    out.append(Box(start: i, end: close + 1, contentStart: k + 1, contentEnd: close))
                }
                i = k + 1
                continue
            }
            var j = k
            while j < chars.count, chars[j] != " ", chars[j] != "$", chars[j] != "\n" { j += 1 }
            if j > k { out.append(Box(start: i, end: j, contentStart: k, contentEnd: j)) }
            i = max(j, after)
        }
        return out
    }

    /// Content of the last `\boxed{...}` or `\fbox{...}`; with `joinAdjacent`, boxes separated only by
    /// commas, "and", "or", math delimiters or `x =` are joined into one list (`\boxed{1}, \boxed{2}`).
    static func lastBoxed(_ s: String, joinAdjacent: Bool = false) -> String? {
        let chars = Array(s.unicodeScalars)
        let all = boxes(chars)
        guard var k = all.indices.last else { return nil }
        var parts = [all[k].content(chars)]
        if joinAdjacent {
            // Nested boxes (`\boxed{\boxed{1}}`) overlap and are not a list.
            while k > 0, parts.count < 64, all[k - 1].end <= all[k].start, isSeparator(chars[all[k - 1].end..<all[k].start]) {
                k -= 1
                parts.insert(all[k].content(chars), at: 0)
            }
        }
        let cleaned = parts.map(clean).filter { !$0.isEmpty }
        return cleaned.isEmpty ? nil : cleaned.joined(separator: ", ")
    }

    /// Whether the text between two boxes only separates them (`, `, ` and `, `$ or $x = `).
    static func isSeparator(_ gap: ArraySlice<Unicode.Scalar>) -> Bool {
        guard gap.count <= 40 else { return false }
        var words = String(String.UnicodeScalarView(gap))
        for w in ["\\text{", "\\mathrm{", "\\quad", "\\qquad", "\\(", "\\)", "\\[", "\\]", "}", "$", "\\,", "\\;", "~"] {
            words = words.replacingAll(w, with: " ")
        }
        var sawComma = false, sawWord = false
        let tokens = words.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        var t = 0
        while t < tokens.count {
            var tok = tokens[t]
            while let l = tok.last, l == "," || l == ";" { sawComma = true; tok = tok.dropLast() }
            while let f = tok.first, f == "," || f == ";" { sawComma = true; tok = tok.dropFirst() }
            if tok.isEmpty { t += 1; continue }
            let lower = tok.lowercased()
            if ["and", "or", "et", "ou", "und", "oder", "y", "o", "和", "或", "与", "及"].contains(lower) {
                sawWord = true
            } else if t + 1 < tokens.count, tokens[t + 1] == "=", tok.count <= 3, tok.unicodeScalars.allSatisfy({ isLetter($0) || $0 == "_" || ($0 >= "0" && $0 <= "9") }) {
                t += 1
            } else if tok.hasSuffix("="), tok.count <= 4 {
            } else {
                return false
            }
            t += 1
        }
        return sawComma || sawWord || tokens.isEmpty
    }

    /// Whether `pattern` occurs in `chars` at `i` (no allocation).
    static func matches(_ chars: [Unicode.Scalar], _ pattern: [Unicode.Scalar], at i: Int) -> Bool {
        guard i >= 0, i + pattern.count <= chars.count else { return false }
        for k in 0..<pattern.count where chars[i + k] != pattern[k] { return false }
        return true
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    /// The math span that ends last: `$...$`, `$$...$$`, `\(...\)`, `\[...\]`: cleaned content and the
    /// position (in unicode scalars) just after its closing delimiter. Linear: a closer that was not
    /// found from some position is not searched for again from a later one.
    static func lastMathSpan(_ s: String, first: Bool = false) -> (text: String, end: Int, isLast: Bool)? {
        let chars = Array(s.unicodeScalars)
        var last: (Int, Int)? = nil
        var lastEnd = 0
        // Every span (start, content end, end), for choosing the last one outside a subordinate clause.
        var spans: [(Int, Int, Int)] = []
        var i = 0
        var failedFrom: [Unicode.Scalar: Int] = [:]
        func find(_ pattern: [Unicode.Scalar], from: Int) -> Int? {
            let key = pattern.count == 2 ? pattern[1] : pattern[0]
            if let f = failedFrom[key], from >= f { return nil }
            var k = from
            while k + pattern.count <= chars.count {
                if chars[k] == "\\" && pattern[0] != "\\" { k += 2; continue }
                if matches(chars, pattern, at: k) { return k }
                k += 1
            }
            failedFrom[key] = min(failedFrom[key] ?? Int.max, from)
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let n = chars[i + 1]
                if n == "(" || n == "[" {
                    let closer: [Unicode.Scalar] = n == "(" ? ["\\", ")"] : ["\\", "]"]
                    if let e = find(closer, from: i + 2) {
                        last = (i + 2, e)
                        lastEnd = e + 2
                        if spans.count < 4096 { spans.append((i + 2, e, e + 2)) }
                        i = e + 2
                        continue
                    }
                }
                i += 2
                continue
            }
            if c == "$" {
                let double = i + 1 < chars.count && chars[i + 1] == "$"
                let start = i + (double ? 2 : 1)
                if let e = find(double ? ["$", "$"] : ["$"], from: start) {
                    // Dollar amounts, not math: `$140 * 2 = $2800`, `costs $5 and $`: a `$` before a digit whose
                    // partner is followed by a digit or preceded by a space. The next `$` is tried as an opener.
                    if !double, start < chars.count, chars[start] >= "0", chars[start] <= "9",
                       (e + 1 < chars.count && chars[e + 1] >= "0" && chars[e + 1] <= "9") || chars[e - 1] == " " || chars[e - 1] == "\n" {
                        i += 1
                        continue
                    }
                    last = (start, e)
                    i = e + (double ? 2 : 1)
                    lastEnd = i
                    if spans.count < 4096 { spans.append((start, e, i)) }
                    continue
                }
                break
            }
            i += 1
        }
        guard var (a, b) = last, a <= b else { return nil }
        var isLast = true
        if first, let f = spans.first {
            (a, b) = (f.0, f.1)
            lastEnd = f.2
            isLast = spans.count == 1
        }
        // "$x = 2$ is the only solution, because $3$ fails": not a span of a clause giving a reason.
        if !first, spans.count > 1, let chosen = Clauses.lastOutside(spans, start: { $0.0 }, in: chars),
           chosen.2 != lastEnd, chosen.0 <= chosen.1 {
            (a, b) = (chosen.0, chosen.1)
            lastEnd = chosen.2
            isLast = false
        }
        func content(_ k: Int) -> String { clean(String(String.UnicodeScalarView(chars[spans[k].0..<spans[k].1]))) }
        // "The solutions are $x=2$ and $x=-2$.", "The answer is $2$ or $-2$.", "The legs are $PQ = 8$ and
        // $QR = 15$.": a run of spans separated only by "and", "or" or commas that ends the text and states values
        // (bare, or each assigned to a name) is one list answer.
        if spans.count > 1, first || (isLast && chars[lastEnd...].allSatisfy({ $0 == "." || $0 == " " || $0 == "\n" || $0 == "!" })) {
            var lo = first ? 0 : spans.count - 1, hi = lo
            if first {
                while hi + 1 < spans.count, hi - lo < 16, isSeparator(chars[spans[hi].2..<spans[hi + 1].0]) { hi += 1 }
            } else {
                while lo > 0, hi - lo < 16, isSeparator(chars[spans[lo - 1].2..<spans[lo].0]) { lo -= 1 }
            }
            if hi > lo {
                let parts = (lo...hi).map(content)
                let names = parts.map(assignedName)
                let sameKind = names.allSatisfy({ $0 == "" }) || names.allSatisfy({ $0 != nil && $0 != "" })
                if sameKind, first ? Set(names).count == 1 : true, parts.allSatisfy({ !$0.isEmpty }) {
                    return (parts.joined(separator: ", "), spans[hi].2, !first)
                }
            }
        }
        let cleaned = clean(String(String.UnicodeScalarView(chars[a..<b])))
        return cleaned.isEmpty ? nil : (cleaned, lastEnd, isLast)
    }

    /// The name a span assigns to (`x` of `x = 2`), "" for a bare value, nil for any other equation.
    static func assignedName(_ span: String) -> String? {
        guard let eq = span.firstIndex(of: "=") else { return "" }
        let name = String(span[..<eq]).trimmedASCII
        guard !name.isEmpty, name.count <= 3, name.unicodeScalars.allSatisfy({ isLetter($0) || $0 == "_" }),
              !span[span.index(after: eq)...].contains("=") else { return nil }
        return name
    }

    /// "The answer is X", "final answer: X", MetaMath "The answer is: X" (to the end of the line): a
    /// box or math span on that line, else the phrase's text (its final value when it is prose).
    /// Phrases after which the answer is stated (lowercase ASCII; other scripts as written): English, and the
    /// "Answer:" of multilingual benchmarks (MGSM) in each language, and Chinese choice phrases.
    static let answerPhrases = [
        "answer is", "answer:", "answer would be", "answer will be", "answer should be",
        "correct option is", "correct choice is", "correct option:", "correct choice:",
        "respuesta:", "réponse:", "réponse :", "antwort:", "ответ:", "Ответ:", "答案：", "答案:", "答え：", "答え:",
        "উত্তর:", "జవాబు:", "คำตอบ:", "jibu:", "resposta:", "risposta:", "cevap:", "उत्तर:", "정답:", "답:",
        "जवाब:", "jawaban:", "odpowiedź:", "antwoord:", "svar:", "vastaus:", "ตอบ:", "Відповідь:", "відповідь:",
        "答案是", "答案为", "答案為", "故选", "应选", "應選", "选项",
    ]

    static func answerPhrase(_ s: String) -> ExtractedAnswer? {
        let bytes = Bytes(s)
        let lower = bytes.asciiLowercased()
        var bestEnd = -1
        var english = true
        for (k, phrase) in answerPhrases.enumerated() {
            let p = Bytes(phrase)
            if let i = lower.lastIndex(of: p), i + p.count > bestEnd { bestEnd = i + p.count; english = k < 9 }
        }
        guard bestEnd >= 0 else { return nil }
        var rest = Bytes(bytes[bestEnd...])
        // "**Answer:** 7", "Answer: **7**": colons and markdown emphasis around the answer; "The final answer
        // is:" with the answer on the next non-empty line.
        func strip(_ r: Bytes) -> Bytes {
            var r = r.trimmed()
            while let f = r.first, f == UInt8(ascii: ":") || f == UInt8(ascii: "*") { r = Bytes(r.dropFirst()).trimmed() }
            return r
        }
        var lineStart = 0
        var lineEnd = rest.firstIndex(of: UInt8(ascii: "\n"))
        while let nl = lineEnd, nl + 1 < rest.count,
              rest[lineStart..<nl].allSatisfy({ Bytes.isSpace($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "*") }) {
            lineStart = nl + 1
            lineEnd = rest[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
        }
        // A later line is the answer only when it is short (a bare answer, not an explanation that follows).
        let line = strip(Bytes(rest[lineStart..<(lineEnd ?? rest.count)]))
        rest = lineStart == 0 || line.count <= maxBareAnswerLength ? line : []
        // Markdown emphasis: "The answer is **42**."
        if rest.contains(Bytes("**")) { rest = rest.replacing(Bytes("**"), with: []).trimmed() }
        var t = rest.string
        if let inner = lastBoxed(t, joinAdjacent: true) { return ExtractedAnswer(text: inner, rule: .answerPhrase) }
        // The first span after the phrase ("The final answer is $5$. Check: $5 - 2 = 3$.").
        if let span = lastMathSpan(t, first: true) { return ExtractedAnswer(text: span.text, rule: .answerPhrase) }
        // Stop at a sentence end: a period followed by a space (not a decimal point).
        if let e = rest.firstIndex(of: Bytes(". ")) { t = Bytes(rest[..<e]).string }
        if let e = Bytes(t).firstIndex(of: Bytes("\u{3002}")) { t = Bytes(Bytes(t)[..<e]).string }
        // "The correct answer is option B."
        for w in ["option ", "choice ", "Option ", "Choice "] where t.hasPrefix(w) { t = String(t.dropFirst(w.count)) }
        // "The answer is 2, not 3": the clause after the value is not the answer.
        let tchars = Array(t.unicodeScalars)
        if let scope = Clauses.subordinate(tchars).first, scope.lowerBound > 0 {
            var head = String(String.UnicodeScalarView(tchars[..<scope.lowerBound])).trimmedASCII
            while let l = head.last, l == "," || l == ";" || l == "(" || l == "[" || l == " " { head.removeLast() }
            if !head.trimmedASCII.isEmpty { t = head }
        }
        if ProseExtractor.looksLikeProse(t), let v = ProseExtractor.finalValue(t) {
            return ExtractedAnswer(text: v, rule: .answerPhrase)
        }
        // "Ответ: 3,5", "Antwort: 1,8": a lone number after another language's phrase may have a decimal comma.
        if !english, !t.unicodeScalars.contains(where: { isLetter($0) || $0 == "\\" }) {
            let found = ProseExtractor.candidates(Array(t.unicodeScalars))
            if found.count == 1 { return ExtractedAnswer(text: found[0].text, rule: .answerPhrase) }
        }
        let cleaned = clean(t)
        if cleaned.isEmpty || cleaned.count > maxBareAnswerLength { return nil }
        return ExtractedAnswer(text: cleaned, rule: .answerPhrase)
    }

    /// The content of `s` when all of it is one `\boxed{...}` / `\fbox{...}` (its first brace closes at the
    /// end), nil otherwise. Linear.
    static func wholeBox(_ s: String) -> String? {
        let u = Array(s.utf8)
        guard let open = u.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        var depth = 0
        var j = open
        while j < u.count {
            let c = u[j]
            if c == UInt8(ascii: "\\") { j += 2; continue }
            if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return j == u.count - 1 ? String(decoding: u[(open + 1)..<j], as: UTF8.self) : nil }
            }
            j += 1
        }
        return nil
    }

    /// Trims and removes wrappers: `$...$`, `\(...\)`, `\[...\]`, `\boxed{...}`, a trailing period.
    static func clean(_ input: String) -> String {
        var s = TextCleanup.clean(input).trimmedASCII
        // Fast path: nothing to unwrap.
        if let first = s.utf8.first, let last = s.utf8.last, first != UInt8(ascii: "$"), first != UInt8(ascii: "\\"),
           first != UInt8(ascii: "*"), last != UInt8(ascii: "."), last != UInt8(ascii: "$") {
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
            } else if s.hasPrefix("\\boxed{") || s.hasPrefix("\\fbox{"), s.hasSuffix("}"), let inner = wholeBox(s) {
                s = inner
            }
            if s.hasSuffix(".") && !s.hasSuffix("..") && !s.hasSuffix("\\.") { s.removeLast() }
            // Markdown emphasis around the answer: `**42**`.
            if s.hasPrefix("**") && s.hasSuffix("**") && s.count >= 4 { s = String(s.dropFirst(2).dropLast(2)) }
            s = s.trimmedASCII
            if s == before { break }
        }
        return s
    }
}

extension String {
    /// Every occurrence of the ASCII `needle` replaced (byte-level, see Bytes.swift).
    func replacingAll(_ needle: String, with replacement: String) -> String {
        guard utf8.count >= needle.utf8.count else { return self }
        return Bytes(self).replacing(Bytes(needle), with: Bytes(replacement)).string
    }
}
