/// An answer parsed once, for comparing against many others (re-ranking groups 1024 samples).
public struct ParsedAnswer: Sendable, Hashable {
    public var raw: String
}

/// Parses answers once and compares parsed answers.
public struct AnswerGrader: Sendable {
    public init() {}
    public func parse(_ answer: String) -> ParsedAnswer { ParsedAnswer(raw: answer) }
    public func equivalent(_ a: ParsedAnswer, _ b: ParsedAnswer) -> Bool { a.raw == b.raw }
}
