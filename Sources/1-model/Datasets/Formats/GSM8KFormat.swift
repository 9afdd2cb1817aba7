/// A GSM8K record as published (openai/grade-school-math `data/{train,test}.jsonl`):
/// `{question, answer}`, where `answer` is the worked solution, one computation per line, with
/// calculator annotations such as `<<48/2=24>>`, and a last line `#### 72` holding the final answer.
public struct GSM8KRecord: Decodable, Sendable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) { self.question = question; self.answer = answer }

    /// GSM8K has no difficulty level; the project derives one from the number of worked steps,
    /// the usual proxy for its difficulty: 2 steps or fewer -> level 1, 3 -> 2, 4 -> 3, 5 -> 4,
    /// 6 or more -> 5 (so `--levels 1-3` keeps solutions of at most four steps).
    public static func level(steps: Int) -> Int { min(5, max(1, steps - 1)) }

    /// The record in the step format: the final answer is the text after the last `####`, the
    /// steps are the non-empty lines before it, calculator annotations removed unless
    /// `keepCalculatorAnnotations`.
    /// - Throws: ``FieldError`` naming `answer` when there is no `####` or nothing after it.
    public func solution(problemID: String, keepCalculatorAnnotations: Bool = false) throws -> SolutionRecord {
        guard let marker = answer.range(of: "####", options: .backwards) else {
            throw FieldError(field: "answer", "no '#### <answer>' line")
        }
        let final = String(answer[marker.upperBound...]).trimmingSpaces
        guard !final.isEmpty else { throw FieldError(field: "answer", "nothing after '####'") }
        let body = String(answer[..<marker.lowerBound])
        let steps = body.split(separator: "\n").map { line -> String in
            let text = String(line)
            return (keepCalculatorAnnotations ? text : Self.removingCalculatorAnnotations(text)).trimmingSpaces
        }.filter { !$0.isEmpty }
        return SolutionRecord(problemID: problemID, problem: question.trimmingSpaces, steps: steps, answer: final,
                              level: Self.level(steps: steps.count), subject: "gsm8k")
    }

    /// The record as a ``Problem`` whose solution holds the steps separated by blank lines.
    public func problem(id: String, keepCalculatorAnnotations: Bool = false) throws -> Problem {
        let s = try solution(problemID: id, keepCalculatorAnnotations: keepCalculatorAnnotations)
        return Problem(id: id, problem: s.problem, level: s.level ?? 1, subject: "gsm8k", answer: s.answer,
                       solution: s.steps.joined(separator: SolutionFormat.stepSeparator))
    }

    /// `"48/2 = <<48/2=24>>24 clips"` -> `"48/2 = 24 clips"`: every `<<...>>` span is dropped (an
    /// unclosed `<<` is kept as text).
    public static func removingCalculatorAnnotations(_ line: String) -> String {
        var out = "", rest = Substring(line)
        while let open = rest.range(of: "<<") {
            guard let close = rest[open.upperBound...].range(of: ">>") else { break }
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
