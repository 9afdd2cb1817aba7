import Foundation
import Grading

/// The seam between re-ranking and the grader: how answers are extracted, parsed once, and
/// compared. ``GraderEquivalence`` is the real one; tests inject ``ExactStringEquivalence``.
public protocol AnswerEquivalence: Sendable {
    /// An answer parsed once, compared against many others.
    associatedtype Parsed

    /// The final answer of a solution text; nil when it has none.
    func extract(fromOutput output: String) -> String?
    /// Parses a bare answer; nil when it is empty (no answer).
    func parse(_ answer: String) -> Parsed?
    /// A key such that answers with equal keys are equivalent (different keys may still be).
    func key(_ answer: Parsed) -> String
    /// Whether `answer` is equivalent to `reference` (the gold answer, or a group's first answer).
    func equivalent(_ reference: Parsed, _ answer: Parsed) -> Bool
    /// The final answer of a solution text whose generation stopped at its token limit when `cutAtTokenLimit`.
    func extract(fromOutput output: String, cutAtTokenLimit: Bool) -> String?
}

extension AnswerEquivalence {
    /// By default the finish reason is not used.
    public func extract(fromOutput output: String, cutAtTokenLimit: Bool) -> String? { extract(fromOutput: output) }
}

/// Mathematical equivalence by the project's grader (Sources/Grading, docs/grading.md).
public struct GraderEquivalence: AnswerEquivalence {
    public var grader: AnswerGrader

    public init(grader: AnswerGrader = AnswerGrader()) {
        self.grader = grader
    }

    public func extract(fromOutput output: String) -> String? {
        extractAnswer(from: output)?.text
    }

    public func extract(fromOutput output: String, cutAtTokenLimit: Bool) -> String? {
        extractAnswer(from: output, cutAtTokenLimit: cutAtTokenLimit)?.text
    }

    public func parse(_ answer: String) -> ParsedAnswer? {
        let p = grader.parse(answer)
        return p.text.isEmpty ? nil : p
    }

    public func key(_ answer: ParsedAnswer) -> String {
        answer.groupingKey
    }

    public func equivalent(_ reference: ParsedAnswer, _ answer: ParsedAnswer) -> Bool {
        grader.equivalent(reference, answer)
    }
}

/// Answers are equal when their trimmed strings are equal; the answer of an output is the text
/// after its last "# Answer" line, else the whole trimmed output. For tests and for data whose
/// answers are already canonical.
public struct ExactStringEquivalence: AnswerEquivalence {
    public init() {}

    public func extract(fromOutput output: String) -> String? {
        if let r = output.range(of: "# Answer", options: .backwards) {
            let t = output[r.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        let t = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    public func parse(_ answer: String) -> String? {
        let t = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    public func key(_ answer: String) -> String { answer }

    public func equivalent(_ reference: String, _ answer: String) -> Bool { reference == answer }
}
