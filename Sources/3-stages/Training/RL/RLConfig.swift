// Settings of the RL stage, with the paper's values where it has them (PAPER.md "RL details";
// REFERENCE.md §1) and a named field for each.

import Objectives

/// The KL estimators (k1, k2, k3), for targets that do not import Objectives.
public typealias RLKLEstimator = KLEstimator

/// The RL algorithm.
public enum RLAlgorithm: String, Codable, Sendable, CaseIterable {
    /// ReST-EM: sample, keep the right solutions (at most k per problem), SFT from the base.
    case rest
    /// Iterative DPO on pairs ranked by PRM score + outcome.
    case dpo
    /// PPO: value model from the reward model, KL in the reward, GAE, clipped updates.
    case ppo
    /// GRPO: groups of rollouts per problem, no value model, KL in the loss.
    case grpo
}

/// Every setting of an RL run.
public struct RLConfig: Codable, Sendable, Equatable {
    /// The algorithm.
    public var algorithm: RLAlgorithm = .grpo
    /// Iterations (rollouts, rewards, update); the state is saved after each.
    public var iterations = 10
    /// Problems drawn per iteration (a seeded permutation of the pool, epoch after epoch).
    public var problemsPerIteration = 32
    /// Rollouts per problem: GRPO's group size G; ReST-EM 32 and DPO 8 in the paper.
    public var samplesPerProblem = 8
    /// Rollout temperature (paper: PPO 0.7, ReST-EM and DPO 1.0).
    public var temperature: Float = 0.7
    /// Rollout top-k (paper: PPO 50, ReST-EM 40; 0 = none).
    public var topK = 50
    /// Longest rollout, in tokens.
    public var maxNewTokens = 256
    /// Decoder slots of the rollout scheduler.
    public var batchSlots = 64
    /// Peak learning rate of the policy (and value model), constant after a linear warmup.
    public var learningRate: Float = 2e-5
    /// Linear warmup, in optimizer steps.
    public var warmupSteps = 5
    /// Sequences per optimizer step (DPO: pairs per step).
    public var minibatchSize = 16
    /// Passes over each iteration's rollouts (PPO's minibatch epochs).
    public var epochs = 1
    /// β: KL coefficient (PPO: in the reward, 0.01; GRPO: in the loss).
    public var klCoefficient: Float = 0.01
    /// The KL estimator (PPO: k1 clamped at ≥ 0, the paper's code; GRPO: k3).
    public var kl = KLConfig(estimator: .k1, clampAtZero: true)
    /// The clipped policy loss (clip 0.2).
    public var policyLoss = PolicyLossConfig()
    /// The clipped value loss (value clip 0.2).
    public var valueLoss = ValueLossConfig()
    /// Value-loss coefficient (paper: 0.1).
    public var valueCoefficient: Float = 0.1
    /// GAE (paper: γ = λ = 1).
    public var gae = GAEConfig()
    /// Whiten rewards without mean shift, and advantages, over each iteration's tokens (paper: yes).
    public var whiten = true
    /// GRPO's group advantages (GRPO, Dr. GRPO, RLOO).
    public var group = GroupAdvantageConfig()
    /// GRPO with DeepSeekMath's process supervision: step rewards normalised in the group.
    public var processSupervision = false
    /// GRPO: negative advantages are multiplied by this, in [0, 1] (nil = 1, the algorithm as
    /// published; 0 trains on the better-than-average rollouts only). A wrong rollout's tokens are
    /// less likely, so their gradients dominate an update (docs/rl.md, "Session 16").
    public var negativeAdvantageScale: Float?
    /// AdamW's ε of the policy and value optimizers (nil = 1e-8). A larger ε damps the steps of
    /// weights whose gradients are tiny: Adam moves every weight by about the learning rate,
    /// whatever its gradient's size, and RL's advantage-weighted gradients are small and noisy.
    public var adamEpsilon: Float?
    /// The rewards.
    public var reward = RLRewardConfig()
    /// DPO's loss (sigmoid, β 0.1, summed log-probs).
    public var dpo = DPOConfig()
    /// DPO pairs need a score difference above this (paper: 1.0, score = PRM probability + outcome).
    public var dpoMargin: Float = 1.0
    /// Most DPO pairs per problem (paper: 3).
    public var dpoPairsPerProblem = 3
    /// ReST-EM: most kept solutions per problem (paper: 10).
    public var restKeepPerProblem = 10
    /// ReST-EM: SFT steps per iteration, from the base policy.
    public var restSteps = 200
    /// ReST-EM: SFT learning rate.
    public var restLearningRate: Float = 1e-4
    /// ReST-EM's easy-to-hard variant: where the answer is unknown, keep solutions whose PRM
    /// probability (the minimum over steps) is at least this (nil: keep none there).
    public var restPRMThreshold: Float? = 0.5
    /// ReST-EM's voting variant: where the answer is unknown, keep only solutions whose answer wins
    /// the group's PRM-weighted vote (weights: the product of the step probabilities), so that the
    /// policy learns the answers weighted voting would pick (and the threshold above still applies).
    public var restVoting = false
    /// Iterative DPO's voting variant: where the answer is unknown, a rollout whose answer wins the
    /// group's PRM-weighted vote scores 1 more (as a right answer does where it is known), so pairs
    /// set the vote's answer against the others and the policy learns what weighted voting picks.
    public var dpoVoting = false
    /// GRPO / PPO's voting variant: where the answer is unknown, a finished rollout's outcome reward
    /// is ``RLRewardConfig/correctReward`` if its answer wins the group's PRM-weighted vote and
    /// ``RLRewardConfig/wrongReward`` if not (instead of the constant
    /// ``RLRewardConfig/unknownOutcomeReward``), so the policy is rewarded for the answers weighted
    /// voting would pick. Needs step scores (reward prm or oprm).
    public var voteOutcome = false
    /// With ``voteOutcome``: the vote counts only where the PRM is confident in its winner, that is
    /// where the winning answer's best rollout has a product of step probabilities (the PRM's
    /// probability that every step is right) of at least this; elsewhere the group keeps the
    /// constant ``RLRewardConfig/unknownOutcomeReward`` (nil = every vote counts). The easy-trained
    /// PRM's weighted vote is right on a quarter of hard problems, but on nine in ten of those where
    /// it is this confident (docs/rl.md, "Session 22").
    public var voteConfidence: Float?
    /// With `problems all`: the share of each iteration's problems drawn from those whose answer the
    /// method may not use (hard problems), in [0, 1]; the rest from the others, each pool in its
    /// own shuffled order (nil = one pool, drawn in proportion: 800 of 6,800 on the benchmark).
    public var hardProblemShare: Float?
    /// GRPO: leave out of the update the groups whose advantages are all zero (every rollout
    /// rewarded alike), as DAPO's dynamic sampling does (without its refill). Under the token mean
    /// their tokens would carry only the KL term and scale down the others' gradients: a hard
    /// problem without a counted vote, or an easy one all right or all wrong (docs/rl.md, "Session 22").
    public var skipFlatGroups = false
    /// Global gradient-norm clip (paper: 1.0).
    public var gradientClip: Float = 1.0
    /// Seed of the problem order and the rollouts.
    public var seed: UInt64 = 1

    public init() {}

    /// The paper's settings of `algorithm`.
    public static func paper(_ algorithm: RLAlgorithm) -> RLConfig {
        var c = RLConfig()
        c.algorithm = algorithm
        switch algorithm {
        case .ppo:
            c.samplesPerProblem = 1; c.problemsPerIteration = 64; c.epochs = 2
        case .grpo:
            c.kl = KLConfig(estimator: .k3); c.klCoefficient = 0.04; c.processSupervision = true
        case .dpo:
            c.samplesPerProblem = 8; c.temperature = 1.0; c.topK = 0; c.iterations = 5; c.epochs = 2
            c.learningRate = 1e-5; c.minibatchSize = 8
        case .rest:
            c.samplesPerProblem = 32; c.temperature = 1.0; c.topK = 40; c.iterations = 2
        }
        return c
    }

    /// A few seconds' worth on `e2h run --quick`'s output: a smoke test, not a result.
    public static func quick(_ algorithm: RLAlgorithm) -> RLConfig {
        var c = paper(algorithm)
        c.iterations = 2
        c.problemsPerIteration = 6
        c.samplesPerProblem = algorithm == .ppo ? 2 : 4
        c.maxNewTokens = 96
        c.minibatchSize = 8
        c.restSteps = 10
        c.restKeepPerProblem = 2
        return c
    }

    /// Throws ``RLConfigError`` naming the first setting out of range.
    public func validate() throws(RLConfigError) {
        func fail(_ setting: String, _ value: Any, _ allowed: String) -> RLConfigError {
            RLConfigError(setting: setting, value: "\(value)", allowed: allowed)
        }
        guard iterations >= 1 else { throw fail("iterations", iterations, "an integer ≥ 1") }
        guard problemsPerIteration >= 1 else { throw fail("problems-per-iteration", problemsPerIteration, "an integer ≥ 1") }
        guard samplesPerProblem >= 1 else { throw fail("samples-per-problem", samplesPerProblem, "an integer ≥ 1") }
        if algorithm == .grpo || algorithm == .dpo, samplesPerProblem < 2 {
            throw fail("group-size", samplesPerProblem, "at least 2 rollouts per problem for \(algorithm.rawValue) (no baseline or pair from one)")
        }
        guard temperature.isFinite, temperature >= 0 else { throw fail("temperature", temperature, "a finite number ≥ 0") }
        guard topK >= 0 else { throw fail("top-k", topK, "an integer ≥ 0 (0 = no limit)") }
        guard maxNewTokens >= 1 else { throw fail("max-new-tokens", maxNewTokens, "an integer ≥ 1") }
        guard batchSlots >= 1 else { throw fail("batch-slots", batchSlots, "an integer ≥ 1") }
        guard learningRate.isFinite, learningRate > 0 else { throw fail("learning-rate", learningRate, "a finite number > 0") }
        guard warmupSteps >= 0 else { throw fail("warmup-steps", warmupSteps, "an integer ≥ 0") }
        guard minibatchSize >= 1 else { throw fail("minibatch-size", minibatchSize, "an integer ≥ 1") }
        guard epochs >= 1 else { throw fail("epochs", epochs, "an integer ≥ 1") }
        guard klCoefficient.isFinite, klCoefficient >= 0 else { throw fail("beta", klCoefficient, "a finite number ≥ 0") }
        guard policyLoss.clipLow > 0, policyLoss.clipLow < 1 else { throw fail("clip", policyLoss.clipLow, "a number in (0, 1)") }
        guard policyLoss.clipHigh > 0, policyLoss.clipHigh.isFinite else { throw fail("clip-high", policyLoss.clipHigh, "a finite number > 0") }
        if let clip = valueLoss.clip, !(clip > 0 && clip.isFinite) { throw fail("value-clip", clip, "a finite number > 0") }
        guard valueCoefficient.isFinite, valueCoefficient >= 0 else { throw fail("value-coefficient", valueCoefficient, "a finite number ≥ 0") }
        guard (0...1).contains(gae.gamma) else { throw fail("gamma", gae.gamma, "a number in [0, 1]") }
        guard (0...1).contains(gae.lambda) else { throw fail("lambda", gae.lambda, "a number in [0, 1]") }
        guard dpo.beta > 0, dpo.beta.isFinite else { throw fail("dpo-beta", dpo.beta, "a finite number > 0") }
        guard dpo.labelSmoothing >= 0, dpo.labelSmoothing < 0.5 else { throw fail("label-smoothing", dpo.labelSmoothing, "a number in [0, 0.5)") }
        guard dpoMargin.isFinite, dpoMargin >= 0 else { throw fail("dpo-margin", dpoMargin, "a finite number ≥ 0") }
        if algorithm == .dpo, reward.source == .outcome, dpoMargin >= 1 {
            throw fail("dpo-margin", dpoMargin, "below 1 with outcome rewards (scores 0 or 1 never differ by more than 1, so no pair would form)")
        }
        guard dpo.nllCoefficient >= 0, dpo.nllCoefficient.isFinite else { throw fail("dpo-nll", dpo.nllCoefficient, "a finite number ≥ 0") }
        guard dpoPairsPerProblem >= 1 else { throw fail("dpo-pairs-per-problem", dpoPairsPerProblem, "an integer ≥ 1") }
        guard restKeepPerProblem >= 1 else { throw fail("rest-keep-per-problem", restKeepPerProblem, "an integer ≥ 1") }
        guard restSteps >= 1 else { throw fail("rest-steps", restSteps, "an integer ≥ 1") }
        guard restLearningRate.isFinite, restLearningRate > 0 else { throw fail("rest-learning-rate", restLearningRate, "a finite number > 0") }
        if let t = restPRMThreshold, !(0...1).contains(t) { throw fail("rest-threshold", t, "a number in [0, 1]") }
        guard reward.process.upperBound > 0, reward.process.upperBound <= 1 else {
            throw fail("reward-upper-bound", reward.process.upperBound, "a number in (0, 1]")
        }
        guard reward.process.stepBonus >= 0, reward.process.stepBonus.isFinite else {
            throw fail("step-bonus", reward.process.stepBonus, "a finite number ≥ 0")
        }
        if voteOutcome, !(algorithm == .grpo || algorithm == .ppo) || !reward.source.usesStepScores {
            throw fail("vote-outcome", voteOutcome, "only with --algo grpo or ppo and --reward prm or oprm (the vote weighs answers by their step scores)")
        }
        if let t = voteConfidence {
            guard voteOutcome else { throw fail("vote-confidence", t, "only with --vote-outcome (it gates the vote)") }
            guard (0...1).contains(t) else { throw fail("vote-confidence", t, "a number in [0, 1]") }
        }
        if skipFlatGroups, algorithm != .grpo { throw fail("skip-flat-groups", skipFlatGroups, "only with --algo grpo") }
        if let share = hardProblemShare, !(0...1).contains(share) { throw fail("hard-share", share, "a number in [0, 1]") }
        if let w = reward.processWeight, !(w >= 0 && w.isFinite) { throw fail("process-weight", w, "a finite number ≥ 0") }
        if let e = adamEpsilon, !(e > 0 && e.isFinite) { throw fail("adam-epsilon", e, "a finite number > 0") }
        if let scale = negativeAdvantageScale, !(0...1).contains(scale) {
            throw fail("negative-advantage-scale", scale, "a number in [0, 1]")
        }
        guard gradientClip >= 0, gradientClip.isFinite else { throw fail("gradient-clip", gradientClip, "a finite number ≥ 0 (0 = none)") }
    }
}

/// An RL setting outside its range.
public struct RLConfigError: Error, Equatable, CustomStringConvertible {
    /// The setting, named as `e2h rl`'s option.
    public var setting: String
    public var value: String
    public var allowed: String

    public var description: String { "RL setting \(setting) is \(value); allowed: \(allowed)" }
}

// Reading an RLConfig that an older e2h wrote. Settings were added over time (`dpoVoting`,
// `voteOutcome`, ...), each with a default that is the behaviour from before it existed; the
// synthesized decoder refused a file without them, so a run interrupted under an older binary
// could neither resume (its state.json) nor be compared with `e2h run`'s rl section. Here a missing
// key keeps its default; an optional setting (encoded only when set) is nil when absent, as the
// synthesized decoder read it.

extension RLConfig {
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, into value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.algorithm, into: &algorithm)
        try read(.iterations, into: &iterations)
        try read(.problemsPerIteration, into: &problemsPerIteration)
        try read(.samplesPerProblem, into: &samplesPerProblem)
        try read(.temperature, into: &temperature)
        try read(.topK, into: &topK)
        try read(.maxNewTokens, into: &maxNewTokens)
        try read(.batchSlots, into: &batchSlots)
        try read(.learningRate, into: &learningRate)
        try read(.warmupSteps, into: &warmupSteps)
        try read(.minibatchSize, into: &minibatchSize)
        try read(.epochs, into: &epochs)
        try read(.klCoefficient, into: &klCoefficient)
        try read(.kl, into: &kl)
        try read(.policyLoss, into: &policyLoss)
        try read(.valueLoss, into: &valueLoss)
        try read(.valueCoefficient, into: &valueCoefficient)
        try read(.gae, into: &gae)
        try read(.whiten, into: &whiten)
        try read(.group, into: &group)
        try read(.processSupervision, into: &processSupervision)
        negativeAdvantageScale = try c.decodeIfPresent(Float.self, forKey: .negativeAdvantageScale)
        adamEpsilon = try c.decodeIfPresent(Float.self, forKey: .adamEpsilon)
        try read(.reward, into: &reward)
        try read(.dpo, into: &dpo)
        try read(.dpoMargin, into: &dpoMargin)
        try read(.dpoPairsPerProblem, into: &dpoPairsPerProblem)
        try read(.restKeepPerProblem, into: &restKeepPerProblem)
        try read(.restSteps, into: &restSteps)
        try read(.restLearningRate, into: &restLearningRate)
        restPRMThreshold = try c.decodeIfPresent(Float.self, forKey: .restPRMThreshold)
        try read(.restVoting, into: &restVoting)
        try read(.dpoVoting, into: &dpoVoting)
        try read(.voteOutcome, into: &voteOutcome)
        voteConfidence = try c.decodeIfPresent(Float.self, forKey: .voteConfidence)
        hardProblemShare = try c.decodeIfPresent(Float.self, forKey: .hardProblemShare)
        try read(.skipFlatGroups, into: &skipFlatGroups)
        try read(.gradientClip, into: &gradientClip)
        try read(.seed, into: &seed)
    }
}
