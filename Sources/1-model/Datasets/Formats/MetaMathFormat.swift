/// One MetaMathQA record as published (`MetaMathQA-395K.json`, a JSON array; JSON Lines also
/// read): `{query, response, type, original_question}`.
public struct MetaMathRecord: Decodable, Sendable {
    public var query: String
    /// Free text ending with "The answer is: X".
    public var response: String
    /// e.g. "GSM_Rephrased", "MATH_AnsAug".
    public var type: String?
    public var originalQuestion: String?

    enum CodingKeys: String, CodingKey {
        case query, response, type, originalQuestion = "original_question"
    }

    /// The response in the step format: the answer is the text after the last
    /// "The answer is:", the steps are the sentences before it (see ``splitSentences(_:)``),
    /// without GSM8K's `#### {answer}` line.
    /// - Throws: ``FieldError`` when the response has no "The answer is:".
    public func solution(problemID: String) throws -> SolutionRecord {
        guard let r = response.range(of: "The answer is:", options: .backwards) else {
            throw FieldError(field: "response", "no 'The answer is:' in the response")
        }
        let answer = String(response[r.upperBound...]).trimmingSpaces
        guard !answer.isEmpty else { throw FieldError(field: "response", "empty answer after 'The answer is:'") }
        // GSM-derived responses repeat the answer as a "#### 18" line before "The answer is:".
        let steps = Self.splitSentences(String(response[..<r.lowerBound])).filter { !$0.hasPrefix("####") }
        return SolutionRecord(problemID: problemID, problem: query, steps: steps, answer: answer, subject: type)
    }

    /// Splits text into sentences: at line breaks, and after `.`, `!` or `?` followed by a space,
    /// unless the period ends a one-letter abbreviation ("i.e. "). Decimal points are never
    /// followed by a space. `$` is not treated as a math delimiter because GSM text uses it for
    /// money. Pieces are trimmed; empty ones dropped.
    public static func splitSentences(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let chars = Array(line)
            var current = ""
            for (i, ch) in chars.enumerated() {
                current.append(ch)
                guard ch == "." || ch == "!" || ch == "?" else { continue }
                let followedBySpace = i + 1 < chars.count && chars[i + 1] == " "
                guard followedBySpace else { continue }
                // "e.g. ", "A. " stay together: a single letter before the period.
                let prevIsLoneLetter = i >= 1 && chars[i - 1].isLetter && (i < 2 || !chars[i - 2].isLetter)
                if ch == "." && prevIsLoneLetter { continue }
                out.append(current.trimmingSpaces)
                current = ""
            }
            let rest = current.trimmingSpaces
            if !rest.isEmpty { out.append(rest) }
        }
        return out.filter { !$0.isEmpty }
    }
}
