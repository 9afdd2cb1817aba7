import ArgumentParser
import Experiment
import Foundation
import GEMM
import Training

/// `e2h run`: the whole experiment on the built-in benchmark.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole easy-to-hard experiment on the built-in benchmark.",
        discussion: """
            Stages: generate problems (levels 1-5) -> pretrain + SFT the policy on easy solutions -> \
            sample easy problems and label their steps with the checker (the only supervision) -> \
            train the evaluator's language model (the policy, further on the easy solutions; \
            {"evaluatorSteps": 0} skips it) -> from it, train PRM, ORM, OPRM on easy data (and, for \
            comparison only, a PRM with labels on all levels), each with a logistic layer over its logit \
            and the evaluator's token log-probabilities fitted on the same labels \
            ({"likelihoodFeatures": false} turns it off) -> sample N \
            solutions per test problem -> score them -> re-rank and report. \
            Jobs that do not need each other run side by side, one core each (the evaluator's \
            language model beside the reward and test samples; the reward models and their scoring \
            two at a time). Every stage writes into --out and is skipped when already done, so an \
            interrupted run continues where it stopped (training resumes from its last checkpoint). \
            The verdict calls a hard-level gain clear when weighted voting wins more hard problems \
            from majority voting than it loses, by a one-sided sign test at p <= 0.05.
            """)

    @Option(name: outputNames, help: "Run directory.") var out = "runs/e2h"
    @Flag(help: "A smoke test of every stage that runs in seconds (not a research result).") var quick = false
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Samples per test problem (N).") var samples: Int?
    @Option(help: "Decoder blocks of the policy and reward models.") var layers: Int?
    @Option(help: "Residual width of the models.") var width: Int?
    @Option(help: "Attention heads.") var heads: Int?
    @Option(help: "SFT steps.") var sftSteps: Int?
    @Option(help: "Pretraining steps (0 skips pretraining).") var pretrainSteps: Int?
    @Option(help: "Steps of each reward model.") var rewardSteps: Int?
    @Flag(help: "Skip the full-supervision reference PRM.") var noReference = false
    @Option(help: ArgumentHelp(
        "JSON file of settings to change, applied before the options above, e.g. {\"sftSteps\": 800, \"model\": {\"width\": 96}}.",
        discussion: "Keys are those of the run directory's config.json; objects merge key by key."))
    var config: String?
    @Option(help: "Stop after this stage: \(ExperimentStage.allCases.map(\.rawValue).joined(separator: ", ")).")
    var until: String = ExperimentStage.report.rawValue
    @Option(help: "RL after the reward models (rest, dpo, ppo, grpo; settings: the config's \"rl\" section), evaluated like the SFT policy.")
    var rl: String?
    @Flag(help: "With an RL section: also train the paper's baseline, the same algorithm with outcome rewards on easy problems only, and compare the two hard problem by hard problem.")
    var rlBaseline = false
    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        var config = quick ? ExperimentConfig.quick : ExperimentConfig()
        guard let last = ExperimentStage(rawValue: until) else {
            throw ValidationError("--until must be one of \(ExperimentStage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let file = self.config {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read --config file \(file)")
            }
            config = try config.overlaid(with: data, source: file)
        }
        if let seed { config.seed = seed }
        if let samples { config.testSamples = samples }
        if let layers { config.model.layers = layers }
        if let width { config.model.width = width }
        if let heads { config.model.heads = heads }
        if let sftSteps { config.sftSteps = sftSteps }
        if let pretrainSteps { config.pretrainSteps = pretrainSteps }
        if let rewardSteps { config.rewardSteps = rewardSteps }
        if noReference { config.fullSupervisionReference = false }
        if let rl {
            guard let algorithm = RLAlgorithm(rawValue: rl) else {
                throw ValidationError("--rl must be one of \(RLAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")); found \(rl)")
            }
            if config.rl == nil { config.rl = RunRLSettings(algorithm: algorithm, quick: quick) }
            config.rl?.algorithm = algorithm
        }
        if rlBaseline {
            guard let settings = config.rl else { throw ValidationError("--rl-baseline needs --rl ALGO (or an \"rl\" section in --config)") }
            config.rlBaseline = settings.outcomeBaseline
        }
        guard config.testSamples > 0 else { throw ValidationError("--samples must be positive") }
        // The run records the precision it computes in (flag, or E2H_MATMUL=bf16), so a resume matches it.
        if let matmul = precision.matmul {
            config.matmul = MatmulPrecision(rawValue: matmul.lowercased()) == .bfloat16 ? "bf16" : nil  // fp32 is the absent default
        } else if config.matmul == nil, MatmulPrecision.processDefault == .bfloat16 {
            config.matmul = MatmulPrecision.bfloat16.rawValue
        }
        let start = Date()
        let experiment = try Experiment(config: config, directory: URL(fileURLWithPath: out), log: logLine)
        guard let summary = try experiment.run(until: last) else {
            print("stopped after stage \(last.rawValue) (\(Int(Date().timeIntervalSince(start))) s); run again without --until to continue")
            return
        }
        print("")
        print(experiment.table(summary))
        print("")
        print(summary.verdict)
        print("report: \(out)/report/<model>/index.html, summary: \(out)/summary.json  (\(Int(Date().timeIntervalSince(start))) s)")
    }
}
