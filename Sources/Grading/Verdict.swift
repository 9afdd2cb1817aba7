/// The ladder rung that decided a comparison.
public enum LadderRung: String, Sendable, Codable {
    case extraction, normalizedString, exact, numeric, structure, bound
}

/// The outcome of grading one predicted answer against a gold answer.
public struct Verdict: Sendable, Equatable {
    public var isEqual: Bool
    public var goldAnswer: String?
    public var predictedAnswer: String?
    public var rung: LadderRung
    public var reason: String?
}

/// Grades `predicted` against `gold` (both full solution texts or bare answers).
public func grade(gold: String, predicted: String) -> Verdict {
    let g = extractAnswer(from: gold)?.text
    let p = extractAnswer(from: predicted)?.text
    guard let g, let p else {
        return Verdict(isEqual: false, goldAnswer: g, predictedAnswer: p, rung: .extraction, reason: "no answer found")
    }
    return Verdict(isEqual: g == p, goldAnswer: g, predictedAnswer: p, rung: .normalizedString, reason: nil)
}
