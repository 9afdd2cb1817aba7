// The update of each algorithm from one iteration's judged rollouts. Shapes: per-rollout arrays
// are per sampled token (n); packed batches are (B, T) as in ``RolloutBatch``.

import Foundation
import Grading
import Kernels
import Objectives
import Transformer

extension RLTrainer {
    /// GRPO: group advantages (outcome or DeepSeekMath process supervision), KL to the reference
    /// in the loss, clipped updates over minibatches.
    func updateGRPO(_ k: Int, rollouts: [Rollout], rewards: [TokenRewards], line: inout RLIterationMetrics,
                    lap: () -> Double) throws {
        let G = config.samplesPerProblem
        var advantages: [[Float]] = []
        for start in stride(from: 0, to: rollouts.count, by: G) {
            let group = Array(rewards[start..<min(start + G, rollouts.count)])
            if config.processSupervision {
                advantages += processAdvantages(group, epsilon: config.group.epsilon)
            } else {
                var perRollout = [Float](repeating: 0, count: group.count)
                try group.map(\.total).withUnsafeBufferPointer { r in
                    try perRollout.withUnsafeMutableBufferPointer { a in
                        try groupAdvantages(advantages: a.baseAddress!, rewards: r.baseAddress!, groups: 1, groupSize: group.count,
                                            config: config.group)
                    }
                }
                advantages += zip(group, perRollout).map { [Float](repeating: $1, count: $0.rewards.count) }
            }
        }
        if let scale = config.negativeAdvantageScale, scale != 1 {
            advantages = advantages.map { $0.map { $0 < 0 ? $0 * scale : $0 } }
        }
        var rollouts = rollouts
        if config.skipFlatGroups {
            let kept = stride(from: 0, to: rollouts.count, by: G).flatMap { start in
                let group = start..<min(start + G, rollouts.count)
                return group.contains { i in advantages[i].contains { $0 != 0 } } ? Array(group) : []
            }
            rollouts = kept.map { rollouts[$0] }
            advantages = kept.map { advantages[$0] }
            line.examples = kept.count
        }
        let sequences = rollouts.map { (prompt: $0.prompt, tokens: $0.tokens) }
        let referenceLogProbs = try config.klCoefficient > 0 && !rollouts.isEmpty ? reference?.actionLogProbs(sequences) : nil
        line.referenceSeconds = lap()
        if !rollouts.isEmpty {
            try policyUpdates(k, rollouts: rollouts, advantages: advantages, referenceLogProbs: referenceLogProbs,
                              returns: nil, oldValues: nil, line: &line)
        }
        line.updateSeconds = lap()
    }

    /// PPO: values from the critic, KL to the reference in the reward (per token, β·k with the
    /// configured estimator, k1 by default as in the paper's code), rewards
    /// whitened without mean shift, GAE, advantages whitened, clipped policy and value updates.
    func updatePPO(_ k: Int, rollouts: [Rollout], rewards: [TokenRewards], line: inout RLIterationMetrics,
                   lap: () -> Double) throws {
        guard let value, let reference else { throw TrainingError.invalidData("PPO needs a value model and a reference policy") }
        let sequences = rollouts.map { (prompt: $0.prompt, tokens: $0.tokens) }
        let referenceLogProbs = try reference.actionLogProbs(sequences)
        let oldValues = try value.actionValues(sequences)
        line.referenceSeconds = lap()
        // Per-token rewards with the KL penalty, flattened over the iteration for whitening.
        var flat: [Float] = [], klSum: Double = 0, klCount = 0
        for (r, rollout) in rollouts.enumerated() {
            let n = min(rollout.tokens.count, oldValues[r].count)
            var kl = [Float](repeating: 0, count: n)
            klDivergence(values: &kl, logProbs: rollout.logProbs, referenceLogProbs: referenceLogProbs[r], count: n, config: config.kl)
            for j in 0..<n {
                flat.append(rewards[r].rewards[j] - config.klCoefficient * kl[j])
                klSum += Double(kl[j]); klCount += 1
            }
        }
        if config.whiten { whiten(&flat, count: flat.count, config: WhiteningConfig(shiftMean: false)) }
        var advantages: [[Float]] = [], returns: [[Float]] = [], start = 0
        var flatAdvantages: [Float] = []
        for r in rollouts.indices {
            let n = min(rollouts[r].tokens.count, oldValues[r].count)
            var a = [Float](repeating: 0, count: n), ret = a
            let ones = [Float](repeating: 1, count: n)
            generalizedAdvantages(advantages: &a, returns: &ret, rewards: Array(flat[start..<(start + n)]), values: oldValues[r],
                                  mask: ones, sequences: 1, length: n, config: config.gae)
            start += n
            advantages.append(a); returns.append(ret); flatAdvantages += a
        }
        if config.whiten {
            whiten(&flatAdvantages, count: flatAdvantages.count)
            var offset = 0
            for r in advantages.indices {
                advantages[r] = Array(flatAdvantages[offset..<(offset + advantages[r].count)]); offset += advantages[r].count
            }
        }
        try policyUpdates(k, rollouts: rollouts, advantages: advantages, referenceLogProbs: nil, returns: returns,
                          oldValues: oldValues, line: &line)
        line.kl = klCount > 0 ? Float(klSum / Double(klCount)) : 0
        line.updateSeconds = lap()
    }

    /// Clipped policy updates (and value updates when `returns` is given) over `epochs` passes of
    /// seeded minibatches; fills the loss statistics of `line` (means over steps).
    func policyUpdates(_ k: Int, rollouts: [Rollout], advantages: [[Float]], referenceLogProbs: [[Float]]?,
                       returns: [[Float]]?, oldValues: [[Float]]?, line: inout RLIterationMetrics) throws {
        var policyStats: [PolicyGradientStats] = [], valueLosses: [Float] = []
        for epoch in 0..<config.epochs {
            for indices in minibatches(count: rollouts.count, size: config.minibatchSize, iteration: k, epoch: epoch) {
                let packed = policy.pack(indices.map { (prompt: rollouts[$0].prompt, tokens: rollouts[$0].tokens) })
                let objective = PolicyGradientObjective(
                    oldLogProbs: packed.scatter(indices.map { rollouts[$0].logProbs }),
                    advantages: packed.scatter(indices.map { advantages[$0] }), mask: packed.mask,
                    referenceLogProbs: referenceLogProbs.map { r in packed.scatter(indices.map { r[$0] }) },
                    policy: config.policyLoss, kl: config.kl, klCoefficient: config.klCoefficient)
                let rate = learningRate(policy.optimizer!.step)
                let (stats, _) = try policy.step(packed, outputs: objective.outputs, frozen: objective.frozenTensors(of: policy.model),
                                                 learningRate: rate) { objective.evaluate(batch: packed.batch, activations: $0, model: policy.model) }
                policyStats.append(stats)
                if let value, let returns, let oldValues {
                    let critic = ValueObjective(oldValues: packed.scatter(indices.map { oldValues[$0] }),
                                                returns: packed.scatter(indices.map { returns[$0] }), mask: packed.mask,
                                                config: config.valueLoss, coefficient: config.valueCoefficient)
                    let (v, _) = try value.step(packed, outputs: critic.outputs, frozen: critic.frozenTensors(of: value.model),
                                                learningRate: learningRate(value.optimizer!.step)) { critic.evaluate(batch: packed.batch, activations: $0) }
                    valueLosses.append(v.loss)
                }
            }
        }
        line.policyLoss = mean(policyStats.map(\.loss))
        line.clipFraction = mean(policyStats.map(\.clipFraction))
        line.entropy = mean(policyStats.map(\.entropy))
        if referenceLogProbs != nil { line.kl = mean(policyStats.map(\.kl)) }
        if !valueLosses.isEmpty { line.valueLoss = mean(valueLosses) }
    }

    /// The DPO score of a rollout: the PRM's probability (the minimum over its step and final
    /// scores) plus 1 for a right answer where the answer is known (paper: PRM score + outcome).
    public static func dpoScore(_ judgement: RolloutJudgement) -> Float {
        let prm = judgement.stepScores.flatMap { $0.min() }.map { 1 / (1 + expf(-$0)) } ?? 0
        return prm + (judgement.outcome == true ? 1 : 0)
    }

    /// The DPO scores of one problem's rollouts (`range`): ``dpoScore``, plus 1 where the answer is
    /// unknown for the rollouts of the PRM-weighted vote's answer when `voting`.
    public static func dpoScores(_ range: Range<Int>, rollouts: [Rollout], judgements: [RolloutJudgement], voting: Bool) -> [Float] {
        let winners = voting ? weightedVoteWinners(range, rollouts: rollouts, judgements: judgements) : []
        return range.map { i in dpoScore(judgements[i]) + (judgements[i].outcome == nil && winners.contains(i) ? 1 : 0) }
    }

    /// DPO pairs of one problem's rollouts: best with worst, second best with second worst, ...
    /// while the score difference exceeds `margin`; at most `limit`.
    public static func dpoPairs(scores: [Float], margin: Float, limit: Int) -> [(chosen: Int, rejected: Int)] {
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var pairs: [(Int, Int)] = []
        var i = 0, j = order.count - 1
        while i < j, pairs.count < limit, scores[order[i]] - scores[order[j]] > margin {
            pairs.append((order[i], order[j])); i += 1; j -= 1
        }
        return pairs
    }

    /// Iterative DPO: pairs by score (with ``RLConfig/dpoVoting``, the PRM-weighted vote's answer
    /// counts as right where the answer is unknown), reference log-probs of this iteration's
    /// starting policy computed once, DPO updates over minibatches of pairs.
    func updateDPO(_ k: Int, rollouts: [Rollout], batch: [RLProblem], judgements: [RolloutJudgement], line: inout RLIterationMetrics,
                   lap: () -> Double) throws {
        let G = config.samplesPerProblem
        var pairs: [(chosen: Int, rejected: Int)] = []
        for start in stride(from: 0, to: rollouts.count, by: G) {
            let end = min(start + G, rollouts.count)
            let scores = Self.dpoScores(start..<end, rollouts: rollouts, judgements: judgements, voting: config.dpoVoting)
            pairs += Self.dpoPairs(scores: scores, margin: config.dpoMargin,
                                   limit: config.dpoPairsPerProblem).map { ($0.chosen + start, $0.rejected + start) }
        }
        line.examples = pairs.count
        try export(pairs.map { TRLPreferenceRow(prompt: batch[rollouts[$0.chosen].problem].prompt, chosen: rollouts[$0.chosen].text,
                                                rejected: rollouts[$0.rejected].text) }, iteration: k, kind: "dpo")
        guard !pairs.isEmpty else { line.referenceSeconds = lap(); line.updateSeconds = lap(); return }
        let used = Array(Set(pairs.flatMap { [$0.chosen, $0.rejected] })).sorted()
        let logProbs = try policy.actionLogProbs(used.map { (prompt: rollouts[$0].prompt, tokens: rollouts[$0].tokens) })
        var reference: [Int: Float] = [:]
        for (i, r) in used.enumerated() {
            reference[r] = config.dpo.averageLogProbs ? mean(logProbs[i]) : logProbs[i].reduce(0, +)
        }
        line.referenceSeconds = lap()
        var losses: [Float] = [], margins: [Float] = []
        for epoch in 0..<config.epochs {
            for indices in minibatches(count: pairs.count, size: config.minibatchSize, iteration: k, epoch: epoch) {
                let chosen = indices.map { pairs[$0].chosen }, rejected = indices.map { pairs[$0].rejected }
                let packed = policy.pack((chosen + rejected).map { (prompt: rollouts[$0].prompt, tokens: rollouts[$0].tokens) })
                let objective = DPOObjective(referenceChosen: chosen.map { reference[$0]! }, referenceRejected: rejected.map { reference[$0]! },
                                             mask: packed.mask, config: config.dpo)
                let (stats, _) = try policy.step(packed, outputs: objective.outputs, frozen: objective.frozenTensors(of: policy.model),
                                                 learningRate: learningRate(policy.optimizer!.step)) {
                    objective.evaluate(batch: packed.batch, activations: $0, model: policy.model)
                }
                losses.append(stats.loss); margins.append(stats.margin)
            }
        }
        line.policyLoss = mean(losses)
        line.updateSeconds = lap()
    }

    /// ReST-EM: keep the right rollouts (the grader where the answer is known; the PRM's
    /// probability above the threshold where it is not), at most k per problem, and fine-tune the
    /// starting policy on them.
    func updateReST(_ k: Int, rollouts: [Rollout], batch: [RLProblem], judgements: [RolloutJudgement],
                    line: inout RLIterationMetrics, lap: () -> Double) throws {
        var kept: [Int] = []
        let G = config.samplesPerProblem
        for start in stride(from: 0, to: rollouts.count, by: G) {
            let end = min(start + G, rollouts.count)
            let winners = config.restVoting ? weightedVoteWinners(start..<end, rollouts: rollouts, judgements: judgements) : nil
            let candidates = (start..<end).filter { i in
                guard rollouts[i].parsed.answer != nil, rollouts[i].finishReason != .length else { return false }
                if let outcome = judgements[i].outcome { return outcome }
                if let winners, !winners.contains(i) { return false }
                guard let threshold = config.restPRMThreshold, let scores = judgements[i].stepScores, let low = scores.min() else { return false }
                return 1 / (1 + expf(-low)) >= threshold
            }
            // Distinct solutions first, in sample order.
            var seen: Set<[Int32]> = []
            kept += candidates.filter { seen.insert(rollouts[$0].tokens).inserted }.prefix(config.restKeepPerProblem)
        }
        line.examples = kept.count
        try export(kept.map { TRLCompletionRow(prompt: batch[rollouts[$0].problem].prompt, completion: rollouts[$0].text) },
                   iteration: k, kind: "rest")
        line.referenceSeconds = lap()
        guard !kept.isEmpty else { line.updateSeconds = lap(); return }
        let examples = kept.map { i -> TrainingExample in
            let r = rollouts[i], tokens = r.prompt + r.tokens
            var targets = [Int32](repeating: -1, count: tokens.count)
            for j in r.tokens.indices { targets[r.prompt.count - 1 + j] = r.tokens[j] }
            return TrainingExample(tokens: tokens, targets: targets, labels: [Float](repeating: .nan, count: tokens.count),
                                   source: batch[r.problem].id)
        }
        // SFT from the base policy on this iteration's kept solutions.
        _ = policy.model.parameters.update(fromContentsOf: initialParameters)
        policy.model.weightsDidChange()
        var trainer = TrainerConfig()
        trainer.steps = config.restSteps
        trainer.batchSize = config.minibatchSize
        trainer.context = policy.model.config.maxPositions
        trainer.learningRate = config.restLearningRate
        trainer.warmupSteps = max(1, min(20, config.restSteps / 10))
        trainer.seed = config.seed &+ UInt64(k)
        trainer.checkpointEvery = 0
        trainer.evaluateEvery = 0
        let folder = checkpoint.stateDirectory.appendingPathComponent("rest-sft-\(k + 1)")
        try? FileManager.default.removeItem(at: folder)
        let history = try Trainer(model: policy.model, config: trainer, training: examples, outputDirectory: folder,
                                  padID: tokenizer.padID, label: "rest sft \(k + 1)", quiet: quiet).run(resume: false)
        try? FileManager.default.removeItem(at: folder)
        line.policyLoss = history.last?.loss ?? 0
        line.updateSeconds = lap()
    }
}

/// The rollouts of `range` (one problem's group) whose answer wins the group's PRM-weighted
/// vote: answers grouped by the grader's equivalence, each weighted by the product of its step
/// probabilities (the paper's best aggregation for weighted voting). Finished rollouts with an
/// answer and scores only; ties go to the answer sampled first. Empty when none qualifies.
public func weightedVoteWinners(_ range: Range<Int>, rollouts: [Rollout], judgements: [RolloutJudgement]) -> Set<Int> {
    weightedVote(range, rollouts: rollouts, judgements: judgements)?.members ?? []
}

/// ``weightedVoteWinners(_:rollouts:judgements:)`` with the PRM's confidence in the winner: the
/// largest product of step probabilities among the winning answer's rollouts. Nil when no rollout
/// qualifies.
public func weightedVote(_ range: Range<Int>, rollouts: [Rollout],
                         judgements: [RolloutJudgement]) -> (members: Set<Int>, confidence: Double)? {
    let grader = AnswerGrader()
    var groups: [(answer: ParsedAnswer, weight: Double, best: Double, members: [Int])] = []
    for i in range {
        guard let text = rollouts[i].parsed.answer, rollouts[i].finishReason != .length,
              let scores = judgements[i].stepScores, !scores.isEmpty else { continue }
        let answer = grader.parse(text)
        guard !answer.text.isEmpty else { continue }
        let weight = scores.reduce(1.0) { $0 * 1 / (1 + exp(-Double($1))) }
        if let g = groups.firstIndex(where: { $0.answer.groupingKey == answer.groupingKey || grader.equivalent($0.answer, answer) }) {
            groups[g].weight += weight
            groups[g].best = max(groups[g].best, weight)
            groups[g].members.append(i)
        } else {
            groups.append((answer, weight, weight, [i]))
        }
    }
    guard var best = groups.first else { return nil }
    for g in groups.dropFirst() where g.weight > best.weight { best = g }
    return (Set(best.members), best.best)
}
