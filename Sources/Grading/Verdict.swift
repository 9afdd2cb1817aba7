/// The ladder rung that decided a comparison (see docs/grading.md).
public enum LadderRung: String, Sendable, Codable, CaseIterable {
    /// No answer could be extracted from one side: not equal.
    case extraction
    /// Rung 1: the normalized strings are equal.
    case normalizedString
    /// A side could not be parsed as mathematics; decided by comparing normalized text.
    case parse
    /// Both answers are words (`\text{Monday}`); compared as lowercased text.
    case text
    /// Rungs 2-3: decided with exact (big rational) arithmetic.
    case exact
    /// Rung 4: decided with floating-point values (random points, irrational constants).
    case numeric
    /// Rung 5: the shapes differ (tuple vs set, lengths, brackets, relation kinds).
    case structure
    /// A safety bound (size, depth, exponent, work steps) was hit: not equal.
    case bound
}

/// The outcome of grading one predicted answer against a gold answer.
public struct Verdict: Sendable, Equatable, Codable {
    /// Whether the predicted answer is mathematically equal to the gold answer.
    public var isEqual: Bool
    /// The extracted gold answer (nil when none was found).
    public var goldAnswer: String?
    /// The extracted predicted answer (nil when none was found).
    public var predictedAnswer: String?
    /// The rung that decided.
    public var rung: LadderRung
    /// Why, when it is not obvious from the rung (a bound that was hit, a parse error).
    public var reason: String?

    public init(isEqual: Bool, goldAnswer: String?, predictedAnswer: String?, rung: LadderRung, reason: String? = nil) {
        self.isEqual = isEqual
        self.goldAnswer = goldAnswer
        self.predictedAnswer = predictedAnswer
        self.rung = rung
        self.reason = reason
    }
}

/// Grades `predicted` against `gold`; each may be a full solution text or a bare answer.
///
/// Both answers are extracted (`extractAnswer(from:)`), then compared by the ladder of
/// `AnswerGrader` with default limits.
public func grade(gold: String, predicted: String) -> Verdict {
    AnswerGrader().grade(gold: gold, predicted: predicted)
}
