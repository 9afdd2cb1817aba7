/// The project's solution text format (PAPER.md, "Text format"), used for SFT, scoring and sampling:
///
///     # Question\n\n{problem}\n\n# Solution\n\n{step 1}\n\n{step 2}...\n\n# Answer\n\n{answer}
///
/// followed by EOS, which is a token and not part of the text (``Tokenizer/encodeDocument(_:)``).
/// A policy is prompted with ``prompt(problem:)`` and samples the ``completion(steps:answer:)``.
public enum SolutionFormat {
    /// Separator between steps (a blank line).
    public static let stepSeparator = "\n\n"
    /// The line that starts the answer section.
    public static let answerMarker = "# Answer"

    /// The prompt a policy continues: `"# Question\n\n{problem}\n\n# Solution\n\n"`.
    public static func prompt(problem: String) -> String {
        "# Question\n\n" + problem + "\n\n# Solution\n\n"
    }

    /// The text after the prompt: steps separated by blank lines, then the answer section.
    /// With no steps it is just `"# Answer\n\n{answer}"`.
    public static func completion(steps: [String], answer: String) -> String {
        let answerSection = answerMarker + "\n\n" + answer
        return steps.isEmpty ? answerSection : steps.joined(separator: stepSeparator) + stepSeparator + answerSection
    }

    /// The whole text: ``prompt(problem:)`` + ``completion(steps:answer:)`` (EOS not included).
    public static func text(problem: String, steps: [String], answer: String) -> String {
        prompt(problem: problem) + completion(steps: steps, answer: answer)
    }

    /// The answer section written as a step, as PRM800K does: `"# Answer\n\n{answer}"`.
    public static func answerStep(_ answer: String) -> String { answerMarker + "\n\n" + answer }

    /// Splits blank-line separated text into trimmed, non-empty steps.
    public static func splitSteps(_ body: String) -> [String] {
        parseCompletion(body).steps
    }

    /// Parses a completion (the text after the prompt, e.g. a model's sample, EOS removed).
    ///
    /// The answer section starts at the first line that begins with `# Answer`; the answer is the
    /// rest of that section's first non-empty line, trimmed (text after it, e.g. a model that did
    /// not stop, is ignored). Steps are the blank-line separated, trimmed, non-empty pieces before
    /// the answer section. Never fails: garbage gives garbage steps and usually no answer.
    public static func parseCompletion(_ completion: String) -> ParsedCompletion {
        let s = Array(completion.unicodeScalars)
        let markerStart = findLineStarting(with: answerMarker, in: s) ?? s.count
        let stepRanges = splitRanges(s, in: 0..<markerStart)
        var answer: String?
        var answerRange: Range<Int>?
        if markerStart < s.count {
            var i = markerStart + answerMarker.unicodeScalars.count
            while i < s.count, s[i] == "\n" || s[i] == " " || s[i] == "\t" || s[i] == "\r" { i += 1 }
            var j = i
            while j < s.count, s[j] != "\n" { j += 1 }
            let r = trimmed(s, i..<j)
            if !r.isEmpty {
                answerRange = r
                answer = string(s, r)
            }
        }
        return ParsedCompletion(steps: stepRanges.map { string(s, $0) }, stepRanges: stepRanges,
                                answer: answer, answerRange: answerRange,
                                hasAnswerSection: markerStart < s.count)
    }

    /// Parses a whole text that starts with the prompt; nil when there is no `# Solution` line.
    public static func parse(_ text: String) -> ParsedSolution? {
        let s = Array(text.unicodeScalars)
        guard let solutionLine = findLineStarting(with: "# Solution", in: s) else { return nil }
        var questionStart = 0
        if let q = findLineStarting(with: "# Question", in: s), q < solutionLine {
            questionStart = q + "# Question".unicodeScalars.count
        }
        let question = string(s, trimmed(s, questionStart..<solutionLine))
        var start = solutionLine + "# Solution".unicodeScalars.count
        // The prompt ends with "# Solution\n\n": skip up to two newlines so offsets match a sample.
        var skipped = 0
        while start < s.count, s[start] == "\n", skipped < 2 { start += 1; skipped += 1 }
        var completion = String.UnicodeScalarView()
        completion.append(contentsOf: s[start...])
        return ParsedSolution(question: question, completionOffset: start,
                              completion: parseCompletion(String(completion)))
    }

    // MARK: - Scanning helpers (offsets are Unicode scalar indices)

    private static func findLineStarting(with marker: String, in s: [Unicode.Scalar]) -> Int? {
        let m = Array(marker.unicodeScalars)
        guard s.count >= m.count else { return nil }
        var i = 0
        while i + m.count <= s.count {
            if i == 0 || s[i - 1] == "\n" {
                var k = 0
                while k < m.count, s[i + k] == m[k] { k += 1 }
                if k == m.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Ranges of the trimmed pieces of `range` separated by runs of two or more newlines.
    private static func splitRanges(_ s: [Unicode.Scalar], in range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var pieceStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            if s[i] == "\n" {
                var j = i
                var newlines = 0
                while j < range.upperBound, s[j] == "\n" || s[j] == " " || s[j] == "\t" || s[j] == "\r" {
                    if s[j] == "\n" { newlines += 1 }
                    j += 1
                }
                if newlines >= 2 {
                    let r = trimmed(s, pieceStart..<i)
                    if !r.isEmpty { out.append(r) }
                    pieceStart = j
                }
                i = j
            } else {
                i += 1
            }
        }
        let r = trimmed(s, pieceStart..<range.upperBound)
        if !r.isEmpty { out.append(r) }
        return out
    }

    private static func trimmed(_ s: [Unicode.Scalar], _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi, s[lo].properties.isWhitespace { lo += 1 }
        while hi > lo, s[hi - 1].properties.isWhitespace { hi -= 1 }
        return lo..<hi
    }

    private static func string(_ s: [Unicode.Scalar], _ r: Range<Int>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[r])
        return String(v)
    }
}

/// A parsed completion; offsets count Unicode scalars from the start of the completion, which
/// for ``CharacterVocabulary`` equals token positions after the prompt.
public struct ParsedCompletion: Equatable, Sendable {
    /// The steps, trimmed, without separators and without the answer section.
    public var steps: [String]
    /// Where each step's text lies; the newline that ends a step (where a PRM reads the step's
    /// score) is at `range.upperBound` when one follows.
    public var stepRanges: [Range<Int>]
    /// The final answer, or nil when there is no answer section or it is empty.
    public var answer: String?
    /// Where the answer text lies (its last scalar is where an outcome score is read).
    public var answerRange: Range<Int>?
    /// Whether a `# Answer` line was found (even if the answer after it is empty).
    public var hasAnswerSection: Bool

    /// The steps followed by the answer section as one more step (`"# Answer\n\n{answer}"`), the
    /// PRM800K convention for labelling the answer like a step.
    public var stepsWithAnswer: [String] {
        answer.map { steps + [SolutionFormat.answerStep($0)] } ?? steps
    }
}

/// A parsed whole text (prompt + completion).
public struct ParsedSolution: Equatable, Sendable {
    /// The problem statement between `# Question` and `# Solution`, trimmed.
    public var question: String
    /// Offset (Unicode scalars) of the completion within the whole text.
    public var completionOffset: Int
    /// The parsed completion.
    public var completion: ParsedCompletion
}
