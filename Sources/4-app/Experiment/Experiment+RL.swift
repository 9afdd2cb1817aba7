// The RL stage of `e2h run` (config section `rl`, `e2h run --rl ALGO`): RL from the SFT policy
// against the easy-trained reward model after the reward models are trained, then the RL policy
// evaluated as the SFT policy is: N samples per test problem, graded (evaluation only), scored by
// the easy-trained PRM (calibrated as the run's test samples are) and re-ranked; the report
// compares it with the SFT policy's first N samples, problem by problem on hard problems.

import Datasets
import Foundation
import Reranking
import Support
import Training
import Transformer

/// The RL policy against the SFT policy in the run's summary (`summary.json`, key `rl`).
public struct RLRunSummary: Codable, Sendable, Equatable {
    /// The RL setting's name (`rl/<name>/`).
    public var name: String
    public var settings: RunRLSettings
    /// Samples per test problem of each policy.
    public var n: Int
    /// Rows at N for `sft` (its first N test samples) and `rl-<name>`, groups easy / hard / all,
    /// scored by the easy-trained PRM.
    public var results: [ModelResult]
    /// Hard problems, RL against SFT: weighted voting with the PRM, and majority voting.
    public var hardWeightedVoting: PairedComparison
    public var hardMajority: PairedComparison
    public var verdict: String
    /// Greedy accuracy of both policies and the hard sign test (`rl/<name>/evaluation.json`).
    public var greedy: RLEvaluation?

    enum CodingKeys: String, CodingKey {
        case name, settings, n, results, verdict, greedy
        case hardWeightedVoting = "hard_weighted_voting_rl_vs_sft"
        case hardMajority = "hard_majority_rl_vs_sft"
    }
}

/// The RL policy against the baseline RL policy (`summary.json`, key `rl_vs_baseline`), hard
/// problem by hard problem: the paper's comparison of RL with the easy-trained PRM and RL with
/// outcome rewards on easy problems.
public struct RLBaselineComparison: Codable, Sendable, Equatable {
    /// The two settings' names (`rl/<name>/`).
    public var rl: String
    public var baseline: String
    /// Greedy decoding (one sample, temperature 0); nil when a policy's `greedy.json` is missing.
    public var greedy: PairedComparison?
    /// Majority voting and weighted voting with the easy-trained PRM over the N evaluation samples.
    public var majority: PairedComparison
    public var weightedVoting: PairedComparison
    public var verdict: String

    enum CodingKeys: String, CodingKey {
        case rl, baseline, greedy, majority, verdict
        case weightedVoting = "weighted_voting"
    }
}

extension Experiment {
    /// The RL sections that the run has: `rl`, then `rlBaseline`.
    var rlSettings: [RunRLSettings] { [config.rl, config.rlBaseline].compactMap { $0 } }

    /// The RL stage: trains each RL policy (resumable per iteration) and samples and scores its test
    /// samples; nothing without an `rl` section.
    public func reinforce() throws {
        if config.rlBaseline != nil, config.rl == nil {
            throw ExperimentError.invalid("rlBaseline is set without rl: the baseline is compared with the rl section's policy; add \"rl\"")
        }
        if let a = config.rl, let b = config.rlBaseline, a.name == b.name {
            throw ExperimentError.invalid("rl and rlBaseline both write rl/\(a.name): give one of them another \"label\"")
        }
        for settings in rlSettings { try reinforce(settings) }
    }

    /// One RL section: training, greedy evaluation, and the N scored test samples.
    func reinforce(_ settings: RunRLSettings) throws {
        try settings.validate(testSamples: config.testSamples, runSeed: config.seed)
        let name = settings.name, rlConfig = settings.rlConfig(runSeed: config.seed)
        let out = run.rlOutput(name)
        var seconds = 0.0
        if !run.isDone(.rlPolicy(name)) {
            if let data = FileManager.default.contents(atPath: out.appendingPathComponent("config.json").path),
               let existing = try? JSONDecoder().decode(RLConfig.self, from: data), existing != rlConfig {
                throw ExperimentError.mismatchedRun("\(out.path) holds RL with other settings (`e2h rl` with options?); "
                                                    + "delete it or change the rl section")
            }
            log("[rl] \(settings.algorithm.rawValue) from the SFT policy with the \(settings.reward.rawValue) reward"
                + (settings.calibratedReward ? " (calibrated)" : "") + " on \(settings.problems.rawValue) training problems")
            seconds = try trainRLPolicy(run: run, experiment: config, out: out, config: rlConfig, problemScope: settings.problems,
                                        calibrated: settings.calibratedReward, quiet: quiet, log: log).seconds
            try run.markDone(.rlPolicy(name))
            try? FileManager.default.removeItem(at: out.appendingPathComponent("state"))
        }
        if !FileManager.default.fileExists(atPath: out.appendingPathComponent("evaluation.json").path) {
            log("[rl] greedy decoding of the test problems by the SFT and RL policies")
            _ = try evaluateGreedy(run: run, experiment: config, name: name, config: rlConfig, problemScope: settings.problems,
                                   policy: try TransformerModel.load(from: out.appendingPathComponent("policy")), tokenizer: vocabulary,
                                   seconds: seconds, quiet: quiet)
        }
        guard !run.isDone(.rlTestSamples(name)) else { return }
        let test = try problems(.test)
        let byID = Dictionary(uniqueKeysWithValues: test.map { ($0.id, $0) })
        log("[rl] sampling \(settings.evaluationSamples) solutions per test problem from the RL policy and scoring them with the PRM")
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = settings.evaluationSamples
        sampling.temperature = config.temperature
        sampling.topK = config.topK
        sampling.maxNewTokens = config.model.context
        sampling.seed = config.seed &+ 8  // the SFT policy's test samples' seed
        sampling.batchSlots = 128
        let sampler = Sampler(model: try TransformerModel.load(from: out.appendingPathComponent("policy")), tokenizer: vocabulary,
                              config: sampling)
        let records = try sampler.sample(test.map { SamplingJob(problemID: $0.id, prompt: SolutionFormat.prompt(problem: $0.problem)) },
                                         progress: ProgressReporter(label: "sample test (RL)", total: test.count * settings.evaluationSamples,
                                                                    quiet: quiet))
        var samples = gradeSamples(records, problems: byID)
        let prm = RewardKind.prm.rawValue
        let raw = try rawScores(samples, problems: byID, name: prm, quiet: quiet)
        var scores = raw
        if let calibrator = try calibration(prm) {
            let logProbs = try evaluatorLogProbs(samples, problems: byID, label: "evaluator log-probs", quiet: quiet)
            scores = try calibrator.apply(scores: raw, completions: samples.map(\.output), logProbs: logProbs, tokenizer: vocabulary)
        }
        for i in samples.indices { samples[i].stepScores = scores[i] }
        try run.makeFolders("test")
        try RecordWriter.write(samples, to: run.rlScoredTestSamples(name).path)
        try run.markDone(.rlTestSamples(name))
    }

    /// The RL rows of the report: re-ranking of the RL policy's samples and of the SFT policy's first
    /// N (report folders `report/rl-<name>` and `report/sft-n<N>`), and the sign tests on hard problems.
    func rlSummary(_ settings: RunRLSettings, test: [Problem], options: RerankOptions) throws -> RLRunSummary {
        let name = settings.name, n = settings.evaluationSamples
        let rlSamples = try readScored(run.rlScoredTestSamples(name))
        let sftSamples = try readScored(run.scoredSamples(RewardKind.prm.rawValue)).filter { $0.sampleIndex < n }
        var results: [ModelResult] = []
        for (model, samples) in [("sft", sftSamples), ("rl-\(name)", rlSamples)] {
            let input = RerankInput(
                problems: test.map { RerankProblem(id: $0.id, level: $0.level, answer: $0.answer) },
                samples: samples.map {
                    RerankSample(problemID: $0.problemID, sampleIndex: $0.sampleIndex, output: $0.output, answer: $0.answer,
                                 stepScores: $0.stepScores.map { $0.map(Double.init) }, stepLabels: nil)
                },
                problemsSource: run.problems(.test).path, samplesSource: model)
            let summary = try rerank(input, options: options)
            try writeRerankReport(summary, name: model == "sft" ? "sft-n\(n)" : model)
            for group in ["easy", "hard", "all"] {
                guard let majority = summary.curve(.majority, group: group), let last = majority.n.last else { continue }
                func value(_ method: RerankMethod, _ aggregation: Aggregation?) -> Double {
                    summary.curve(method, aggregation, group: group)?.mean.last ?? .nan
                }
                results.append(ModelResult(model: model, group: group, n: last, majority: value(.majority, nil),
                                           weightedVoting: value(.weightedVoting, .prod), bestOfN: value(.bestOfN, .min),
                                           passAtN: value(.passAtN, nil),
                                           withinProblemAUC: summary.diagnostics.withinProblemAUC.first {
                                               $0.aggregation == .prod && $0.group == group }?.auc))
            }
        }
        let hard = test.filter { config.hardLevels.contains($0.level) }
        let weighted = PairedComparison(challenger: rlSamples, baseline: sftSamples, problems: hard, weighted: true)
        let majority = PairedComparison(challenger: rlSamples, baseline: sftSamples, problems: hard, weighted: false)
        func row(_ model: String) -> ModelResult? { results.first { $0.model == model && $0.group == "hard" } }
        var verdict = "RL \(name), N=\(n), hard"
        if let s = row("sft"), let r = row("rl-\(name)") {
            verdict += String(format: ": weighted voting %.1f%% vs SFT %.1f%% (wins %d, loses %d; sign test p = %.2f), majority %.1f%% vs %.1f%% (wins %d, loses %d; p = %.2f)",
                              r.weightedVoting * 100, s.weightedVoting * 100, weighted.wins, weighted.losses, weighted.pValue,
                              r.majority * 100, s.majority * 100, majority.wins, majority.losses, majority.pValue)
        }
        let evaluationURL = run.rlOutput(name).appendingPathComponent("evaluation.json")
        let greedy = FileManager.default.contents(atPath: evaluationURL.path).flatMap { try? JSONDecoder().decode(RLEvaluation.self, from: $0) }
        if let g = greedy {
            verdict += String(format: "; greedy %.1f%% vs SFT %.1f%% (wins %d, loses %d; p = %.2f)",
                              g.rl.hard, g.sft.hard, g.hardWins, g.hardLosses, g.hardSignTestP)
        }
        let greedySigns = greedy.map { PairedComparison(problems: hard.count, wins: $0.hardWins, losses: $0.hardLosses) }
        let comparisons = [weighted, greedySigns].compactMap { $0 }
        if comparisons.contains(where: \.clearGain) {
            verdict += settings.reward == .outcome ? ": RL with outcome rewards lifts hard problems."
                : ": RL with the easy-trained \(settings.reward.rawValue.uppercased()) lifts hard problems."
        } else if ([majority] + comparisons).contains(where: \.clearLoss) {
            verdict += ": RL lowers hard accuracy (a sign test the other way, p <= 0.05)."
        } else {
            verdict += ": no clear hard gain from RL."
        }
        return RLRunSummary(name: name, settings: settings, n: n, results: results, hardWeightedVoting: weighted,
                            hardMajority: majority, verdict: verdict, greedy: greedy)
    }

    func readScored(_ url: URL) throws -> [SampleRecord] {
        try RecordReader.readAll(SampleRecord.self, from: url.path, options: ReadOptions(strict: true)).records
    }

    /// The `rl` policy against the `rlBaseline` policy on hard problems: greedy verdicts
    /// (`rl/<name>/greedy.json`) and voting over their N scored test samples.
    func rlBaselineComparison(test: [Problem]) throws -> RLBaselineComparison? {
        guard let a = config.rl, let b = config.rlBaseline else { return nil }
        let hard = test.filter { config.hardLevels.contains($0.level) }
        func greedy(_ name: String) -> [String: Bool]? {
            FileManager.default.contents(atPath: run.rlOutput(name).appendingPathComponent("greedy.json").path)
                .flatMap { try? JSONDecoder().decode([String: Bool].self, from: $0) }
        }
        let greedyComparison = greedy(a.name).flatMap { x in
            greedy(b.name).map { PairedComparison(challenger: x, baseline: $0, problems: hard) }
        }
        let x = try readScored(run.rlScoredTestSamples(a.name)), y = try readScored(run.rlScoredTestSamples(b.name))
        let majority = PairedComparison(challenger: x, baseline: y, problems: hard, weighted: false)
        let weighted = PairedComparison(challenger: x, baseline: y, problems: hard, weighted: true)
        var verdict = "RL \(a.name) against the baseline \(b.name), \(hard.count) hard problems: "
        var parts: [String] = []
        for (label, c) in [("greedy", greedyComparison), ("majority", majority), ("weighted voting", weighted)] {
            guard let c else { continue }
            parts.append(String(format: "%@ wins %d, loses %d (p = %.2f)", label, c.wins, c.losses, c.pValue))
        }
        verdict += parts.joined(separator: "; ")
        // As against SFT: a gain needs greedy decoding or weighted voting; a loss by any of the three counts.
        let all = [greedyComparison, majority, weighted].compactMap { $0 }
        if [greedyComparison, weighted].compactMap({ $0 }).contains(where: \.clearGain) {
            verdict += ": RL with \(a.reward.rawValue) rewards beats the baseline."
        } else if all.contains(where: \.clearLoss) {
            verdict += ": the baseline beats RL with \(a.reward.rawValue) rewards (a sign test the other way, p <= 0.05)."
        } else {
            verdict += ": no clear difference from the baseline."
        }
        return RLBaselineComparison(rl: a.name, baseline: b.name, greedy: greedyComparison, majority: majority,
                                    weightedVoting: weighted, verdict: verdict)
    }

    /// The RL lines of the terminal table.
    func rlTable(_ rl: RLRunSummary) -> [String] {
        var lines = ["", "RL policy \(rl.name) against the SFT policy, N = \(rl.n) samples each, scored by the easy-trained PRM:"]
        for r in rl.results where r.group != "all" {
            lines.append(String(format: "%@ %@ majority %5.1f%%  weighted %5.1f%%  best-of-N %5.1f%%  pass@N %5.1f%%",
                                r.model.padding(toLength: max(16, r.model.count), withPad: " ", startingAt: 0),
                                r.group.padding(toLength: 5, withPad: " ", startingAt: 0),
                                r.majority * 100, r.weightedVoting * 100, r.bestOfN * 100, r.passAtN * 100))
        }
        if let g = rl.greedy {
            lines.append(String(format: "greedy (one sample, temperature 0) easy / hard / all: sft %.1f / %.1f / %.1f%%, rl-%@ %.1f / %.1f / %.1f%%",
                                g.sft.easy, g.sft.hard, g.sft.all, rl.name, g.rl.easy, g.rl.hard, g.rl.all))
        }
        lines.append(rl.verdict)
        return lines
    }
}
