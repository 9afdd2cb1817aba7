// The `rl` section of a run's config (`e2h run --rl ALGO`, or {"rl": {...}} in a --config file):
// RL after the reward models, and the RL policy evaluated like the SFT policy (N samples per test
// problem scored by the easy-trained PRM and re-ranked). Absent keys keep their defaults; the
// settings without a value here are the algorithm's paper settings (``RLConfig/paper(_:)``).

import Foundation
import Training

/// The RL stage of `e2h run`.
public struct RunRLSettings: Codable, Sendable, Equatable {
    /// The algorithm: rest, dpo, ppo, grpo.
    public var algorithm: RLAlgorithm = .grpo
    /// The reward: prm, oprm, orm, outcome.
    public var reward: RewardSource = .prm
    /// Training problems: easy (answers known) or all (hard ones without their answers).
    public var problems: RLProblemScope = .all
    /// Samples per test problem of the RL policy, compared with the SFT policy's first as many (N).
    public var evaluationSamples = 16
    /// The reward model's likelihood-calibrated step scores as the reward (the scores the run's
    /// report uses; `reward/<name>/calibration.json`) instead of its raw logits.
    public var calibratedReward = false
    /// A smoke test's settings (``RLConfig/quick(_:)``) instead of the paper's.
    public var quick = false
    /// The folder under `rl/` (nil: `<algorithm>-<reward>-<problems>`), to keep several settings.
    public var label: String?
    /// Iterations (nil: the algorithm's default).
    public var iterations: Int?
    /// Problems per iteration (nil: the algorithm's default).
    public var problemsPerIteration: Int?
    /// Rollouts per problem, GRPO's group size (nil: the algorithm's default).
    public var samplesPerProblem: Int?
    /// Peak learning rate of the policy (nil: the algorithm's default).
    public var learningRate: Float?
    /// β, the KL coefficient (nil: the algorithm's default).
    public var klCoefficient: Float?
    /// The KL estimator, in PPO's reward or GRPO's loss (nil: the algorithm's default: PPO k1, GRPO k3).
    public var klEstimator: RLKLEstimator?
    /// Rollout temperature (nil: the algorithm's default).
    public var temperature: Float?
    /// Passes over each iteration's rollouts (nil: the algorithm's default).
    public var epochs: Int?
    /// Sequences per optimizer step, DPO: pairs (nil: the algorithm's default).
    public var minibatchSize: Int?
    /// GRPO: the factor on negative advantages, in [0, 1] (nil: 1).
    public var negativeAdvantageScale: Float?
    /// AdamW's ε of the RL optimizers (nil: 1e-8).
    public var adamEpsilon: Float?
    /// The factor on the process (step) rewards against the outcome, ≥ 0 (nil: 1, the paper's sum).
    public var processWeight: Float?
    /// Seed of RL's problem order and rollouts (nil: the run's seed).
    public var seed: UInt64?
    /// ReST-EM: keep only solutions of the PRM-weighted vote's answer where the answer is unknown
    /// (nil: off; ``RLConfig/restVoting``).
    public var restVoting: Bool?
    /// DPO: the PRM-weighted vote's answer counts as right where the answer is unknown (nil: off;
    /// ``RLConfig/dpoVoting``).
    public var dpoVoting: Bool?
    /// GRPO / PPO: the PRM-weighted vote's answer earns the right-answer outcome where the answer is
    /// unknown, the others the wrong-answer outcome (nil: off; ``RLConfig/voteOutcome``).
    public var voteOutcome: Bool?
    /// With the vote: the least product of step probabilities of the winner's best rollout for the
    /// vote to count (nil: every vote counts; ``RLConfig/voteConfidence``).
    public var voteConfidence: Float?
    /// With `problems all`: the share of each iteration's problems without a known answer (nil:
    /// drawn in proportion; ``RLConfig/hardProblemShare``).
    public var hardShare: Float?
    /// GRPO: groups rewarded alike left out of the update (nil: off; ``RLConfig/skipFlatGroups``).
    public var skipFlatGroups: Bool?
    /// DPO: least score difference of a pair (nil: the paper's 1.0; ``RLConfig/dpoMargin``).
    public var dpoMargin: Float?
    /// DPO: RPO's α, the weight of the chosen responses' likelihood term (nil: 0, plain DPO;
    /// ``DPOConfig/nllCoefficient``).
    public var dpoNLL: Float?
    /// ReST-EM: SFT steps per iteration (nil: the default).
    public var restSteps: Int?
    /// ReST-EM: least PRM probability (minimum over steps) of a kept solution where the answer is
    /// unknown (nil: the default, ``RLConfig/restPRMThreshold``).
    public var restThreshold: Float?

    public init(algorithm: RLAlgorithm = .grpo, quick: Bool = false) {
        self.algorithm = algorithm
        self.quick = quick
        if quick { evaluationSamples = 4 }
    }

    /// The folder under `rl/` (and the report's model name `rl-<name>`).
    public var name: String { label ?? "\(algorithm.rawValue)-\(reward.rawValue)-\(problems.rawValue)" }

    /// The RL settings: the algorithm's paper (or quick) settings with the values given here.
    public func rlConfig(runSeed: UInt64) -> RLConfig {
        var c = quick ? RLConfig.quick(algorithm) : RLConfig.paper(algorithm)
        c.reward.source = reward
        c.seed = seed ?? runSeed
        if let iterations { c.iterations = iterations }
        if let problemsPerIteration { c.problemsPerIteration = problemsPerIteration }
        if let samplesPerProblem { c.samplesPerProblem = samplesPerProblem }
        if let learningRate { c.learningRate = learningRate }
        if let klCoefficient { c.klCoefficient = klCoefficient }
        if let klEstimator { c.kl.estimator = klEstimator }
        if let temperature { c.temperature = temperature }
        if let epochs { c.epochs = epochs }
        if let minibatchSize { c.minibatchSize = minibatchSize }
        if let negativeAdvantageScale { c.negativeAdvantageScale = negativeAdvantageScale }
        if let adamEpsilon { c.adamEpsilon = adamEpsilon }
        if let processWeight { c.reward.processWeight = processWeight }
        if let restVoting { c.restVoting = restVoting }
        if let dpoVoting { c.dpoVoting = dpoVoting }
        if let voteOutcome { c.voteOutcome = voteOutcome }
        if let voteConfidence { c.voteConfidence = voteConfidence }
        if let hardShare { c.hardProblemShare = hardShare }
        if let skipFlatGroups { c.skipFlatGroups = skipFlatGroups }
        if let dpoMargin { c.dpoMargin = dpoMargin }
        if let dpoNLL { c.dpo.nllCoefficient = dpoNLL }
        if let restSteps { c.restSteps = restSteps }
        if let restThreshold { c.restPRMThreshold = restThreshold }
        return c
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case algorithm, reward, problems, evaluationSamples, calibratedReward, quick, label, iterations, problemsPerIteration
        case samplesPerProblem, learningRate, klCoefficient, klEstimator, temperature, epochs, minibatchSize, seed
        case negativeAdvantageScale, adamEpsilon, processWeight
        case restVoting, restSteps, restThreshold, dpoVoting, dpoMargin, dpoNLL, voteOutcome
        case voteConfidence, hardShare, skipFlatGroups
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        algorithm = try c.decodeIfPresent(RLAlgorithm.self, forKey: .algorithm) ?? algorithm
        reward = try c.decodeIfPresent(RewardSource.self, forKey: .reward) ?? reward
        problems = try c.decodeIfPresent(RLProblemScope.self, forKey: .problems) ?? problems
        quick = try c.decodeIfPresent(Bool.self, forKey: .quick) ?? quick
        evaluationSamples = try c.decodeIfPresent(Int.self, forKey: .evaluationSamples) ?? (quick ? 4 : evaluationSamples)
        calibratedReward = try c.decodeIfPresent(Bool.self, forKey: .calibratedReward) ?? calibratedReward
        label = try c.decodeIfPresent(String.self, forKey: .label)
        iterations = try c.decodeIfPresent(Int.self, forKey: .iterations)
        problemsPerIteration = try c.decodeIfPresent(Int.self, forKey: .problemsPerIteration)
        samplesPerProblem = try c.decodeIfPresent(Int.self, forKey: .samplesPerProblem)
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate)
        klCoefficient = try c.decodeIfPresent(Float.self, forKey: .klCoefficient)
        klEstimator = try c.decodeIfPresent(RLKLEstimator.self, forKey: .klEstimator)
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        minibatchSize = try c.decodeIfPresent(Int.self, forKey: .minibatchSize)
        negativeAdvantageScale = try c.decodeIfPresent(Float.self, forKey: .negativeAdvantageScale)
        adamEpsilon = try c.decodeIfPresent(Float.self, forKey: .adamEpsilon)
        processWeight = try c.decodeIfPresent(Float.self, forKey: .processWeight)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        restVoting = try c.decodeIfPresent(Bool.self, forKey: .restVoting)
        dpoVoting = try c.decodeIfPresent(Bool.self, forKey: .dpoVoting)
        voteOutcome = try c.decodeIfPresent(Bool.self, forKey: .voteOutcome)
        voteConfidence = try c.decodeIfPresent(Float.self, forKey: .voteConfidence)
        hardShare = try c.decodeIfPresent(Float.self, forKey: .hardShare)
        skipFlatGroups = try c.decodeIfPresent(Bool.self, forKey: .skipFlatGroups)
        dpoMargin = try c.decodeIfPresent(Float.self, forKey: .dpoMargin)
        dpoNLL = try c.decodeIfPresent(Float.self, forKey: .dpoNLL)
        restSteps = try c.decodeIfPresent(Int.self, forKey: .restSteps)
        restThreshold = try c.decodeIfPresent(Float.self, forKey: .restThreshold)
    }

    /// Encodes every key (null where unset), so that a --config file may name any of them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(reward, forKey: .reward)
        try c.encode(problems, forKey: .problems)
        try c.encode(evaluationSamples, forKey: .evaluationSamples)
        try c.encode(calibratedReward, forKey: .calibratedReward)
        try c.encode(quick, forKey: .quick)
        try c.encode(label, forKey: .label)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(problemsPerIteration, forKey: .problemsPerIteration)
        try c.encode(samplesPerProblem, forKey: .samplesPerProblem)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(klCoefficient, forKey: .klCoefficient)
        try c.encode(klEstimator, forKey: .klEstimator)
        try c.encode(temperature, forKey: .temperature)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(minibatchSize, forKey: .minibatchSize)
        try c.encode(negativeAdvantageScale, forKey: .negativeAdvantageScale)
        try c.encode(adamEpsilon, forKey: .adamEpsilon)
        try c.encode(processWeight, forKey: .processWeight)
        try c.encode(seed, forKey: .seed)
        try c.encode(restVoting, forKey: .restVoting)
        try c.encode(dpoVoting, forKey: .dpoVoting)
        try c.encode(voteOutcome, forKey: .voteOutcome)
        try c.encode(voteConfidence, forKey: .voteConfidence)
        try c.encode(hardShare, forKey: .hardShare)
        try c.encode(skipFlatGroups, forKey: .skipFlatGroups)
        try c.encode(dpoMargin, forKey: .dpoMargin)
        try c.encode(dpoNLL, forKey: .dpoNLL)
        try c.encode(restSteps, forKey: .restSteps)
        try c.encode(restThreshold, forKey: .restThreshold)
    }

    /// The paper's baseline for this setting: the same algorithm and training budget with outcome
    /// rewards (the grader) on easy problems only (`e2h run --rl-baseline`). Settings that read the
    /// reward model or unknown answers (the calibrated reward, the PRM vote, ReST-EM's PRM threshold)
    /// are dropped; DPO's margin becomes 0.5 where it was 1 or more, since outcome scores are 0 or 1
    /// and differ by no more than 1. The label, when set, gains `-baseline`.
    public var outcomeBaseline: RunRLSettings {
        var b = self
        b.reward = .outcome
        b.problems = .easy
        b.calibratedReward = false
        b.restVoting = nil
        b.dpoVoting = nil
        b.voteOutcome = nil
        b.voteConfidence = nil
        b.hardShare = nil
        b.restThreshold = nil
        b.processWeight = nil
        b.label = label.map { $0 + "-baseline" }
        if algorithm == .dpo, (dpoMargin ?? 1) >= 1 { b.dpoMargin = 0.5 }
        return b
    }

    /// Checks the section against the run: the RL settings' ranges, and N against the SFT pool.
    /// - Throws: `ExperimentError.invalid` naming the key (`rl.<key>`).
    func validate(testSamples: Int, runSeed: UInt64) throws {
        if let label, label.isEmpty || label.contains("/") || label.hasPrefix(".") {
            throw ExperimentError.invalid("rl.label is \"\(label)\"; allowed: a folder name (no /, not starting with .)")
        }
        guard evaluationSamples >= 1, evaluationSamples <= testSamples else {
            throw ExperimentError.invalid("rl.evaluationSamples is \(evaluationSamples); allowed: 1 to the run's testSamples (\(testSamples)), "
                                          + "since the SFT policy is compared on its first as many samples")
        }
        if let hardShare, problems != .all {
            throw ExperimentError.invalid("rl.hardShare is \(hardShare); allowed: only with \"problems\": \"all\" (easy problems have no hard pool to draw from)")
        }
        do { try rlConfig(runSeed: runSeed).validate() } catch {
            throw ExperimentError.invalid("rl section: \(error.description)")
        }
    }
}
