import Datasets
import Foundation
import Testing
import Tokenizers
import Training
import Transformer

/// A reward for tests: step scores and an outcome drawn from the rollout's own tokens.
struct TokenParityReward: RewardFunction {
    func judge(_ rollouts: [Rollout], problems: [RLProblem]) throws -> [RolloutJudgement] {
        rollouts.map { r in
            RolloutJudgement(outcome: problems[r.problem].goldAnswer == nil ? nil : r.tokens.count % 2 == 0,
                             stepScores: (0...r.parsed.stepRanges.count).map { Float(($0 + r.tokens.count) % 5) - 2 })
        }
    }
}

/// The grader's verdict on the rollout's answer against the problem's gold answer.
struct GoldAnswerReward: RewardFunction {
    func judge(_ rollouts: [Rollout], problems: [RLProblem]) throws -> [RolloutJudgement] {
        rollouts.map { r in
            RolloutJudgement(outcome: r.parsed.answer.map { $0 == problems[r.problem].goldAnswer } ?? false, stepScores: nil)
        }
    }
}

@Suite("RL loop")
struct RLTrainerTests {
    static let problems = handful.enumerated().map { i, item in
        RLProblem(id: "p\(i)", prompt: item.prompt, level: i < 2 ? 1 : 4, goldAnswer: i < 2 ? "19" : nil)
    }

    static func config(_ algorithm: RLAlgorithm) -> RLConfig {
        var c = RLConfig.quick(algorithm)
        c.iterations = 3
        c.problemsPerIteration = 2
        c.samplesPerProblem = 2
        c.maxNewTokens = 10
        c.minibatchSize = 2
        c.learningRate = 1e-3
        c.warmupSteps = 0
        c.restSteps = 3
        c.temperature = 1
        c.topK = 0
        return c
    }

    /// Parameters of the policy (and value model) after a run; the run is stopped and resumed when `stopAfter` is given.
    static func finalState(_ algorithm: RLAlgorithm, directory: URL, stopAfter: Int?) throws -> (policy: [Float], value: [Float], metrics: [RLIterationMetrics]) {
        func trainer() throws -> (RLTrainer, TransformerModel, TransformerModel?) {
            let policy = try tinyPolicy(seed: 21)
            let value = algorithm == .ppo ? try tinyPolicy(seed: 22) : nil
            let reference = algorithm == .ppo || algorithm == .grpo ? try tinyPolicy(seed: 21) : nil
            let t = try RLTrainer(config: config(algorithm), policy: policy, reference: reference, value: value, tokenizer: vocabulary,
                                  problems: problems, reward: TokenParityReward(), outputDirectory: directory, quiet: true)
            return (t, policy, value)
        }
        if let stopAfter { try trainer().0.run(stopAfter: stopAfter) }
        let (t, policy, value) = try trainer()
        let metrics = try t.run()
        return (Array(policy.parameters), value.map { Array($0.parameters) } ?? [], metrics)
    }

    @Test(arguments: [RLAlgorithm.ppo, .grpo, .dpo, .rest])
    func resumedRunEqualsAnUninterruptedOne(algorithm: RLAlgorithm) throws {
        let a = temporaryDirectory("rl-a"), b = temporaryDirectory("rl-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let whole = try Self.finalState(algorithm, directory: a, stopAfter: nil)
        let resumed = try Self.finalState(algorithm, directory: b, stopAfter: 1)
        #expect(whole.policy == resumed.policy)
        #expect(whole.value == resumed.value)
        #expect(whole.policy != Array(try tinyPolicy(seed: 21).parameters) || algorithm == .dpo || algorithm == .rest,
                "the policy did not move")
        func strip(_ m: RLIterationMetrics) -> RLIterationMetrics {
            var m = m
            m.rolloutSeconds = 0; m.scoringSeconds = 0; m.referenceSeconds = 0; m.updateSeconds = 0; m.rolloutTokensPerSecond = 0
            return m
        }
        #expect(whole.metrics.map(strip) == resumed.metrics.map(strip))
        #expect(whole.metrics.count == 3)
        let lines = try String(contentsOf: b.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        if algorithm == .dpo || algorithm == .rest {
            // The data RL built, in TRL's formats: one file per iteration, every row decodable.
            for k in 1...3 {
                let file = a.appendingPathComponent("data/iteration-\(k)-\(algorithm.rawValue).jsonl")
                let text = try String(contentsOf: file, encoding: .utf8)
                for row in text.split(separator: "\n") {
                    if algorithm == .dpo { _ = try JSONDecoder().decode(TRLPreferenceRow.self, from: Data(row.utf8)) }
                    else { _ = try JSONDecoder().decode(TRLCompletionRow.self, from: Data(row.utf8)) }
                }
            }
        } else {
            // PPO and GRPO: every judged rollout of each iteration, with its reward and a label
            // against its problem's mean reward.
            for k in 1...3 {
                let file = a.appendingPathComponent("data/iteration-\(k)-rollouts.jsonl")
                let rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                    .map { try JSONDecoder().decode(TRLScoredRolloutRow.self, from: Data($0.utf8)) }
                #expect(rows.count == whole.metrics[k - 1].rollouts)
                let mean = rows.map { Double($0.reward) }.reduce(0, +) / Double(rows.count)
                #expect(abs(mean - Double(whole.metrics[k - 1].reward)) < 1e-4)
            }
        }
    }

    /// The whole loop learns: from a policy briefly fine-tuned on the handful (it writes answers,
    /// about half of them right), GRPO with the grader's outcome reward raises its own share of right
    /// answers over 60 iterations (first ten about 0.56, last ten about 0.75 when written).
    @Test func grpoRaisesItsOwnRewardOverIterations() throws {
        let directory = temporaryDirectory("rl-learns")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = try tinyPolicy(seed: 5), reference = try tinyPolicy(seed: 5)
        _ = try fineTuneOnHandful(policy, steps: 100, directory: directory.appendingPathComponent("sft"))
        reference.copyParameters(from: policy)
        var c = Self.config(.grpo)
        c.iterations = 60
        c.problemsPerIteration = 4
        c.samplesPerProblem = 8
        c.minibatchSize = 16
        c.maxNewTokens = 40
        c.learningRate = 3e-4
        c.klCoefficient = 0
        c.reward.source = .outcome
        let answers = ["19", "26", "18", "13"]
        let problems = Self.problems.enumerated().map { RLProblem(id: $1.id, prompt: $1.prompt, level: 1, goldAnswer: answers[$0]) }
        let metrics = try RLTrainer(config: c, policy: policy, reference: reference, value: nil, tokenizer: vocabulary,
                                    problems: problems, reward: GoldAnswerReward(), outputDirectory: directory.appendingPathComponent("rl"),
                                    quiet: true).run()
        let first = metrics.prefix(10).compactMap(\.knownCorrect), last = metrics.suffix(10).compactMap(\.knownCorrect)
        let before = first.reduce(0, +) / Float(first.count), after = last.reduce(0, +) / Float(last.count)
        #expect(after > before + 0.1, "known correct \(before) -> \(after)")
    }

    /// A rollout is labelled true when its reward is above its own problem's mean, not the batch's.
    @Test func scoredRolloutLabelsAreRelativeToTheirProblem() {
        func rollout(_ problem: Int) -> Rollout {
            Rollout(problem: problem, sample: 0, prompt: [1], tokens: [2], logProbs: [0], text: "t\(problem)", finishReason: .stop,
                    parsed: SolutionFormat.parseCompletion(""))
        }
        func reward(_ r: Float) -> TokenRewards { TokenRewards(rewards: [r], stepRewards: [], stepTokens: [], outcome: 0) }
        let problems = [RLProblem(id: "a", prompt: "pa", level: 1, goldAnswer: "1"), RLProblem(id: "b", prompt: "pb", level: 5, goldAnswer: nil)]
        let rows = TRLScoredRolloutRow.rows(rollouts: [rollout(0), rollout(0), rollout(1), rollout(1)], problems: problems,
                                            rewards: [reward(1), reward(0), reward(-2), reward(-3)],
                                            judgements: [.init(outcome: true, stepScores: nil), .init(outcome: false, stepScores: nil),
                                                         .init(outcome: nil, stepScores: nil), .init(outcome: nil, stepScores: nil)])
        #expect(rows.map(\.label) == [true, false, true, false])
        #expect(rows.map(\.prompt) == ["pa", "pa", "pb", "pb"])
        #expect(rows.map(\.outcome) == [true, false, nil, nil])
    }

    /// PPO's KL penalty in the reward follows the configured estimator (k1 by default, k2 here).
    @Test func ppoTakesTheKLEstimatorFromTheConfig() throws {
        func metrics(_ estimator: RLKLEstimator) throws -> [RLIterationMetrics] {
            let directory = temporaryDirectory("rl-kl")
            defer { try? FileManager.default.removeItem(at: directory) }
            var c = Self.config(.ppo)
            c.kl.estimator = estimator
            let t = try RLTrainer(config: c, policy: try tinyPolicy(seed: 21), reference: try tinyPolicy(seed: 21),
                                  value: try tinyPolicy(seed: 22), tokenizer: vocabulary, problems: Self.problems,
                                  reward: TokenParityReward(), outputDirectory: directory, quiet: true)
            return try t.run()
        }
        let k1 = try metrics(.k1), k2 = try metrics(.k2)
        #expect(abs(k1[0].kl) < 1e-3 && abs(k2[0].kl) < 1e-3, "the first iteration's policy is the reference")
        #expect(k2[2].kl > 0)
        #expect(k1[2].kl != k2[2].kl)
    }

    @Test func badSettingsAreNamed() throws {
        var c = RLConfig.paper(.grpo)
        c.samplesPerProblem = 1
        #expect(throws: RLConfigError.self) { try c.validate() }
        do { try c.validate() } catch { #expect(error.setting == "group-size") }
        c = RLConfig.paper(.ppo)
        c.policyLoss.clipLow = 0
        do { try c.validate(); Issue.record("clip 0 accepted") } catch { #expect(error.setting == "clip") }
        c = RLConfig.paper(.ppo)
        c.klCoefficient = -0.1
        do { try c.validate(); Issue.record("negative beta accepted") } catch { #expect(error.setting == "beta") }
        c = RLConfig.paper(.grpo)
        c.negativeAdvantageScale = 1.5
        do { try c.validate(); Issue.record("negative-advantage scale 1.5 accepted") } catch { #expect(error.setting == "negative-advantage-scale") }
        c = RLConfig.paper(.grpo)
        c.adamEpsilon = 0
        do { try c.validate(); Issue.record("Adam epsilon 0 accepted") } catch { #expect(error.setting == "adam-epsilon") }
        #expect(throws: Never.self) { try RLConfig.paper(.ppo).validate() }
    }

    @Test func dpoPairsBestWithWorstAboveTheMargin() {
        let pairs = RLTrainer.dpoPairs(scores: [0.2, 1.9, 1.1, 0.1, 1.5], margin: 1.0, limit: 3)
        #expect(pairs.map(\.chosen) == [1, 4] && pairs.map(\.rejected) == [3, 0])
        #expect(RLTrainer.dpoPairs(scores: [0.9, 0.1], margin: 1.0, limit: 3).isEmpty)
        #expect(abs(RLTrainer.dpoScore(RolloutJudgement(outcome: true, stepScores: [2, 0, 1])) - 1.5) < 1e-6)
    }
}
