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
    /// The extraction rule that found the gold answer (nil for an answer given bare to `compare`).
    public var goldRule: ExtractionRule?
    /// The extraction rule that found the predicted answer.
    public var predictedRule: ExtractionRule?

    public init(isEqual: Bool, goldAnswer: String?, predictedAnswer: String?, rung: LadderRung, reason: String? = nil,
                goldRule: ExtractionRule? = nil, predictedRule: ExtractionRule? = nil) {
        self.isEqual = isEqual
        self.goldAnswer = goldAnswer
        self.predictedAnswer = predictedAnswer
        self.rung = rung
        self.reason = reason
        self.goldRule = goldRule
        self.predictedRule = predictedRule
    }

    /// A few lines for people: each extracted answer with the rule that extracted it, the verdict, the
    /// rung that decided and the reason (`e2h grade --explain`).
    public var explanation: String {
        func answer(_ a: String?, _ r: ExtractionRule?) -> String {
            guard let a else { return "(none found)" }
            return "\(a)    [rule: \(r?.rawValue ?? "bare")]"
        }
        var lines = [
            "gold answer:      " + answer(goldAnswer, goldRule),
            "predicted answer: " + answer(predictedAnswer, predictedRule),
            "verdict:          " + (isEqual ? "equal" : "not equal"),
            "decided at rung:  \(rung.rawValue) (\(rung.summary))",
        ]
        if let reason { lines.append("reason:           " + reason) }
        return lines.joined(separator: "\n")
    }
}

extension LadderRung {
    /// One line on what the rung means.
    public var summary: String {
        switch self {
        case .extraction: return "no answer could be extracted from one side"
        case .normalizedString: return "the normalized strings are equal"
        case .parse: return "a side is not mathematics; compared as normalized text"
        case .text: return "word answers, compared as lowercased text"
        case .exact: return "compared with exact rational arithmetic"
        case .numeric: return "compared with floating point at random points or for irrational constants"
        case .structure: return "the shapes differ (tuple vs set, lengths, brackets, relation kinds)"
        case .bound: return "a safety bound was hit; not equal"
        }
    }
}

/// Grades `predicted` against `gold`; each may be a full solution text or a bare answer.
///
/// Both answers are extracted (`extractAnswer(from:)`), then compared by the ladder of
/// `AnswerGrader` with default limits.
public func grade(gold: String, predicted: String) -> Verdict {
    AnswerGrader().grade(gold: gold, predicted: predicted)
}

/// The same for a model output whose generation stopped at its token limit when `predictedCutAtTokenLimit`
/// (finish reason "length"): see `extractAnswer(from:cutAtTokenLimit:)`.
public func grade(gold: String, predicted: String, predictedCutAtTokenLimit: Bool) -> Verdict {
    AnswerGrader().grade(gold: gold, predicted: predicted, predictedCutAtTokenLimit: predictedCutAtTokenLimit)
}
