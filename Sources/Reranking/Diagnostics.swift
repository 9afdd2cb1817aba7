import Foundation

/// Reward-model diagnostics: outcome and step ROC AUC, and ProcessBench-style first-error-step
/// accuracy (PAPER.md, "Reward models": the paper reports step and outcome ROC AUC).

/// Outcome ROC AUC of one aggregation in one group: scores against final-answer correctness
/// (a sample without an answer is a negative).
public struct OutcomeAUC: Codable, Sendable, Equatable {
    public var aggregation: Aggregation
    public var group: String
    public var auc: Double?
    public var positives: Int
    public var negatives: Int
}

/// Step ROC AUC in one group: each labelled step's logit against its label (1 = correct step).
public struct StepAUC: Codable, Sendable, Equatable {
    public var group: String
    public var auc: Double?
    public var positives: Int
    public var negatives: Int
}

/// First-error-step identification (ProcessBench): the predicted first error is the first labelled
/// step whose probability is below the threshold (none: the solution is predicted correct).
public struct FirstErrorStep: Codable, Sendable, Equatable {
    public var group: String
    public var threshold: Double
    /// Labelled samples with at least one wrong step, and those predicted at exactly that step.
    public var erroneous: Int
    public var erroneousHit: Int
    /// Labelled samples with no wrong step, and those predicted to have none.
    public var correct: Int
    public var correctHit: Int
    /// erroneousHit / erroneous, correctHit / correct, and their harmonic mean (nil when undefined).
    public var errorAccuracy: Double?
    public var correctAccuracy: Double?
    public var f1: Double?

    enum CodingKeys: String, CodingKey {
        case group, threshold, erroneous, erroneousHit = "erroneous_hit", correct, correctHit = "correct_hit"
        case errorAccuracy = "error_accuracy", correctAccuracy = "correct_accuracy", f1
    }
}

/// All diagnostics of a run; lists are empty when the input lacks what they need.
public struct RerankDiagnostics: Codable, Sendable, Equatable {
    public var outcomeAUC: [OutcomeAUC]
    public var stepAUC: [StepAUC]
    public var firstErrorStep: [FirstErrorStep]

    enum CodingKeys: String, CodingKey {
        case outcomeAUC = "outcome_auc", stepAUC = "step_auc", firstErrorStep = "first_error_step"
    }
}

enum DiagnosticsEngine {
    /// - Parameters:
    ///   - groupNames: names of the membership bits (e.g. all, easy, hard).
    ///   - membership: group bits of each pool (same order as `pools`).
    static func compute(pools: [ScoredPool], problems: [ValidatedProblem], samples: [RerankSample],
                        aggregations: [Aggregation], groupNames: [String], membership: [UInt8],
                        threshold: Double, threads: Int) -> RerankDiagnostics {
        let groups = groupNames.count
        var outcome: [OutcomeAUC] = []
        if pools.contains(where: { !$0.scores.isEmpty }) {
            let total = pools.reduce(0) { $0 + $1.size }
            var positive: [Bool] = [], member: [UInt8] = []
            positive.reserveCapacity(total); member.reserveCapacity(total)
            for (p, pool) in pools.enumerated() {
                for g in pool.groupOf { positive.append(g == 0); member.append(membership[p]) }
            }
            let A = aggregations.count
            let perAggregation = (try? parallelMap(A, threads: threads) { a -> [AUCValue] in
                var scores: [Double] = []
                scores.reserveCapacity(total)
                for pool in pools {
                    for s in 0..<pool.size { scores.append(pool.scores[s][a]) }
                }
                return rocAUC(scores: scores, positive: positive, membership: member, groups: groups)
            }) ?? []
            for (a, values) in perAggregation.enumerated() {
                for (g, v) in values.enumerated() {
                    outcome.append(OutcomeAUC(aggregation: aggregations[a], group: groupNames[g], auc: v.auc,
                                              positives: v.positives, negatives: v.negatives))
                }
            }
        }

        // Steps: every labelled step's logit.
        var stepScores: [Double] = [], stepLabels: [Bool] = [], stepMember: [UInt8] = []
        var firstError = (0..<groups).map {
            FirstErrorStep(group: groupNames[$0], threshold: threshold, erroneous: 0, erroneousHit: 0, correct: 0,
                           correctHit: 0, errorAccuracy: nil, correctAccuracy: nil, f1: nil)
        }
        let cut = log(threshold / (1 - threshold)) // p < threshold  <=>  logit < cut
        for (p, problem) in problems.enumerated() {
            for k in problem.samples {
                guard let labels = samples[k].stepLabels, let scores = samples[k].stepScores else { continue }
                var trueFirst = -1, predicted = -1
                for i in 0..<labels.count {
                    stepScores.append(scores[i]); stepLabels.append(labels[i]); stepMember.append(membership[p])
                    if trueFirst < 0 && !labels[i] { trueFirst = i }
                    if predicted < 0 && scores[i] < cut { predicted = i }
                }
                for g in 0..<groups where membership[p] & (1 << g) != 0 {
                    if trueFirst >= 0 {
                        firstError[g].erroneous += 1
                        if predicted == trueFirst { firstError[g].erroneousHit += 1 }
                    } else {
                        firstError[g].correct += 1
                        if predicted < 0 { firstError[g].correctHit += 1 }
                    }
                }
            }
        }
        var steps: [StepAUC] = []
        if !stepScores.isEmpty {
            let values = rocAUC(scores: stepScores, positive: stepLabels, membership: stepMember, groups: groups)
            steps = values.enumerated().map { g, v in
                StepAUC(group: groupNames[g], auc: v.auc, positives: v.positives, negatives: v.negatives)
            }
            for g in 0..<groups {
                var f = firstError[g]
                if f.erroneous > 0 { f.errorAccuracy = Double(f.erroneousHit) / Double(f.erroneous) }
                if f.correct > 0 { f.correctAccuracy = Double(f.correctHit) / Double(f.correct) }
                if let e = f.errorAccuracy, let c = f.correctAccuracy { f.f1 = e + c > 0 ? 2 * e * c / (e + c) : 0 }
                firstError[g] = f
            }
        } else {
            firstError = []
        }
        return RerankDiagnostics(outcomeAUC: outcome, stepAUC: steps, firstErrorStep: firstError)
    }
}
