// The `rl` section of a run's config: partial JSON, defaults, the RL settings it builds, its
// errors, and that a run without it is encoded exactly as before.

import Datasets
@testable import Experiment
import Foundation
import Testing
import Training

@Suite("RL section of the run config")
struct RLRunSettingsTests {
    @Test func aRunWithoutTheSectionEncodesNoRLKey() throws {
        let data = try JSONEncoder().encode(ExperimentConfig())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["rl"] == nil && object["rlBaseline"] == nil)
        #expect(try JSONDecoder().decode(ExperimentConfig.self, from: data) == ExperimentConfig())
    }

    @Test func aPartialSectionKeepsTheDefaultsAndBuildsTheRLSettings() throws {
        let json = #"{"rl": {"algorithm": "ppo", "iterations": 3, "klEstimator": "k3", "learningRate": 1e-4, "minibatchSize": 64}}"#
        let config = try ExperimentConfig().overlaid(with: Data(json.utf8), source: "c.json")
        let rl = try #require(config.rl)
        #expect(rl.algorithm == .ppo && rl.reward == .prm && rl.problems == .all && rl.evaluationSamples == 16)
        #expect(rl.name == "ppo-prm-all")
        let settings = rl.rlConfig(runSeed: 7)
        var expected = RLConfig.paper(.ppo)
        expected.iterations = 3
        expected.kl.estimator = .k3
        expected.learningRate = 1e-4
        expected.minibatchSize = 64
        expected.seed = 7
        #expect(settings == expected)
        // The section round-trips through config.json.
        #expect(try JSONDecoder().decode(ExperimentConfig.self, from: JSONEncoder().encode(config)) == config)
    }

    @Test func theOutcomeBaselineKeepsTheBudgetAndDropsWhatReadsTheRewardModel() throws {
        let json = #"{"rl": {"algorithm": "dpo", "iterations": 3, "learningRate": 1e-4, "calibratedReward": true, "dpoVoting": true, "label": "x"}}"#
        let config = try ExperimentConfig().overlaid(with: Data(json.utf8), source: "c.json")
        let rl = try #require(config.rl)
        let baseline = rl.outcomeBaseline
        #expect(baseline.reward == .outcome && baseline.problems == .easy && baseline.algorithm == .dpo)
        #expect(baseline.iterations == 3 && baseline.learningRate == 1e-4 && baseline.label == "x-baseline")
        #expect(!baseline.calibratedReward && baseline.dpoVoting == nil)
        // Outcome scores are 0 or 1: the paper's margin 1 would form no pair, so it drops to 0.5.
        #expect(baseline.dpoMargin == 0.5)
        try baseline.validate(testSamples: config.testSamples, runSeed: config.seed)
        var grpo = RunRLSettings()
        grpo.algorithm = .grpo
        #expect(grpo.outcomeBaseline.name == "grpo-outcome-easy" && grpo.outcomeBaseline.dpoMargin == nil)
        // The confident vote and the hard share read unknown answers and go; skipping flat groups stays.
        grpo.reward = .prm; grpo.problems = .all; grpo.voteOutcome = true; grpo.voteConfidence = 0.5
        grpo.hardShare = 0.5; grpo.skipFlatGroups = true
        try grpo.validate(testSamples: config.testSamples, runSeed: config.seed)
        let plain = grpo.outcomeBaseline
        #expect(plain.voteConfidence == nil && plain.hardShare == nil && plain.skipFlatGroups == true)
        try plain.validate(testSamples: config.testSamples, runSeed: config.seed)
        // A config file may give the section in full; both sections round-trip through config.json.
        let both = try ExperimentConfig().overlaid(with: Data(#"{"rl": {"algorithm": "grpo"}, "rlBaseline": {"reward": "outcome", "problems": "easy"}}"#.utf8), source: "c.json")
        #expect(both.rlBaseline?.name == "grpo-outcome-easy")
        #expect(try JSONDecoder().decode(ExperimentConfig.self, from: JSONEncoder().encode(both)) == both)
    }

    @Test func badKeysAndValuesAreNamed() {
        func message(_ json: String) -> String {
            do {
                let config = try ExperimentConfig().overlaid(with: Data(json.utf8), source: "c.json")
                try config.rl?.validate(testSamples: config.testSamples, runSeed: config.seed)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message(#"{"rl": {"iteratoins": 3}}"#).contains("rl.iteratoins"))
        #expect(message(#"{"rl": {"algorithm": "sarsa"}}"#).contains("rl.algorithm"))
        #expect(message(#"{"rl": {"evaluationSamples": 65}}"#).contains("rl.evaluationSamples"))
        #expect(message(#"{"rl": {"algorithm": "grpo", "samplesPerProblem": 1}}"#).contains("group-size"))
        #expect(message(#"{"rl": {"klCoefficient": -1}}"#).contains("beta"))
        #expect(message(#"{"rl": {"minibatchSize": 0}}"#).contains("minibatch-size"))
        #expect(message(#"{"rl": {"problems": "easy", "hardShare": 0.5}}"#).contains("rl.hardShare"))
        #expect(message(#"{"rl": {"problems": "all", "hardShare": 2}}"#).contains("hard-share"))
        #expect(message(#"{"rl": {"algorithm": "ppo", "skipFlatGroups": true}}"#).contains("skip-flat-groups"))
        #expect(message(#"{"rl": {"voteConfidence": 0.5}}"#).contains("vote-confidence"))
    }

    @Test func theSectionMayBeAddedToAFinishedRunButOtherSettingsMayNot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-rl-bind-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = RunDirectory(root)
        var config = ExperimentConfig.quick
        try run.bind(config)
        config.rl = RunRLSettings(algorithm: .grpo, quick: true)
        try run.bind(config)
        let written = try JSONDecoder().decode(ExperimentConfig.self, from: Data(contentsOf: root.appendingPathComponent("config.json")))
        #expect(written.rl == config.rl)
        config.sftSteps += 1
        #expect(throws: ExperimentError.self) { try run.bind(config) }
    }

    @Test func theRLPolicyIsComparedWithTheSFTPolicyProblemByProblem() {
        func pool(_ id: String, _ samples: [(String, Bool)]) -> [SampleRecord] {
            samples.enumerated().map { i, s in
                SampleRecord(problemID: id, sampleIndex: i, output: "", answer: s.0, steps: [], finishReason: "eos",
                             stepScores: [0], correct: s.1)
            }
        }
        let problems = ["a", "b", "c"].map { Problem(id: $0, problem: "Compute 1 + 1.", level: 4, subject: "arithmetic", answer: "2") }
        let sft = pool("a", [("3", false), ("3", false), ("2", true)]) + pool("b", [("2", true), ("2", true)]) + pool("c", [("2", true)])
        let rl = pool("a", [("2", true), ("2", true), ("3", false)]) + pool("b", [("2", true), ("2", true)]) + pool("c", [("4", false)])
        let c = PairedComparison(challenger: rl, baseline: sft, problems: problems, weighted: false)
        #expect(c.problems == 3 && c.wins == 1 && c.losses == 1)
        #expect(c.pValue == PairedComparison.signTest(wins: 1, of: 2))
    }

    @Test func theTrainingFigureDrawsRewardAndCheckedCorrectnessWithGaps() throws {
        func line(_ k: Int, reward: Float, checked: Float?) throws -> RLIterationMetrics {
            let hard = checked.map { #","hard_checked_correct":\#($0),"hard_checked_sound":\#($0),"unknown_answer_reward":\#(reward)"# } ?? ""
            let json = #"{"iteration":\#(k),"rollouts":8,"reward":\#(reward),"outcome_reward":0,"known_correct":0.5,"answered":1,"kl":0,"#
                + #""clip_fraction":0,"entropy":0,"policy_loss":0,"response_length":10,"rollout_s":0,"scoring_s":0,"reference_s":0,"#
                + #""update_s":0,"rollout_tokens_per_s":0\#(hard)}"#
            return try JSONDecoder().decode(RLIterationMetrics.self, from: Data(json.utf8))
        }
        let svg = rlTrainingFigure([try line(1, reward: 0.5, checked: 0.2), try line(2, reward: 0.6, checked: nil),
                                    try line(3, reward: 0.7, checked: 0.1), try line(4, reward: 0.8, checked: 0.05)], name: "grpo")
        #expect(svg.hasPrefix("<svg") && svg.contains("reward vs checked correctness"))
        #expect(svg.contains("hard, checked answer") && svg.contains("mean reward per rollout"))
        // "all rollouts" and "easy, grader" are unbroken (2 lines); each hard series is broken at iteration 2
        // into a single point and a line (3 lines).
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 5)
    }
}
