// Stage 7: re-rank the test samples with every reward model and say whether easy-to-hard
// generalization happened: on hard problems, does weighted voting with the easy-trained PRM beat
// majority voting, and how much of the gap to full supervision does it recover?

import Datasets
import Foundation
import Support
import Reranking
import Training

/// One row of the terminal summary: a reward model's accuracies at the largest N on one group.
public struct ModelResult: Codable, Sendable, Equatable {
    public var model: String
    public var group: String
    public var n: Int
    public var majority: Double
    public var weightedVoting: Double
    public var bestOfN: Double
    public var passAtN: Double
    /// Mean over the group's problems of the AUC of the `prod` scores among one problem's samples
    /// (nil when no problem has both correct and wrong samples): above 0.5 only when the model ranks
    /// a problem's correct samples above its wrong ones, which any re-ranking gain needs.
    public var withinProblemAUC: Double?

    enum CodingKeys: String, CodingKey {
        case model, group, n, majority
        case weightedVoting = "weighted_voting_prod"
        case bestOfN = "best_of_n_min"
        case passAtN = "pass_at_n"
        case withinProblemAUC = "within_problem_auc_prod"
    }
}

/// What `e2h run` concludes (`summary.json` of the run directory).
public struct ExperimentSummary: Codable, Sendable, Equatable {
    public var results: [ModelResult]
    /// (WV easy-trained PRM − majority) / (WV full-supervision PRM − majority) on hard problems.
    public var hardGapRecovered: Double?
    /// Per group: problems solved with every step right, and correct answers reached by sound steps
    /// (the checker, for evaluation only). Empty when the test problems are not benchmark problems.
    public var soundSolutions: [SoundSolutions]
    /// The easy-trained PRM's weighted voting against majority voting, hard problem by problem.
    public var hardComparison: PairedComparison?
    public var verdict: String
    /// The RL policy against the SFT policy (runs with an `rl` section only).
    public var rl: RLRunSummary? = nil
    /// The baseline RL policy against the SFT policy, and the RL policy against it (runs with an
    /// `rlBaseline` section only).
    public var rlBaseline: RLRunSummary? = nil
    public var rlVsBaseline: RLBaselineComparison? = nil

    enum CodingKeys: String, CodingKey {
        case results, verdict, rl
        case rlBaseline = "rl_baseline"
        case rlVsBaseline = "rl_vs_baseline"
        case hardGapRecovered = "hard_gap_recovered"
        case soundSolutions = "sound_solutions"
        case hardComparison = "hard_prm_vs_majority"
    }
}

extension Experiment {
    /// Re-ranking input from a scored samples file and the test problems.
    func rerankInput(scored path: String, problems: [Problem]) throws -> RerankInput {
        // The same reader as `e2h rerank`, so the run's table and `e2h rerank` on the run's files agree
        // to the last digit. Step labels are the checker's: evaluation only, never used in voting.
        var samples = try RerankReader.samples(from: RerankReader.readFile(path), source: path).records
        for i in samples.indices { samples[i].stepLabels = nil }
        return RerankInput(
            problems: problems.map { RerankProblem(id: $0.id, level: $0.level, answer: $0.answer) },
            samples: samples, problemsSource: run.problems(.test).path, samplesSource: path)
    }

    /// Stage 7: re-rank with each reward model, write each report, and summarise.
    public func report() throws -> ExperimentSummary {
        let test = try problems(.test)
        var options = RerankOptions()
        options.trials = config.trials
        options.seed = config.seed
        options.easyLevels = config.easyLevels
        options.hardLevels = config.hardLevels
        log("\(RunStep.report.prefix) re-ranking: majority, best-of-N and weighted voting, N = 1...\(config.testSamples), \(config.trials) trials")
        var results: [ModelResult] = []
        for name in reportedModelNames {
            let summary = try rerank(rerankInput(scored: run.scoredSamples(name).path, problems: test), options: options)
            try writeRerankReport(summary, name: name)
            for group in ["easy", "hard", "all"] {
                guard let majority = summary.curve(.majority, group: group), let n = majority.n.last else { continue }
                func last(_ method: RerankMethod, _ aggregation: Aggregation?) -> Double {
                    summary.curve(method, aggregation, group: group)?.mean.last ?? .nan
                }
                results.append(ModelResult(model: name, group: group, n: n, majority: last(.majority, nil),
                                           weightedVoting: last(.weightedVoting, .prod), bestOfN: last(.bestOfN, .min),
                                           passAtN: last(.passAtN, nil),
                                           withinProblemAUC: summary.diagnostics.withinProblemAUC.first {
                                               $0.aggregation == .prod && $0.group == group }?.auc))
            }
        }
        let samples = try RecordReader.readAll(SampleRecord.self, from: run.testSamples.path,
                                               options: ReadOptions(strict: true)).records
        let sound = (try? SoundSolutions.count(samples, problems: Dictionary(uniqueKeysWithValues: test.map { ($0.id, $0) }),
                                               groups: [("easy", Set(config.easyLevels)), ("hard", Set(config.hardLevels))])) ?? []
        let hardProblems = test.filter { config.hardLevels.contains($0.level) }
        let comparison = try hardProblems.isEmpty ? nil : PairedComparison(
            samples: RecordReader.readAll(SampleRecord.self, from: run.scoredSamples("prm").path,
                                          options: ReadOptions(strict: true)).records,
            problems: hardProblems)
        var summary = summarize(results, sound: sound, comparison: comparison)
        summary.rl = try config.rl.map { try rlSummary($0, test: test, options: options) }
        summary.rlBaseline = try config.rlBaseline.map { try rlSummary($0, test: test, options: options) }
        summary.rlVsBaseline = try rlBaselineComparison(test: test)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(summary), to: run.summary)
        return summary
    }

    func summarize(_ results: [ModelResult], sound: [SoundSolutions] = [], comparison: PairedComparison? = nil) -> ExperimentSummary {
        let hard = { (model: String) in results.first { $0.model == model && $0.group == "hard" } }
        guard let prm = hard("prm") else {
            return ExperimentSummary(results: results, hardGapRecovered: nil, soundSolutions: sound, hardComparison: nil,
                                     verdict: "no hard problems in the test set")
        }
        let gain = (prm.weightedVoting - prm.majority) * 100
        // The share of the full-supervision gain is reported only when that gain is at least a
        // point (the clear-gain margin below): a share of a fraction of a point is noise.
        var recovered: Double?, fullGain: Double?
        if let full = hard(Self.referenceModel) {
            fullGain = full.weightedVoting - full.majority
            if fullGain! >= 0.01 - 1e-9 { recovered = (prm.weightedVoting - prm.majority) / fullGain! }
        }
        var verdict = String(format: "hard, N=%d: weighted voting with the easy-trained PRM %.1f%% vs majority %.1f%% (%@%.1f points)",
                             prm.n, prm.weightedVoting * 100, prm.majority * 100, gain >= 0 ? "+" : "", gain)
        if let recovered {
            verdict += String(format: "; %.0f%% of the full-supervision gain recovered", recovered * 100)
        } else if let fullGain, fullGain > 1e-9 {
            verdict += String(format: "; the full-supervision PRM gains only %.1f points over majority voting, too little to measure a share of", fullGain * 100)
        } else if fullGain != nil {
            verdict += "; the full-supervision PRM does not beat majority voting, so no gap to recover"
        }
        // A clear margin: more hard problems won than lost, by more than the luck of the draw
        // (one-sided sign test at 5%), and at least a point.
        if let c = comparison {
            verdict += String(format: " (wins %d hard problems, loses %d; sign test p = %.2f)", c.wins, c.losses, c.pValue)
        }
        if gain >= 1, let c = comparison, c.pValue <= 0.05 {
            verdict += ": easy-to-hard generalization happened."
        } else if gain > 0 {
            verdict += ": a gain, but not a clear one (a clear one needs the sign test at p <= 0.05 and a point or more)."
        } else {
            verdict += ": no easy-to-hard gain in this run."
        }
        if gain > 0, config.evaluatorSteps > 0, config.evaluatorStart == .policy {
            verdict += " The evaluator's language model trained \(config.evaluatorSteps) steps more than the policy: a stronger evaluator re-ranks a weaker policy (README, Status)."
        }
        if let h = sound.first(where: { $0.group == "hard" }), h.correctAnswers > 0,
           h.correctAnswersWithSoundSteps * 2 < h.correctAnswers {
            // Then a low within-problem AUC may be right: an evaluator should not favour guesses.
            verdict += String(format: " Most right hard answers come from wrong steps (%d of %d have every step right; %d of %d problems solved soundly): guesses, which majority voting counts and an evaluator that checks steps weighs down.",
                              h.correctAnswersWithSoundSteps, h.correctAnswers, h.solvedSoundly, h.problems)
        } else if let auc = prm.withinProblemAUC, auc < 0.55 {
            verdict += String(format: " The PRM barely tells a hard problem's correct samples from its wrong ones (within-problem AUC %.2f; 0.5 is chance).", auc)
        }
        return ExperimentSummary(results: results, hardGapRecovered: recovered, soundSolutions: sound, hardComparison: comparison,
                                 verdict: verdict)
    }

    /// The table a person reads first: accuracy at the largest N per reward model and group.
    public func table(_ summary: ExperimentSummary) -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        let n = summary.results.first?.n ?? 0
        var lines = [pad("model", 9, left: true) + pad("group", 6, left: true) + pad("majority", 10)
                     + pad("weighted", 10) + pad("best-of-N", 10) + pad("pass@N", 10) + pad("within AUC", 12) + "   (N = \(n))"]
        for r in summary.results where r.group != "all" {
            let cells = [r.majority, r.weightedVoting, r.bestOfN, r.passAtN].map { pad(String(format: "%.1f%%", $0 * 100), 10) }
            let auc = pad(r.withinProblemAUC.map { String(format: "%.2f", $0) } ?? "-", 12)
            lines.append(pad(displayName(r.model), 9, left: true) + pad(r.group, 6, left: true) + cells.joined() + auc)
        }
        lines.append("within AUC: chance that the model scores a problem's correct sample above one of its wrong samples (0.5 = chance)")
        for g in summary.soundSolutions where g.problems > 0 {
            lines.append(String(format: "%@: %d of %d problems solved with every step right in %d samples; %d of %d right answers have every step right",
                                g.group, g.solvedSoundly, g.problems, n, g.correctAnswersWithSoundSteps, g.correctAnswers))
        }
        for rl in [summary.rl, summary.rlBaseline].compactMap({ $0 }) { lines += rlTable(rl) }
        if let comparison = summary.rlVsBaseline { lines += ["", comparison.verdict] }
        return lines.joined(separator: "\n")
    }

    /// Runs every stage; each is skipped when already done.
    public func runAll() throws -> ExperimentSummary {
        try run(until: .report)!
    }

    /// Runs the stages up to and including `last`; returns the summary when `last` is the report.
    public func run(until last: ExperimentStage) throws -> ExperimentSummary? {
        let stages: [(ExperimentStage, () throws -> Void)] = [
            (.data, generateData), (.policy, trainPolicy), (.rewardData, buildRewardData),
            (.rewardModels, trainRewardModels), (.test, sampleAndScoreTest), (.rl, reinforce),
        ]
        for (stage, body) in stages {
            try body()
            if stage == last { return nil }
        }
        return try report()
    }
}

/// The stages of `e2h run`, in order.
public enum ExperimentStage: String, CaseIterable, Sendable {
    case data, policy
    case rewardData = "reward-data"
    case rewardModels = "reward-models"
    case test
    /// RL after the reward models (only with an `rl` section).
    case rl
    case report
}
