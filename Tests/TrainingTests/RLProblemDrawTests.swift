// Which problems an RL iteration draws: one seeded permutation after another of the pool, or,
// with a hard-problem share, of two pools (problems without a known answer, and the others).

import Foundation
import Testing
@testable import Training

@Suite("RL problem draw")
struct RLProblemDrawTests {
    static let problems = (0..<15).map { i in
        RLProblem(id: "p\(i)", prompt: "Compute \(i) + 1.", level: i < 10 ? 2 : 5, goldAnswer: i < 10 ? "\(i + 1)" : nil)
    }

    func trainer(share: Float?, perIteration: Int) throws -> RLTrainer {
        var c = RLTrainerTests.config(.grpo)
        c.problemsPerIteration = perIteration
        c.hardProblemShare = share
        try c.validate()
        return try RLTrainer(config: c, policy: try tinyPolicy(seed: 21), reference: try tinyPolicy(seed: 21), value: nil,
                             tokenizer: vocabulary, problems: Self.problems, reward: TokenParityReward(),
                             outputDirectory: temporaryDirectory("rl-draw"), quiet: true)
    }

    @Test func withoutAShareEveryEpochIsOnePermutationOfThePool() throws {
        let t = try trainer(share: nil, perIteration: 5)
        let first = (0..<3).flatMap { t.iterationProblems($0).map(\.id) }
        let second = (3..<6).flatMap { t.iterationProblems($0).map(\.id) }
        #expect(Set(first).count == 15 && Set(second).count == 15)
        #expect(first != second, "each epoch has its own order")
        #expect(t.iterationProblems(4).map(\.id) == (try trainer(share: nil, perIteration: 5)).iterationProblems(4).map(\.id))
    }

    @Test func aShareDrawsThatManyHardProblemsEachCyclingThroughItsPool() throws {
        let t = try trainer(share: 0.25, perIteration: 8)   // 2 hard and 6 known per iteration
        var hard: [String] = [], known: [String] = []
        for k in 0..<10 {
            let batch = t.iterationProblems(k)
            #expect(batch.count == 8)
            #expect(batch.filter { $0.goldAnswer == nil }.count == 2)
            hard += batch.filter { $0.goldAnswer == nil }.map(\.id)
            known += batch.filter { $0.goldAnswer != nil }.map(\.id)
        }
        // 20 hard draws are four whole permutations of the 5 hard problems; 60 known draws six of the 10.
        for e in 0..<4 { #expect(Set(hard[(e * 5)..<(e * 5 + 5)]).count == 5) }
        for e in 0..<6 { #expect(Set(known[(e * 10)..<(e * 10 + 10)]).count == 10) }
        #expect(try trainer(share: 0, perIteration: 8).iterationProblems(3).allSatisfy { $0.goldAnswer != nil })
        #expect(try trainer(share: 1, perIteration: 8).iterationProblems(3).allSatisfy { $0.goldAnswer == nil })
        var c = RLConfig.paper(.grpo)
        c.hardProblemShare = -0.1
        do { try c.validate(); Issue.record("a negative share accepted") } catch { #expect(error.setting == "hard-share") }
    }
}

/// Every rollout judged right: every group is rewarded alike.
struct AllRightReward: RewardFunction {
    func judge(_ rollouts: [Rollout], problems: [RLProblem]) throws -> [RolloutJudgement] {
        rollouts.map { _ in RolloutJudgement(outcome: true, stepScores: nil) }
    }
}

@Suite("GRPO without the flat groups")
struct SkipFlatGroupsTests {
    func run(_ reward: any RewardFunction, source: RewardSource = .outcome, skip: Bool) throws -> (policy: [Float], metrics: [RLIterationMetrics]) {
        var c = RLTrainerTests.config(.grpo)
        c.samplesPerProblem = 3
        c.skipFlatGroups = skip
        c.reward.source = source
        try c.validate()
        let directory = temporaryDirectory("rl-flat")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = try tinyPolicy(seed: 21)
        let metrics = try RLTrainer(config: c, policy: policy, reference: try tinyPolicy(seed: 21), value: nil, tokenizer: vocabulary,
                                    problems: RLTrainerTests.problems, reward: reward, outputDirectory: directory, quiet: true).run()
        return (Array(policy.parameters), metrics)
    }

    @Test func flatGroupsLeaveTheUpdateAndAllFlatLeavesThePolicy() throws {
        let initial = try tinyPolicy(seed: 21)
        let start = Array(initial.parameters)
        // All right: every advantage is zero; without skipping, the KL term alone moves nothing at
        // the first step but the update runs; with skipping no rollout is left and nothing changes.
        let skipped = try run(AllRightReward(), skip: true)
        let unchanged = skipped.policy == start
        #expect(unchanged)
        #expect(skipped.metrics.allSatisfy { $0.examples == 0 })
        // Token-parity step scores (prm): rewards differ within groups; whole groups are kept or dropped.
        let parity = try run(TokenParityReward(), source: .prm, skip: true)
        #expect(parity.metrics.allSatisfy { ($0.examples ?? -1) % 3 == 0 && ($0.examples ?? -1) <= $0.rollouts })
        #expect(parity.metrics.contains { ($0.examples ?? 0) > 0 })
        let moved = parity.policy != start
        #expect(moved)
        #expect(try run(TokenParityReward(), source: .prm, skip: false).metrics.allSatisfy { $0.examples == nil })
        var c = RLConfig.paper(.ppo)
        c.skipFlatGroups = true
        do { try c.validate(); Issue.record("skip-flat-groups accepted for PPO") } catch { #expect(error.setting == "skip-flat-groups") }
    }
}
