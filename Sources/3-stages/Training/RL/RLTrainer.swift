// The RL loop (ReST-EM, iterative DPO, PPO, GRPO): per iteration, draw problems, roll out the
// policy through the batched decode scheduler, judge the rollouts (the reward seam), compute
// reference log-probs (and values), update, save the state. Deterministic: problems and rollouts
// depend only on the seed and the iteration, so a resumed run equals an uninterrupted one.
//
// Files in the output directory:
//   metrics.jsonl          one RLIterationMetrics line per finished iteration
//   state/iteration-<k>/   policy (and value model) with optimizer moments, state.json (latest only)
//   state/latest           name of the newest complete state

import Foundation
import Kernels
import Objectives
import Support
import Tokenizers
import Transformer

/// Evaluation-only statistics of rollouts (the step checker on hard problems): never a reward.
public typealias RolloutAudit = ([Rollout], [RLProblem]) throws -> (correct: Float, sound: Float)?

/// Runs RL on a policy.
public final class RLTrainer {
    public let config: RLConfig
    let policy: RLModelRunner
    /// The frozen reference policy (PPO and GRPO's KL).
    let reference: RLModelRunner?
    /// PPO's critic, started from the reward model.
    let value: RLModelRunner?
    let tokenizer: any Tokenizer
    let problems: [RLProblem]
    let reward: any RewardFunction
    let audit: RolloutAudit?
    let checkpoint: RLCheckpoint
    let log: (String) -> Void
    let quiet: Bool
    /// The starting policy's weights (ReST-EM fine-tunes from them every iteration).
    let initialParameters: [Float]

    /// - Parameters:
    ///   - policy: trained in place.
    ///   - reference: a frozen copy of the starting policy (PPO, GRPO; nil otherwise).
    ///   - value: PPO's value model (from the reward model); nil otherwise.
    public init(config: RLConfig, policy: TransformerModel, reference: TransformerModel?, value: TransformerModel?,
                tokenizer: any Tokenizer, problems: [RLProblem], reward: any RewardFunction, outputDirectory: URL,
                audit: RolloutAudit? = nil, quiet: Bool = false, log: @escaping (String) -> Void = { _ in }) throws {
        try config.validate()
        try policy.requireFloatWeights(for: "train")
        try value?.requireFloatWeights(for: "train")
        guard !problems.isEmpty else { throw TrainingError.invalidData("no problems to train on") }
        if config.algorithm == .ppo, value == nil { throw TrainingError.invalidData("PPO needs a value model") }
        self.config = config
        let rows = config.algorithm == .dpo ? 2 * config.minibatchSize : config.minibatchSize
        self.policy = RLModelRunner(model: policy, padID: tokenizer.padID, maxBatch: rows)
        var adamW = AdamWConfig()
        adamW.gradientClip = config.gradientClip
        adamW.weightDecay = 0
        if let epsilon = config.adamEpsilon { adamW.epsilon = epsilon }
        if config.algorithm != .rest { self.policy.makeTrainable(adamW) }
        self.reference = reference.map { RLModelRunner(model: $0, padID: tokenizer.padID, maxBatch: rows) }
        self.value = value.map { RLModelRunner(model: $0, padID: tokenizer.padID, maxBatch: rows) }
        self.value?.makeTrainable(adamW)
        self.tokenizer = tokenizer
        self.problems = problems
        self.reward = reward
        self.audit = audit
        checkpoint = RLCheckpoint(directory: outputDirectory)
        self.log = log
        self.quiet = quiet
        initialParameters = Array(policy.parameters)
    }

    /// The problems of iteration `k`: positions k·n ..< (k+1)·n of an endless sequence of seeded
    /// permutations. With ``RLConfig/hardProblemShare``, the problems without a known answer and the
    /// others are two such sequences (their own seeds), and iteration k takes round(share·n) from the
    /// first and the rest from the second (one pool empty: all from the other).
    func iterationProblems(_ k: Int) -> [RLProblem] {
        let n = config.problemsPerIteration
        guard let share = config.hardProblemShare else { return drawn(problems, count: n, offset: k * n, stream: 0) }
        let hard = problems.filter { $0.goldAnswer == nil }, known = problems.filter { $0.goldAnswer != nil }
        var h = Int((Float(n) * share).rounded())
        if hard.isEmpty { h = 0 } else if known.isEmpty { h = n }
        return drawn(hard, count: h, offset: k * h, stream: 1) + drawn(known, count: n - h, offset: k * (n - h), stream: 2)
    }

    /// Positions offset ..< offset + count of an endless sequence of seeded permutations of `pool`.
    private func drawn(_ pool: [RLProblem], count n: Int, offset: Int, stream: UInt64) -> [RLProblem] {
        guard !pool.isEmpty else { return [] }
        var orders: [Int: [Int]] = [:]
        return (0..<n).map { j in
            let i = offset + j, epoch = i / pool.count
            if orders[epoch] == nil {
                let seed = config.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(epoch) &+ stream &* 0x9E37_79B9_7F4A_7C15
                var generator = SeededGenerator(seed: seed)
                orders[epoch] = Array(0..<pool.count).shuffled(using: &generator)
            }
            return pool[orders[epoch]![i % pool.count]]
        }
    }

    /// Runs the remaining iterations (resuming from the saved state); `stopAfter` ends early (tests).
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> [RLIterationMetrics] {
        try FileManager.default.createDirectory(at: checkpoint.directory, withIntermediateDirectories: true)
        var metrics: [RLIterationMetrics] = []
        var start = 0
        if let state = try checkpoint.restore(config: config, policy: policy, value: value) {
            start = state.iteration
            metrics = state.metrics
            try checkpoint.writeMetrics(metrics)
            log("resuming after iteration \(start)")
        }
        for k in start..<config.iterations {
            if let stopAfter, k >= stopAfter { break }
            let line = try iteration(k)
            metrics.append(line)
            try checkpoint.save(RLState(iteration: k + 1, config: config, policyOptimizerStep: policy.optimizer?.step ?? 0,
                                        valueOptimizerStep: value?.optimizer?.step, metrics: metrics),
                                policy: policy, value: value)
            try checkpoint.writeMetrics(metrics)
            log(String(format: "iteration %d/%d: reward %.3f, known correct %@, KL %.4f, clip %.3f, entropy %.3f, length %.0f (rollout %.1f s, scoring %.1f s, reference %.1f s, update %.1f s)",
                       k + 1, config.iterations, line.reward, line.knownCorrect.map { String(format: "%.3f", $0) } ?? "-",
                       line.kl, line.clipFraction, line.entropy, line.responseLength, line.rolloutSeconds,
                       line.scoringSeconds, line.referenceSeconds, line.updateSeconds))
        }
        return metrics
    }

    /// One iteration: rollouts, judgements, the algorithm's update, metrics.
    func iteration(_ k: Int) throws -> RLIterationMetrics {
        let batch = iterationProblems(k)
        var clock = Date()
        func lap() -> Double { let now = Date(); defer { clock = now }; return now.timeIntervalSince(clock) }
        let settings = DecodeSettings(samples: config.samplesPerProblem, temperature: config.temperature, topK: config.topK,
                                      maxNewTokens: config.maxNewTokens, stopTokenIDs: tokenizer.stopIDs, stopRules: [.answerLine])
        let progress = ProgressReporter(label: "rollouts \(k + 1)", total: batch.count * config.samplesPerProblem, quiet: quiet)
        let rollouts = try sampleRollouts(policy: policy.model, tokenizer: tokenizer, problems: batch, settings: settings,
                                          seed: config.seed &+ 0x51_7CC1 &* UInt64(k + 1), batchSlots: config.batchSlots,
                                          progress: progress)
        let rolloutSeconds = lap()
        let judgements = try reward.judge(rollouts, problems: batch)
        guard judgements.count == rollouts.count else {
            throw TrainingError.invalidData("the reward function judged \(judgements.count) of \(rollouts.count) rollouts")
        }
        var rewards = zip(rollouts, judgements).map { tokenRewards(rollout: $0, judgement: $1, config: config.reward) }
        if config.voteOutcome {
            rewards = votedOutcomeRewards(rewards, rollouts: rollouts, judgements: judgements,
                                          groupSize: config.samplesPerProblem, config: config.reward,
                                          minConfidence: config.voteConfidence)
        }
        let checked = try audit?(rollouts, batch)
        let scoringSeconds = lap()

        var line = RLIterationMetrics(
            iteration: k + 1, rollouts: rollouts.count, reward: mean(rewards.map(\.total)), outcomeReward: mean(rewards.map(\.outcome)),
            knownCorrect: nil, answered: mean(rollouts.map { $0.parsed.answer != nil && $0.finishReason != .length ? 1 : 0 }),
            kl: 0, clipFraction: 0, entropy: 0, policyLoss: 0, valueLoss: nil,
            responseLength: mean(rollouts.map { Float($0.tokens.count) }), examples: nil,
            rolloutSeconds: rolloutSeconds, scoringSeconds: scoringSeconds, referenceSeconds: 0, updateSeconds: 0,
            rolloutTokensPerSecond: Double(rollouts.reduce(0) { $0 + $1.tokens.count }) / max(rolloutSeconds, 1e-9),
            hardCheckedCorrect: checked?.correct, hardCheckedSound: checked?.sound)
        let known = zip(rollouts, judgements).compactMap { $1.outcome.map { $0 ? Float(1) : 0 } }
        if !known.isEmpty { line.knownCorrect = mean(known) }
        let unknown = zip(rollouts, rewards).filter { batch[$0.0.problem].goldAnswer == nil }.map(\.1.total)
        if !unknown.isEmpty { line.unknownAnswerReward = mean(unknown) }
        if config.algorithm == .grpo || config.algorithm == .ppo {
            try export(TRLScoredRolloutRow.rows(rollouts: rollouts, problems: batch, rewards: rewards, judgements: judgements),
                       iteration: k, kind: "rollouts")
        }
        switch config.algorithm {
        case .grpo: try updateGRPO(k, rollouts: rollouts, rewards: rewards, line: &line, lap: lap)
        case .ppo: try updatePPO(k, rollouts: rollouts, rewards: rewards, line: &line, lap: lap)
        case .dpo: try updateDPO(k, rollouts: rollouts, batch: batch, judgements: judgements, line: &line, lap: lap)
        case .rest: try updateReST(k, rollouts: rollouts, batch: batch, judgements: judgements, line: &line, lap: lap)
        }
        return line
    }

    /// The learning rate at optimizer step `step` (linear warmup, then constant).
    func learningRate(_ step: Int) -> Float {
        config.warmupSteps > 0 && step < config.warmupSteps
            ? config.learningRate * Float(step + 1) / Float(config.warmupSteps) : config.learningRate
    }

    /// Minibatches of `count` items for epoch `epoch` of iteration `k`: a seeded permutation cut in chunks.
    func minibatches(count: Int, size: Int, iteration k: Int, epoch: Int) -> [[Int]] {
        var generator = SeededGenerator(seed: config.seed &+ UInt64(k) &* 0x9E37_79B9 &+ UInt64(epoch) &* 0x85EB_CA6B)
        let order = Array(0..<count).shuffled(using: &generator)
        return stride(from: 0, to: count, by: size).map { Array(order[$0..<min(count, $0 + size)]) }
    }
}

/// Mean of a list (0 when empty).
func mean(_ values: [Float]) -> Float {
    values.isEmpty ? 0 : Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
}
