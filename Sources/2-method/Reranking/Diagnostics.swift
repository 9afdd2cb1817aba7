import Foundation
import Support

/// Reward-model diagnostics: outcome and step ROC AUC, and ProcessBench-style first-error-step
/// accuracy (PAPER.md, "Reward models": the paper reports step and outcome ROC AUC).

/// Outcome ROC AUC of one aggregation in one group: scores against final-answer correctness
/// (a sample without an answer is a negative).
public struct OutcomeAUC: Codable, Sendable, Equatable {
    public var aggregation: Aggregation
    public var group: String
    /// nil (null in JSON) when the group lacks correct or wrong samples.
    public var auc: Double?
    public var positives: Int
    public var negatives: Int

    enum CodingKeys: String, CodingKey { case aggregation, group, auc, positives, negatives }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(aggregation, forKey: .aggregation)
        try c.encode(group, forKey: .group)
        try c.encode(auc, forKey: .auc)
        try c.encode(positives, forKey: .positives)
        try c.encode(negatives, forKey: .negatives)
    }
}

/// Step ROC AUC in one group: each labelled step's logit against its label (1 = correct step).
public struct StepAUC: Codable, Sendable, Equatable {
    public var group: String
    /// nil (null in JSON) when the group lacks correct or wrong steps.
    public var auc: Double?
    public var positives: Int
    public var negatives: Int

    enum CodingKeys: String, CodingKey { case group, auc, positives, negatives }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(auc, forKey: .auc)
        try c.encode(positives, forKey: .positives)
        try c.encode(negatives, forKey: .negatives)
    }
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

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(erroneous, forKey: .erroneous)
        try c.encode(erroneousHit, forKey: .erroneousHit)
        try c.encode(correct, forKey: .correct)
        try c.encode(correctHit, forKey: .correctHit)
        try c.encode(errorAccuracy, forKey: .errorAccuracy)
        try c.encode(correctAccuracy, forKey: .correctAccuracy)
        try c.encode(f1, forKey: .f1)
    }
}

/// All diagnostics of a run; lists are empty when the input lacks what they need.
public struct RerankDiagnostics: Codable, Sendable, Equatable {
    public var outcomeAUC: [OutcomeAUC]
    /// Per aggregation and group: the mean AUC among the samples of one problem (the number that
    /// must be above 0.5 for any re-ranking to help).
    public var withinProblemAUC: [WithinProblemAUC]
    public var stepAUC: [StepAUC]
    public var firstErrorStep: [FirstErrorStep]

    enum CodingKeys: String, CodingKey {
        case outcomeAUC = "outcome_auc", withinProblemAUC = "within_problem_auc", stepAUC = "step_auc"
        case firstErrorStep = "first_error_step"
    }

    public init(outcomeAUC: [OutcomeAUC], withinProblemAUC: [WithinProblemAUC], stepAUC: [StepAUC],
                firstErrorStep: [FirstErrorStep]) {
        self.outcomeAUC = outcomeAUC; self.withinProblemAUC = withinProblemAUC
        self.stepAUC = stepAUC; self.firstErrorStep = firstErrorStep
    }

    /// Reads summaries written before `within_problem_auc` existed (the field is then empty).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outcomeAUC = try c.decode([OutcomeAUC].self, forKey: .outcomeAUC)
        withinProblemAUC = try c.decodeIfPresent([WithinProblemAUC].self, forKey: .withinProblemAUC) ?? []
        stepAUC = try c.decode([StepAUC].self, forKey: .stepAUC)
        firstErrorStep = try c.decode([FirstErrorStep].self, forKey: .firstErrorStep)
    }
}

enum DiagnosticsEngine {
    /// Outcome AUC per aggregation and step diagnostics, as parallel tasks (steps first: the largest).
    /// - Parameters:
    ///   - groupNames: names of the membership bits (e.g. all, easy, hard).
    ///   - membership: group bits of each pool (same order as `pools` and `problems`).
    static func compute(pools: [ScoredPool], problems: [ValidatedProblem], samples: [RerankSample],
                        aggregations: [Aggregation], groupNames: [String], membership: [UInt8],
                        threshold: Double, threads: Int) -> RerankDiagnostics {
        let scored = pools.contains { !$0.scores.isEmpty }
        var positive: [Bool] = [], member: [UInt8] = []
        if scored {
            let total = pools.reduce(0) { $0 + $1.size }
            positive.reserveCapacity(total); member.reserveCapacity(total)
            for (p, pool) in pools.enumerated() {
                for g in pool.groupOf { positive.append(g == 0); member.append(membership[p]) }
            }
        }
        enum Part { case steps([StepAUC], [FirstErrorStep]), outcome([OutcomeAUC], [WithinProblemAUC]) }
        let tasks = 1 + (scored ? aggregations.count : 0)
        let parts = (try? parallelMap(tasks, threads: threads) { task -> Part in
            if task == 0 {
                let (auc, first) = steps(problems: problems, samples: samples, groupNames: groupNames,
                                         membership: membership, threshold: threshold)
                return .steps(auc, first)
            }
            let a = task - 1
            var scores: [Double] = []
            scores.reserveCapacity(positive.count)
            for pool in pools { for row in pool.scores { scores.append(row[a]) } }
            let values = rocAUC(scores: scores, positive: positive, membership: member, groups: groupNames.count)
            let within = withinProblemAUC(pools: pools, lane: a, membership: membership, groups: groupNames.count)
            return .outcome(values.enumerated().map { g, v in
                OutcomeAUC(aggregation: aggregations[a], group: groupNames[g], auc: v.auc, positives: v.positives,
                           negatives: v.negatives)
            }, within.enumerated().map { g, w in
                WithinProblemAUC(aggregation: aggregations[a], group: groupNames[g], auc: w.auc, problems: w.problems)
            })
        }) ?? []
        var result = RerankDiagnostics(outcomeAUC: [], withinProblemAUC: [], stepAUC: [], firstErrorStep: [])
        for part in parts {
            switch part {
            case .steps(let auc, let first): result.stepAUC = auc; result.firstErrorStep = first
            case .outcome(let o, let w): result.outcomeAUC += o; result.withinProblemAUC += w
            }
        }
        return result
    }

    /// Step AUC (each labelled step's logit against its label) and first-error-step accuracy.
    static func steps(problems: [ValidatedProblem], samples: [RerankSample], groupNames: [String],
                      membership: [UInt8], threshold: Double) -> ([StepAUC], [FirstErrorStep]) {
        let groups = groupNames.count
        var count = 0
        for problem in problems {
            for k in problem.samples where samples[k].stepScores != nil { count += samples[k].stepLabels?.count ?? 0 }
        }
        if count == 0 { return ([], []) }
        var stepScores: [Double] = [], stepLabels: [Bool] = [], stepMember: [UInt8] = []
        stepScores.reserveCapacity(count); stepLabels.reserveCapacity(count); stepMember.reserveCapacity(count)
        var first = (0..<groups).map {
            FirstErrorStep(group: groupNames[$0], threshold: threshold, erroneous: 0, erroneousHit: 0, correct: 0,
                           correctHit: 0, errorAccuracy: nil, correctAccuracy: nil, f1: nil)
        }
        let cut = log(threshold / (1 - threshold)) // p < threshold  <=>  logit < cut
        for (p, problem) in problems.enumerated() {
            let bits = membership[p]
            for k in problem.samples {
                guard let labels = samples[k].stepLabels, let scores = samples[k].stepScores else { continue }
                var trueFirst = -1, predicted = -1
                for i in 0..<labels.count {
                    stepScores.append(scores[i]); stepLabels.append(labels[i]); stepMember.append(bits)
                    if trueFirst < 0 && !labels[i] { trueFirst = i }
                    if predicted < 0 && scores[i] < cut { predicted = i }
                }
                for g in 0..<groups where bits & (1 << g) != 0 {
                    if trueFirst >= 0 {
                        first[g].erroneous += 1
                        if predicted == trueFirst { first[g].erroneousHit += 1 }
                    } else {
                        first[g].correct += 1
                        if predicted < 0 { first[g].correctHit += 1 }
                    }
                }
            }
        }
        let values = rocAUC(scores: stepScores, positive: stepLabels, membership: stepMember, groups: groups)
        let auc = values.enumerated().map { g, v in
            StepAUC(group: groupNames[g], auc: v.auc, positives: v.positives, negatives: v.negatives)
        }
        for g in 0..<groups {
            if first[g].erroneous > 0 { first[g].errorAccuracy = Double(first[g].erroneousHit) / Double(first[g].erroneous) }
            if first[g].correct > 0 { first[g].correctAccuracy = Double(first[g].correctHit) / Double(first[g].correct) }
            if let e = first[g].errorAccuracy, let c = first[g].correctAccuracy { first[g].f1 = e + c > 0 ? 2 * e * c / (e + c) : 0 }
        }
        return (auc, first)
    }
}
