/// Word answers stated in a sentence: `\text{Monday}` against "It will be Monday.", `yes` against
/// "Yes, it is possible.", `odd` against "Hence $f$ is odd.".
///
/// Extraction finds numbers, tuples and formulas in prose, but a word answer has no such marker. When
/// one side is a word answer (one to three words of letters) and the other side is a sentence whose
/// extracted answer holds no digit, the sentence states the word answer when its last sentence ends with
/// those words (or starts with them for `yes`/`no`) and no negation ("not", "no", "neither", "never",
/// "isn't") comes right before them.
enum WordAnswers {
    /// Words that negate the word after them.
    static let negations: Set<String> = ["not", "no", "neither", "nor", "never", "isn", "aren", "cannot", "non", "nicht",
                                         "pas", "ne"]
    /// Words that may stand before the answer and carry no meaning of their own.
    static let articles: Set<String> = ["a", "an", "the"]

    /// The words of a word answer (lowercased), nil when `answer` is not one.
    static func words(of answer: ParsedAnswer) -> [String]? {
        guard case .text(let t)? = answer.expression else { return nil }
        var ws = letterWords(t)
        while let f = ws.first, articles.contains(f), ws.count > 1 { ws.removeFirst() }
        guard (1...3).contains(ws.count), ws.allSatisfy({ $0.count >= 2 }) else { return nil }
        return ws
    }

    /// Lowercased runs of letters (any script); LaTeX command names are skipped.
    static func letterWords(_ s: String) -> [String] {
        var out: [String] = []
        var run = String.UnicodeScalarView()
        var command = false
        func end() {
            if !run.isEmpty && !command { out.append(String(run).lowercased()) }
            run = String.UnicodeScalarView()
        }
        for u in s.unicodeScalars {
            if u.properties.isAlphabetic {
                if run.isEmpty { command = false }
                run.append(u)
            } else {
                end()
                command = u == "\\"
            }
        }
        end()
        return out
    }

    /// Whether the last sentence of `text` states `words`.
    static func states(_ text: String, words: [String]) -> Bool {
        let cleaned = AnswerExtractor.lastPart(AnswerExtractor.afterThinking(text))
        guard let sentence = lastSentence(cleaned) else { return false }
        var ws = letterWords(sentence)
        // `\text{...}`, `\textbf{...}` wrappers leave their command names out already; drop a trailing
        // filler ("It is Monday, indeed" is rare; keep it strict).
        guard ws.count >= words.count else { return false }
        if ws.suffix(words.count).elementsEqual(words) {
            ws.removeLast(words.count)
            while let l = ws.last, articles.contains(l) { ws.removeLast() }
            return !(ws.last.map(negations.contains) ?? false)
        }
        if words == ["yes"] || words == ["no"] { return ws.first == words[0] }
        return false
    }

    /// The last sentence with letters in it (split at `.`, `!`, `?` followed by a space, and at lines).
    static func lastSentence(_ s: String) -> String? {
        let chars = Array(s.unicodeScalars)
        var end = chars.count
        var i = chars.count - 1
        while i >= 0 {
            let c = chars[i]
            let boundary = c == "\n" || ((c == "." || c == "!" || c == "?" || c == "\u{3002}") && i + 1 < chars.count
                && (chars[i + 1] == " " || chars[i + 1] == "\n"))
            if boundary || i == 0 {
                let start = boundary ? i + 1 : 0
                let piece = String(String.UnicodeScalarView(chars[start..<end]))
                if piece.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) { return piece }
                end = i
            }
            i -= 1
        }
        return nil
    }
}

extension AnswerGrader {
    /// A word answer on one side and a sentence stating it on the other (`WordAnswers`).
    func wordAnswerStated(goldText: String, predictedText: String, gold: ParsedAnswer, predicted: ParsedAnswer) -> Bool {
        func digitFree(_ p: ParsedAnswer) -> Bool { !p.text.unicodeScalars.contains { $0 >= "0" && $0 <= "9" } }
        if let w = WordAnswers.words(of: gold), digitFree(predicted), WordAnswers.states(predictedText, words: w) { return true }
        if let w = WordAnswers.words(of: predicted), digitFree(gold), WordAnswers.states(goldText, words: w) { return true }
        return false
    }
}

/// `0,5` is read as the decimal 0.5 (a decimal comma) and also as the list 0, 5: a bare answer cannot
/// tell them apart, so it equals either (`0.5`, `\{0, 5\}`).
enum DecimalCommaReading {
    /// The list reading of a bare `0,d...` answer, nil for any other text.
    static func listReading(_ text: String) -> String? {
        let u = Array(text.utf8)
        guard u.count >= 3, u.count <= 40, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: ","),
              u[2...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return "0, " + String(decoding: u[2...], as: UTF8.self)
    }
}

extension AnswerGrader {
    /// The comparison under the list reading of a decimal comma on either side; nil when neither side
    /// has one.
    func listReadingVerdict(_ gold: ParsedAnswer, _ predicted: ParsedAnswer) -> Verdict? {
        if let alt = DecimalCommaReading.listReading(gold.text) {
            let v = compareOnce(parse(alt, rule: gold.rule, isClean: true), predicted)
            if v.isEqual { return v }
        }
        if let alt = DecimalCommaReading.listReading(predicted.text) {
            let v = compareOnce(gold, parse(alt, rule: predicted.rule, isClean: true))
            if v.isEqual { return v }
        }
        return nil
    }
}

/// A choice letter followed by its content, as multiple-choice solutions write it: `\textbf{(B) }5`,
/// `(B) 5`, `B) 5`, `B)`. It equals the letter, and also the content after it.
enum ChoiceReading {
    /// The letter (as `(B)`) and the content after it (nil when there is none).
    static func split(_ text: String) -> (letter: String, content: String?)? {
        var s = Substring(text.trimmedASCII)
        for w in ["\\textbf{", "\\text{", "\\mathrm{", "\\mathbf{"] where s.hasPrefix(w) {
            // `\textbf{(B) }5`: the wrapper around the letter only.
            guard let close = s.firstIndex(of: "}") else { return nil }
            let inner = s[s.index(s.startIndex, offsetBy: w.count)..<close]
            s = Substring(String(inner).trimmedASCII + " " + s[s.index(after: close)...])
            break
        }
        s = Substring(String(s).trimmedASCII)
        var paren = false
        if s.first == "(" { paren = true; s = s.dropFirst() }
        guard let l = s.first, ("A"..."E").contains(l) else { return nil }
        s = s.dropFirst()
        guard s.first == ")" else { return nil }
        s = s.dropFirst()
        let rest = String(s).trimmedASCII
        // A bare `(B)` is a letter already; `B)` and a letter with content are what this reading adds.
        if paren && rest.isEmpty { return nil }
        return ("(" + String(l) + ")", rest.isEmpty ? nil : rest)
    }
}

extension AnswerGrader {
    /// The comparison under the choice reading of either side (`\textbf{(B) }5` as `(B)` or as `5`); nil
    /// when neither side is a letter with content.
    func choiceReadingVerdict(_ gold: ParsedAnswer, _ predicted: ParsedAnswer) -> Verdict? {
        func readings(_ p: ParsedAnswer) -> [ParsedAnswer] {
            guard let (letter, content) = ChoiceReading.split(p.text) else { return [p] }
            return [parse(letter, rule: p.rule, isClean: true)] + (content.map { [parse($0, rule: p.rule, isClean: true)] } ?? [])
        }
        let gs = readings(gold), ps = readings(predicted)
        guard gs.count > 1 || ps.count > 1 || gs[0].text != gold.text || ps[0].text != predicted.text else { return nil }
        for g in gs {
            for p in ps where !(g.text == gold.text && p.text == predicted.text) {
                let v = compareOnce(g, p)
                if v.isEqual { return v }
            }
        }
        return nil
    }
}
