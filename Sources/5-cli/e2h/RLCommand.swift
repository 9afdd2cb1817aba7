import ArgumentParser
import Experiment
import Foundation
import Training

/// `e2h rl`: RL from a finished run's SFT policy against its easy-trained reward models.
struct RL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Improve a run's SFT policy with RL against its easy-trained reward model (rest, dpo, ppo, grpo).",
        discussion: """
            Starts from the SFT policy and reward models of a finished `e2h run` directory and writes \
            DIR/rl/<name>/: the policy (a model bundle), metrics.jsonl (one line per iteration: reward, KL, \
            clip fraction, entropy, value loss, response length, times, and the step checker's verdict on \
            hard-problem rollouts, for evaluation only) and evaluation.json (greedy accuracy easy / hard / \
            all of the SFT and the RL policy on the run's test problems, with the sign test on hard \
            problems). Hard problems reach RL without their answers. Rewards (--reward): prm / oprm = the \
            paper's "min" process reward from that model's step scores plus the outcome reward (1/0 by the \
            grader on easy problems, 0.25 on hard ones, -1 without an answer); orm = the outcome reward, the \
            ORM's probability where the answer is unknown; outcome = the grader only. An interrupted run \
            continues after its last finished iteration.
            """)

    @Option(help: "Algorithm: \(RLAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")).") var algo: String
    @Option(name: .customLong("run"), help: "Run directory of a finished `e2h run`.") var runDirectory: String
    @Option(help: "Reward: \(RewardSource.allCases.map(\.rawValue).joined(separator: ", ")).") var reward = "prm"
    @Option(help: "Training problems: easy (levels with known answers) or all (hard ones without answers).") var problems = "all"
    @Option(help: "Name of the output folder under DIR/rl (default: <algo>-<reward>-<problems>).") var name: String?
    @Flag(help: "A few seconds' worth on `e2h run --quick`'s output (a smoke test, not a result).") var quick = false
    @Option(help: "Iterations.") var iterations: Int?
    @Option(help: "Problems per iteration.") var problemsPerIteration: Int?
    @Option(help: "Rollouts per problem (GRPO's group size; at least 2 for grpo and dpo).") var groupSize: Int?
    @Option(help: "KL coefficient beta (>= 0; PPO: in the reward, GRPO: in the loss).") var beta: Float?
    @Option(help: "PPO clip epsilon, in (0, 1).") var clip: Float?
    @Option(help: "Peak learning rate of the policy.") var learningRate: Float?
    @Option(help: "Rollout temperature.") var temperature: Float?
    @Option(help: "Passes over each iteration's rollouts.") var epochs: Int?
    @Option(help: "Sequences per optimizer step (DPO: pairs); an iteration's rollouts split into minibatches of this size (default 16; DPO 8).")
    var minibatchSize: Int?
    @Option(help: "GRPO: multiply negative advantages by this, in [0, 1] (default 1; 0 trains on the better-than-average rollouts only).")
    var negativeAdvantageScale: Float?
    @Option(help: "AdamW's epsilon of the policy (and value) optimizer (default 1e-8; larger damps the steps of weights with tiny gradients).")
    var adamEpsilon: Float?
    @Option(help: "prm / oprm: the factor on the step rewards against the outcome reward, >= 0 (default 1, the paper's sum).")
    var processWeight: Float?
    @Option(help: "Random seed (problem order and rollouts; default: the run's seed).") var seed: UInt64?
    @Option(help: "KL estimator: k1, k2, k3 (PPO: in the reward, default k1; GRPO: in the loss, default k3).") var kl: String?
    @Flag(help: "Reward from the reward model's likelihood-calibrated scores (the run's calibration.json) instead of its raw logits.")
    var calibrated = false
    @Flag(help: "ReST-EM: where the answer is unknown, keep only solutions of the answer that wins the PRM-weighted vote of the problem's rollouts.")
    var restVoting = false
    @Flag(help: "DPO: where the answer is unknown, count the answer that wins the PRM-weighted vote of the problem's rollouts as right when pairing.")
    var dpoVoting = false
    @Flag(help: "GRPO / PPO with prm or oprm: where the answer is unknown, reward the rollouts of the answer that wins the PRM-weighted vote of the problem's rollouts as right and the others as wrong.")
    var voteOutcome = false
    @Option(help: "With --vote-outcome: count the vote only where its winner's best rollout has a product of step probabilities of at least this, in [0, 1] (default: every vote counts).")
    var voteConfidence: Float?
    @Option(help: "With --problems all: the share of each iteration's problems drawn from those without a known answer, in [0, 1] (default: drawn in proportion).")
    var hardShare: Float?
    @Flag(help: "GRPO: leave out of the update the groups whose rollouts are all rewarded alike (zero advantages), as DAPO's dynamic sampling.")
    var skipFlatGroups = false
    @Option(help: "DPO: least score difference of a pair (default 1.0, the paper's; below 1 with --reward outcome, whose scores are 0 or 1).")
    var dpoMargin: Float?
    @Option(help: "DPO: RPO's weight of the chosen responses' negative log-likelihood per token, ≥ 0 (default 0: plain DPO).")
    var dpoNLL: Float?
    @Option(help: "ReST-EM: SFT steps per iteration (default 200).") var restSteps: Int?
    @Option(help: "ReST-EM: least PRM probability (minimum over steps) of a kept solution whose answer is unknown, in [0, 1] (default 0.5).")
    var restThreshold: Float?
    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        guard let algorithm = RLAlgorithm(rawValue: algo) else {
            throw ValidationError("--algo must be one of \(RLAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")); found \(algo)")
        }
        guard let source = RewardSource(rawValue: reward) else {
            throw ValidationError("--reward must be one of \(RewardSource.allCases.map(\.rawValue).joined(separator: ", ")); found \(reward)")
        }
        guard let scope = RLProblemScope(rawValue: problems) else {
            throw ValidationError("--problems must be easy or all; found \(problems)")
        }
        var config = quick ? RLConfig.quick(algorithm) : RLConfig.paper(algorithm)
        config.reward.source = source
        if let iterations { config.iterations = iterations }
        if let problemsPerIteration { config.problemsPerIteration = problemsPerIteration }
        if let groupSize { config.samplesPerProblem = groupSize }
        if let beta { config.klCoefficient = beta }
        if let clip { config.policyLoss.clipLow = clip; config.policyLoss.clipHigh = clip }
        if let learningRate { config.learningRate = learningRate }
        if let temperature { config.temperature = temperature }
        if let epochs { config.epochs = epochs }
        if let minibatchSize { config.minibatchSize = minibatchSize }
        if let negativeAdvantageScale { config.negativeAdvantageScale = negativeAdvantageScale }
        if let adamEpsilon { config.adamEpsilon = adamEpsilon }
        if let processWeight { config.reward.processWeight = processWeight }
        if let seed { config.seed = seed }
        if restVoting { config.restVoting = true }
        if dpoVoting { config.dpoVoting = true }
        if voteOutcome { config.voteOutcome = true }
        if let voteConfidence { config.voteConfidence = voteConfidence }
        if let hardShare { config.hardProblemShare = hardShare }
        if skipFlatGroups { config.skipFlatGroups = true }
        if let dpoMargin { config.dpoMargin = dpoMargin }
        if let dpoNLL { config.dpo.nllCoefficient = dpoNLL }
        if let restSteps { config.restSteps = restSteps }
        if let restThreshold { config.restPRMThreshold = restThreshold }
        if let kl {
            guard let estimator = RLKLEstimator(rawValue: kl) else {
                throw ValidationError("--kl must be one of \(RLKLEstimator.allCases.map(\.rawValue).joined(separator: ", ")); found \(kl)")
            }
            config.kl.estimator = estimator
        }
        if hardShare != nil, scope != .all {
            throw ValidationError("--hard-share needs --problems all (with --problems \(problems) there are no hard problems to draw)")
        }
        do { try config.validate() } catch { throw ValidationError(error.description) }
        let evaluation = try runRL(run: URL(fileURLWithPath: runDirectory), name: name, config: config, problemScope: scope,
                                   seedFromRun: seed == nil, calibrated: calibrated, log: logLine)
        print(String(format: "greedy accuracy easy / hard / all: SFT %.1f / %.1f / %.1f, RL %.1f / %.1f / %.1f",
                     evaluation.sft.easy, evaluation.sft.hard, evaluation.sft.all, evaluation.rl.easy, evaluation.rl.hard, evaluation.rl.all))
        print(String(format: "hard problems RL solves and SFT does not: %d, the reverse: %d, sign test p = %.3f (%.0f s of RL)",
                     evaluation.hardWins, evaluation.hardLosses, evaluation.hardSignTestP, evaluation.seconds))
        print("written: \(runDirectory)/rl/\(evaluation.name)/ (policy, metrics.jsonl, evaluation.json)")
    }
}
