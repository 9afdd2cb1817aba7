// The paper's RL rewards placed on a rollout's tokens (PAPER.md "RL details", REFERENCE.md §1):
// per step k, p_k = sigmoid(step score), the "min" shaping with upper bound u and a bonus c/K per
// step, on the step's last token (the newline after it, where the PRM read its score); the
// outcome reward on the last sampled token: 1/0 by the grader where the answer is known (easy
// problems), a constant where it is not (hard), a penalty when the answer is missing or the sample
// was cut off. The step checker is never a reward.

import Foundation
import Objectives

/// Which evaluator's scores shape the reward.
public enum RewardSource: String, Codable, Sendable, CaseIterable {
    /// Process reward from the PRM's step scores, plus the outcome reward (the paper's main PPO).
    case prm
    /// Outcome reward only; where the grader cannot say, the ORM's final-answer probability.
    case orm
    /// Process reward from the OPRM's step scores, plus the outcome reward.
    case oprm
    /// The grader's outcome reward only (the paper's "PPO outcome-only on easy").
    case outcome

    /// Whether step rewards come from a reward model's step scores.
    public var usesStepScores: Bool { self == .prm || self == .oprm }
    /// Whether a reward model is read at all.
    public var usesRewardModel: Bool { self != .outcome }
}

/// Settings of the rewards.
public struct RLRewardConfig: Codable, Sendable, Equatable {
    /// Whose scores shape the reward.
    public var source: RewardSource = .prm
    /// The "min" shaping: upper bound u (0.5) and total step bonus c (0.25).
    public var process: ProcessRewardConfig = .init()
    /// Outcome reward of a right final answer (grader, easy problems).
    public var correctReward: Float = 1
    /// Outcome reward of a wrong final answer (grader, easy problems).
    public var wrongReward: Float = 0
    /// Outcome reward where the answer is not known to the method (hard problems; paper: 0.25).
    public var unknownOutcomeReward: Float = 0.25
    /// Outcome reward when the answer is missing or the sample hit the length limit (replaces the
    /// outcome reward; the step rewards stay).
    public var missingAnswerPenalty: Float = -1
    /// Use the grader's verdict where known (false: a PRM-only reward, every outcome unknown).
    public var useGrader = true
    /// The factor on the process (step) rewards against the outcome reward, ≥ 0 (nil = 1, the
    /// paper's sum). Below 1 the reward model's step scores steer less of the update (docs/rl.md,
    /// "Session 18").
    public var processWeight: Float?

    public init() {}
}

/// The reward of one rollout on its tokens, and its parts.
public struct TokenRewards: Sendable, Equatable {
    /// (n) reward on each sampled token; 0 off the step ends and the last token.
    public var rewards: [Float]
    /// (K) step rewards of the process reward, in step order (empty without step scores).
    public var stepRewards: [Float]
    /// (K) token index each step reward sits on.
    public var stepTokens: [Int]
    /// The outcome reward on the last token.
    public var outcome: Float
    /// Σ rewards.
    public var total: Float { rewards.reduce(0, +) }

    public init(rewards: [Float], stepRewards: [Float], stepTokens: [Int], outcome: Float) {
        self.rewards = rewards; self.stepRewards = stepRewards; self.stepTokens = stepTokens; self.outcome = outcome
    }
}

/// The rewards of `rollout` under `config` from its judgement.
public func tokenRewards(rollout: Rollout, judgement: RolloutJudgement, config: RLRewardConfig) -> TokenRewards {
    let n = rollout.tokens.count
    var rewards = [Float](repeating: 0, count: n)
    guard n > 0 else { return TokenRewards(rewards: [], stepRewards: [], stepTokens: [], outcome: 0) }
    var stepRewards: [Float] = [], stepTokens: [Int] = []
    let steps = rollout.parsed.stepRanges.count
    // A process weight of 0 means no process reward: no steps at all, not steps worth 0, which
    // process-supervision GRPO would still count in its group normalisation (a bias against
    // solutions with more steps wherever the outcome is the same; docs/rl.md, "Session 22").
    if config.source.usesStepScores, config.processWeight != 0, let scores = judgement.stepScores, steps > 0 {
        let k = min(steps, scores.count)
        if k > 0 {
            let probabilities = scores.prefix(k).map { 1 / (1 + expf(-$0)) }
            stepRewards = [Float](repeating: 0, count: k)
            probabilities.withUnsafeBufferPointer { p in
                stepRewards.withUnsafeMutableBufferPointer { r in
                    minShapedStepRewards(rewards: r.baseAddress!, stepProbabilities: p.baseAddress!, steps: k,
                                         config: config.process)
                }
            }
            if let weight = config.processWeight, weight != 1 { stepRewards = stepRewards.map { $0 * weight } }
            for (range, reward) in zip(rollout.parsed.stepRanges.prefix(k), stepRewards) {
                // The newline after the step (its score's position), or the step's last token.
                let token = min(n - 1, max(range.lowerBound, range.upperBound))
                stepTokens.append(token)
                rewards[token] += reward
            }
        }
    }
    var outcome: Float
    if rollout.parsed.answer == nil || rollout.finishReason == .length {
        outcome = config.missingAnswerPenalty
    } else if config.useGrader, let correct = judgement.outcome {
        outcome = correct ? config.correctReward : config.wrongReward
    } else if config.source == .orm, let final = judgement.stepScores?.last {
        outcome = 1 / (1 + expf(-final))
    } else {
        outcome = config.unknownOutcomeReward
    }
    rewards[n - 1] += outcome
    return TokenRewards(rewards: rewards, stepRewards: stepRewards, stepTokens: stepTokens, outcome: outcome)
}

/// DeepSeekMath's process-supervision GRPO advantages of one group: the step rewards (the outcome
/// reward counted as a last step on the last token) normalised over the group, and a token's
/// advantage the sum over its step and the later ones (``processGroupAdvantages``).
///
/// - Returns: (n) advantages per rollout of the group, in order.
public func processAdvantages(_ group: [TokenRewards], epsilon: Float) -> [[Float]] {
    var steps: [Float] = [], counts: [Int] = [], ends: [[Int]] = []
    for rewards in group {
        let n = rewards.rewards.count
        let stepRewards = rewards.stepRewards + (n > 0 ? [rewards.outcome] : [])
        var stepEnds = rewards.stepTokens + (n > 0 ? [n - 1] : [])
        // Steps ending on one token (a step ending at the last token) keep their order.
        for i in stepEnds.indices.dropFirst() where stepEnds[i] < stepEnds[i - 1] { stepEnds[i] = stepEnds[i - 1] }
        steps += stepRewards; counts.append(stepRewards.count); ends.append(stepEnds)
    }
    var stepAdvantages = [Float](repeating: 0, count: steps.count)
    steps.withUnsafeBufferPointer { s in
        counts.withUnsafeBufferPointer { c in
            stepAdvantages.withUnsafeMutableBufferPointer { a in
                processGroupAdvantages(stepAdvantages: a.baseAddress!, stepRewards: s.baseAddress!, stepCounts: c.baseAddress!,
                                       samples: group.count, epsilon: epsilon)
            }
        }
    }
    var start = 0
    return group.enumerated().map { g, rewards in
        let n = rewards.rewards.count, k = counts[g]
        var tokens = [Float](repeating: 0, count: n)
        if n > 0 {
            let slice = Array(stepAdvantages[start..<(start + k)])
            slice.withUnsafeBufferPointer { a in
                ends[g].withUnsafeBufferPointer { e in
                    tokens.withUnsafeMutableBufferPointer { t in
                        stepAdvantagesToTokens(tokenAdvantages: t.baseAddress!, stepAdvantages: a.baseAddress!,
                                               stepLastTokens: e.baseAddress!, steps: k, length: n)
                    }
                }
            }
        }
        start += k
        return tokens
    }
}

/// ``RLConfig/voteOutcome``: the outcome rewards of `rewards` where the answer is unknown replaced
/// by the PRM-weighted vote of each group of `groupSize` rollouts: ``RLRewardConfig/correctReward``
/// for the rollouts of the winning answer, ``RLRewardConfig/wrongReward`` for the other finished
/// rollouts with an answer; missing or cut-off answers keep their penalty, known answers their
/// grader's verdict. With `minConfidence` (``RLConfig/voteConfidence``), a group whose winner's best
/// rollout has a product of step probabilities below it is left as it was. Returns the new rewards
/// (the outcome moved on the last token).
public func votedOutcomeRewards(_ rewards: [TokenRewards], rollouts: [Rollout], judgements: [RolloutJudgement],
                                groupSize: Int, config: RLRewardConfig, minConfidence: Float? = nil) -> [TokenRewards] {
    var result = rewards
    for start in stride(from: 0, to: rollouts.count, by: max(1, groupSize)) {
        let range = start..<min(start + groupSize, rollouts.count)
        let vote = weightedVote(range, rollouts: rollouts, judgements: judgements)
        if let t = minConfidence, (vote?.confidence ?? 0) < Double(t) { continue }
        let winners = vote?.members ?? []
        for i in range where judgements[i].outcome == nil && !result[i].rewards.isEmpty {
            guard rollouts[i].parsed.answer != nil, rollouts[i].finishReason != .length else { continue }
            let outcome = winners.contains(i) ? config.correctReward : config.wrongReward
            result[i].rewards[result[i].rewards.count - 1] += outcome - result[i].outcome
            result[i].outcome = outcome
        }
    }
    return result
}
