// Training sets of the reward models from labelled samples (PAPER.md, "Reward models"):
// PRM: every step labelled; ORM: outcome only, with the per-question positive:negative balance
// kept between 1:3 and 3:1; OPRM: both sets mixed.

import Datasets
import Kernels
import Training

/// Which reward model.
public enum RewardKind: String, Codable, Sendable, CaseIterable {
    case prm, orm, oprm
}

/// Reward-model examples of `kind` from labelled samples (`step_labels`, `correct` set).
///
/// ORM balance: per question, the larger class is cut to at most 3× the smaller (a question with
/// a single class keeps at most one sample, so unanimous questions do not dominate). The choice is
/// seeded. `format` writes the prompts (the paper's by default; a bundle's for a real model).
public func rewardExamples(kind: RewardKind, samples: [SampleRecord], problems: [String: Problem],
                           builder: ExampleBuilder, seed: UInt64,
                           format: (String) -> String = { SolutionFormat.prompt(problem: $0) }) throws -> [TrainingExample] {
    func prompt(_ sample: SampleRecord) -> String { format(problems[sample.problemID]!.problem) }
    func processExample(_ s: SampleRecord) throws -> TrainingExample {
        let labels = (s.stepLabels ?? []).map { $0 == 1 }
        return try builder.rewardExample(prompt: prompt(s), completion: s.output,
                                         stepLabels: Array(labels.prefix(s.steps.count)),
                                         outcome: s.answer == nil ? nil : (s.correct ?? false), source: s.problemID)
    }
    func outcomeExample(_ s: SampleRecord) throws -> TrainingExample {
        try builder.rewardExample(prompt: prompt(s), completion: s.output, stepLabels: nil,
                                  outcome: s.correct ?? false, source: s.problemID)
    }
    switch kind {
    case .prm:
        return try samples.map(processExample)
    case .orm:
        return try balancedOutcomeSamples(samples, seed: seed).map(outcomeExample)
    case .oprm:
        return try samples.map(processExample) + balancedOutcomeSamples(samples, seed: seed).map(outcomeExample)
    }
}

/// Per question, positives and negatives with the majority cut to ≤ 3× the minority.
func balancedOutcomeSamples(_ samples: [SampleRecord], seed: UInt64) -> [SampleRecord] {
    var generator = SeededGenerator(seed: seed)
    var byProblem: [String: [SampleRecord]] = [:]
    var order: [String] = []
    for s in samples {
        if byProblem[s.problemID] == nil { order.append(s.problemID) }
        byProblem[s.problemID, default: []].append(s)
    }
    var kept: [SampleRecord] = []
    for id in order {
        let group = byProblem[id]!
        let positives = group.filter { $0.correct == true }.shuffled(using: &generator)
        let negatives = group.filter { $0.correct != true }.shuffled(using: &generator)
        let minority = min(positives.count, negatives.count)
        let cap = minority == 0 ? 1 : 3 * minority
        kept += positives.prefix(cap) + negatives.prefix(cap)
    }
    return kept
}
