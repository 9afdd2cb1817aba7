// `e2h rl`: RL from a finished run directory's SFT policy against its easy-trained reward models,
// written to DIR/rl/<name>/ (policy bundle, metrics.jsonl, evaluation.json), and the greedy
// evaluation of the SFT and RL policies on the run's test problems (easy / hard / all, with the
// per-problem sign test on hard problems).

import Datasets
import Foundation
import Support
import Reports
import Tokenizers
import Training
import Transformer

/// Which training problems RL draws from.
public enum RLProblemScope: String, Codable, Sendable, CaseIterable {
    /// Easy levels only (answers known to the method).
    case easy
    /// Every level; hard problems without their answer.
    case all
}

/// Greedy accuracy of one policy on the run's test problems.
public struct GreedyAccuracy: Codable, Sendable, Equatable {
    public var easy: Double
    public var hard: Double
    public var all: Double
}

/// `evaluation.json` of an RL run.
public struct RLEvaluation: Codable, Sendable, Equatable {
    public var name: String
    public var algorithm: RLAlgorithm
    public var reward: RewardSource
    public var problems: RLProblemScope
    public var sft: GreedyAccuracy
    public var rl: GreedyAccuracy
    /// Hard test problems the RL policy solves and the SFT policy does not, and the reverse.
    public var hardWins: Int
    public var hardLosses: Int
    /// One-sided sign test of the hard wins (``PairedComparison``).
    public var hardSignTestP: Double
    /// Wall time of the RL iterations, seconds.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case name, algorithm, reward, problems, sft, rl, seconds
        case hardWins = "hard_wins"
        case hardLosses = "hard_losses"
        case hardSignTestP = "hard_sign_test_p"
    }
}

/// Runs RL on the run directory `run` and evaluates the result.
///
/// Checks everything before writing: the settings (``RLConfig/validate()``), the SFT policy and
/// the reward model the reward or the value model needs; a failed check writes nothing.
/// - Parameters:
///   - seedFromRun: RL's seed is the run's (`config.seed` is replaced), so that runs of other
///     seeds draw other problem orders and rollouts.
///   - calibrated: the reward model's likelihood-calibrated scores as the reward.
/// - Returns: the evaluation (also written to `rl/<name>/evaluation.json`).
public func runRL(run root: URL, name: String?, config: RLConfig, problemScope: RLProblemScope, seedFromRun: Bool = false,
                  calibrated: Bool = false, quiet: Bool = false, log: @escaping (String) -> Void) throws -> RLEvaluation {
    try config.validate()
    let run = RunDirectory(root)
    guard let configData = FileManager.default.contents(atPath: run.path("config.json")),
          let experiment = try? JSONDecoder().decode(ExperimentConfig.self, from: configData) else {
        throw ExperimentError.invalid("\(run.path("config.json")) is missing or unreadable: --run must name a directory written by `e2h run`")
    }
    if let sampler = experiment.sampler { throw ExperimentError.invalid("\(root.path): \(sampler.rlRefusal)") }
    var config = config
    if seedFromRun { config.seed = experiment.seed }
    let runName = name ?? "\(config.algorithm.rawValue)-\(config.reward.source.rawValue)-\(problemScope.rawValue)"
    let out = run.rlOutput(runName)
    let evaluationURL = out.appendingPathComponent("evaluation.json")
    try checkRLInputs(run: run, config: config, calibrated: calibrated)
    if let data = FileManager.default.contents(atPath: evaluationURL.path),
       let done = try? JSONDecoder().decode(RLEvaluation.self, from: data) {
        log("\(out.path) is finished; delete it to run again")
        return done
    }
    let trained = try trainRLPolicy(run: run, experiment: experiment, out: out, config: config, problemScope: problemScope,
                                    calibrated: calibrated, quiet: quiet, log: log)

    let evaluation = try evaluateGreedy(run: run, experiment: experiment, name: runName, config: config, problemScope: problemScope,
                                        policy: trained.policy, tokenizer: trained.tokenizer, seconds: trained.seconds, quiet: quiet)
    try? FileManager.default.removeItem(at: out.appendingPathComponent("state"))
    return evaluation
}

/// Greedy evaluation on the run's test problems (the SFT policy's once per run directory, cached in
/// `rl/sft-greedy.json`, then the RL policy's), with the one-sided sign test on hard problems;
/// written to `rl/<name>/evaluation.json`, the RL policy's verdict per problem id to
/// `rl/<name>/greedy.json` (for comparing RL settings problem by problem).
func evaluateGreedy(run: RunDirectory, experiment: ExperimentConfig, name: String, config: RLConfig, problemScope: RLProblemScope,
                    policy: TransformerModel, tokenizer: any Tokenizer, seconds: Double, quiet: Bool) throws -> RLEvaluation {
    let test = try RecordReader.readAll(Problem.self, from: run.problems(.test).path, options: ReadOptions(strict: true)).records
    let easy = Set(experiment.easyLevels)
    let hard = Set(experiment.hardLevels)
    let sftGreedy = try greedyCorrectness(policy: try TransformerModel.load(from: run.policy), tokenizer: tokenizer,
                                          problems: test, cache: run.url("rl/sft-greedy.json"), quiet: quiet)
    let rlGreedy = try greedyCorrectness(policy: policy, tokenizer: tokenizer, problems: test, cache: nil, quiet: quiet)
    try writeVerdicts(rlGreedy, to: run.rlOutput(name).appendingPathComponent("greedy.json"))
    let signs = PairedComparison(challenger: rlGreedy, baseline: sftGreedy, problems: test.filter { hard.contains($0.level) })
    let evaluation = RLEvaluation(
        name: name, algorithm: config.algorithm, reward: config.reward.source, problems: problemScope,
        sft: accuracy(sftGreedy, test, easy: easy), rl: accuracy(rlGreedy, test, easy: easy),
        hardWins: signs.wins, hardLosses: signs.losses, hardSignTestP: signs.pValue,
        seconds: seconds)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(encoder.encode(evaluation), to: run.rlOutput(name).appendingPathComponent("evaluation.json"))
    return evaluation
}

/// Refuses a run directory without the SFT policy, or without the reward model the reward (or
/// PPO's value model, or the calibrated reward) needs; writes nothing.
func checkRLInputs(run: RunDirectory, config: RLConfig, calibrated: Bool) throws {
    let sftURL = run.policy
    guard FileManager.default.fileExists(atPath: sftURL.appendingPathComponent(BundleManifest.fileName).path) else {
        throw ExperimentError.invalid("\(sftURL.path) holds no SFT policy (bundle.json missing): finish `e2h run` first")
    }
    let source = config.reward.source
    let rewardURL = run.rewardModel(rlRewardModelName(source))
    let needsRewardModel = source.usesRewardModel || config.algorithm == .ppo
    if needsRewardModel, !FileManager.default.fileExists(atPath: rewardURL.appendingPathComponent(BundleManifest.fileName).path) {
        throw ExperimentError.invalid("\(rewardURL.path) holds no reward model (bundle.json missing), needed for "
            + (source.usesRewardModel ? "--reward \(source.rawValue)" : "PPO's value model") + ": finish `e2h run` first")
    }
    if calibrated {
        guard source.usesRewardModel else {
            throw ExperimentError.invalid("a calibrated reward needs a reward model; --reward \(source.rawValue) reads none")
        }
        guard FileManager.default.fileExists(atPath: run.calibration(rlRewardModelName(source)).path) else {
            throw ExperimentError.invalid("\(run.calibration(rlRewardModelName(source)).path) is missing: the run has no likelihood "
                                          + "calibration (likelihoodFeatures false?), so there is no calibrated reward")
        }
    }
}

/// The reward model RL reads for `source` (outcome-only rewards: the PRM, as PPO's value model).
func rlRewardModelName(_ source: RewardSource) -> String {
    source == .outcome ? RewardSource.prm.rawValue : source.rawValue
}

/// Trains (or continues) RL from the run's SFT policy into `out`: `config.json`, `metrics.jsonl`,
/// `training.svg` (reward against the checker's audit, per iteration) and `policy/` (a model bundle).
/// - Returns: the trained policy, its tokenizer, and the wall time of the iterations run now.
func trainRLPolicy(run: RunDirectory, experiment: ExperimentConfig, out: URL, config: RLConfig, problemScope: RLProblemScope,
                   calibrated: Bool, quiet: Bool, log: @escaping (String) -> Void)
    throws -> (policy: TransformerModel, tokenizer: any Tokenizer, seconds: Double) {
    try checkRLInputs(run: run, config: config, calibrated: calibrated)
    let train = try RecordReader.readAll(Problem.self, from: run.problems(.train).path, options: ReadOptions(strict: true)).records
    let easy = Set(experiment.easyLevels)
    let pool = rlProblems(problemScope == .easy ? train.filter { easy.contains($0.level) } : train, labelledLevels: easy)
    let source = config.reward.source
    let rewardURL = run.rewardModel(rlRewardModelName(source))
    let sft = try ModelBundle.load(from: run.policy)
    let reference = config.algorithm == .ppo || config.algorithm == .grpo ? try TransformerModel.load(from: run.policy) : nil
    let value = config.algorithm == .ppo ? try TransformerModel.load(from: rewardURL) : nil
    let scorer = source.usesRewardModel
        ? Scorer(model: try ModelBundle.load(from: rewardURL).model, tokenizer: sft.tokenizer) : nil
    var calibration: (StepCalibrator, TokenLogProbs)?
    if calibrated {
        let calibrator = try JSONDecoder().decode(StepCalibrator.self, from: Data(contentsOf: run.calibration(rlRewardModelName(source))))
        // The evaluator whose likelihood the calibration reads (as `e2h run` scores test samples).
        let evaluator = experiment.evaluatorSteps > 0 ? run.evaluatorBase : run.policy
        calibration = (calibrator, TokenLogProbs(model: try TransformerModel.load(from: evaluator), tokenizer: sft.tokenizer))
    }
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(encoder.encode(config), to: out.appendingPathComponent("config.json"))
    log("rl \(out.lastPathComponent): \(config.algorithm.rawValue) with reward \(source.rawValue)\(calibrated ? " (calibrated)" : "") on \(pool.count) \(problemScope.rawValue) problems, "
        + "\(config.iterations) iterations of \(config.problemsPerIteration) problems x \(config.samplesPerProblem) rollouts")
    let trainByID = Dictionary(uniqueKeysWithValues: train.map { ($0.id, $0) })
    let start = Date()
    let trainer = try RLTrainer(config: config, policy: sft.model, reference: reference, value: value, tokenizer: sft.tokenizer,
                                problems: pool, reward: EasyToHardReward(scorer: scorer, calibration: calibration), outputDirectory: out,
                                audit: hardRolloutAudit(problems: trainByID, hardLevels: Set(experiment.hardLevels)), quiet: quiet, log: log)
    let metrics = try trainer.run()
    let seconds = Date().timeIntervalSince(start)
    let policyURL = out.appendingPathComponent("policy")
    try sft.model.save(to: policyURL)
    try sft.manifest.write(to: policyURL)
    try AtomicFile.write(Data(rlTrainingFigure(metrics, name: out.lastPathComponent).utf8), to: out.appendingPathComponent("training.svg"))
    return (sft.model, sft.tokenizer, seconds)
}

/// The reward-against-checked plot of an RL run: per iteration, the mean reward (all rollouts and
/// those of hard problems) beside the grader's correctness on easy rollouts and the step
/// checker's audit of hard ones (evaluation only).
public func rlTrainingFigure(_ metrics: [RLIterationMetrics], name: String) -> String {
    let x = metrics.map(\.iteration)
    func values(_ key: (RLIterationMetrics) -> Float?) -> [Double?] { metrics.map { key($0).map(Double.init) } }
    return trainingFigure(
        title: "RL \(name): reward vs checked correctness",
        subtitle: "reward = what the policy is trained on; checked = the step checker's audit of hard rollouts (never a reward)",
        xLabel: "iteration", x: x,
        panels: [
            TrainingPanel(title: "mean reward per rollout", yLabel: "reward", series: [
                TrainingSeries(name: "all rollouts", values: values { $0.reward }),
                TrainingSeries(name: "hard (answer unknown)", values: values { $0.unknownAnswerReward }),
            ]),
            TrainingPanel(title: "correctness of the rollouts", yLabel: "share", series: [
                TrainingSeries(name: "hard, checked answer", values: values { $0.hardCheckedCorrect }),
                TrainingSeries(name: "hard, every step sound", values: values { $0.hardCheckedSound }),
                TrainingSeries(name: "easy, grader", values: values { $0.knownCorrect }),
            ]),
        ])
}

/// Whether the greedy completion of each problem is right (the grader), by problem id; read from
/// and written to `cache` when given.
func greedyCorrectness(policy: TransformerModel, tokenizer: any Tokenizer, problems: [Problem], cache: URL?,
                       quiet: Bool) throws -> [String: Bool] {
    if let cache, let data = FileManager.default.contents(atPath: cache.path),
       let saved = try? JSONDecoder().decode([String: Bool].self, from: data), Set(saved.keys) == Set(problems.map(\.id)) {
        return saved
    }
    var sampling = SamplingConfig()
    sampling.samplesPerProblem = 1
    sampling.temperature = 0
    sampling.maxNewTokens = policy.config.maxPositions
    let records = try Sampler(model: policy, tokenizer: tokenizer, config: sampling).sample(
        problems.map { SamplingJob(problemID: $0.id, prompt: SolutionFormat.prompt(problem: $0.problem)) },
        progress: ProgressReporter(label: "greedy", total: problems.count, quiet: quiet))
    let graded = gradeSamples(records, problems: Dictionary(uniqueKeysWithValues: problems.map { ($0.id, $0) }))
    let result = Dictionary(graded.map { ($0.problemID, $0.correct == true) }, uniquingKeysWith: { a, _ in a })
    if let cache { try writeVerdicts(result, to: cache) }
    return result
}

/// Greedy verdicts by problem id, keys sorted (the same file for the same verdicts).
func writeVerdicts(_ verdicts: [String: Bool], to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    try AtomicFile.write(encoder.encode(verdicts), to: url)
}

/// Accuracy (percent) of easy, hard and all problems.
func accuracy(_ correct: [String: Bool], _ problems: [Problem], easy: Set<Int>) -> GreedyAccuracy {
    func share(_ subset: [Problem]) -> Double {
        subset.isEmpty ? 0 : 100 * Double(subset.filter { correct[$0.id] == true }.count) / Double(subset.count)
    }
    return GreedyAccuracy(easy: share(problems.filter { easy.contains($0.level) }),
                          hard: share(problems.filter { !easy.contains($0.level) }), all: share(problems))
}
