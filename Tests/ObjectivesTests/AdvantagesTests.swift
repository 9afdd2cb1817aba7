// GAE, whitening, group advantages (GRPO, Dr. GRPO, RLOO, process GRPO) and the paper's "min"
// process reward: PyTorch fixtures and defining properties.

import Objectives
import TestSupport
import Testing

@Suite("Advantages")
struct AdvantagesTests {
    @Test func gaeMatchesPyTorch() throws {
        for c in try fixtureCases("gae") {
            let B = c.int("sequences"), T = c.int("length")
            let config = GAEConfig(gamma: Float(c.settings["gamma"]!), lambda: Float(c.settings["lambda"]!))
            var advantages = [Float](repeating: .nan, count: B * T), returns = advantages
            generalizedAdvantages(advantages: &advantages, returns: &returns, rewards: c.floats("rewards"),
                                  values: c.floats("values"), mask: c.floats("mask"), sequences: B, length: T,
                                  config: config)
            expectClose(advantages, c.floats("advantages"), "\(c.name) advantages")
            expectClose(returns, c.floats("returns"), "\(c.name) returns")
        }
    }

    @Test func gaeWithGammaAndLambdaOneIsRewardToGoMinusValue() {
        let T = 5
        let rewards = randomArray(T, seed: 71), values = randomArray(T, seed: 72)
        var advantages = [Float](repeating: 0, count: T), returns = advantages
        generalizedAdvantages(advantages: &advantages, returns: &returns, rewards: rewards, values: values,
                              mask: [Float](repeating: 1, count: T), sequences: 1, length: T)
        for t in 0..<T {
            let toGo = rewards[t...].reduce(0, +)
            #expect(abs(returns[t] - toGo) < 1e-5 && abs(advantages[t] - (toGo - values[t])) < 1e-5)
        }
    }

    @Test func whiteningMatchesPyTorch() throws {
        for c in try fixtureCases("whiten") {
            var values = c.floats("values")
            let config = WhiteningConfig(shiftMean: c.flag("shiftMean"), unbiased: c.flag("unbiased"),
                                         epsilon: Float(c.settings["epsilon"]!))
            let (mean, std) = whiten(&values, mask: c.floats("mask"), count: values.count, config: config)
            expectClose(values, c.floats("whitened"), "\(c.name) whitened")
            expectClose(mean, c.scalar("mean"), "\(c.name) mean")
            expectClose(std, c.scalar("std"), "\(c.name) std")
        }
    }

    @Test func whiteningGivesZeroMeanUnitVariance() {
        var x = randomArray(50, seed: 73, scale: 3).map { $0 + 2 }
        whiten(&x, count: 50, config: WhiteningConfig(unbiased: false))
        let mean = x.reduce(0, +) / 50
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 50
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
        var single: [Float] = [3, 7]
        let (m, s) = whiten(&single, mask: [1, 0], count: 2)
        #expect(m == 3 && s == 0 && single == [0, 0], "one counted value: variance 0, no NaN")
    }

    @Test func groupAdvantagesMatchPyTorch() throws {
        for c in try fixtureCases("group") {
            let G = c.int("groups"), n = c.int("groupSize")
            let config = GroupAdvantageConfig(estimator: GroupAdvantageEstimator(rawValue: c.options["estimator"]!)!,
                                              epsilon: Float(c.settings["epsilon"]!))
            var advantages = [Float](repeating: .nan, count: G * n)
            try groupAdvantages(advantages: &advantages, rewards: c.floats("rewards"), groups: G, groupSize: n,
                                config: config)
            expectClose(advantages, c.floats("advantages"), c.name)
            #expect(advantages[n..<(2 * n)].allSatisfy { $0 == 0 }, "\(c.name): identical rewards give 0")
        }
    }

    @Test func groupOfOneIsRefused() {
        var advantages: [Float] = [0]
        do {
            try groupAdvantages(advantages: &advantages, rewards: [1], groups: 1, groupSize: 1)
            Issue.record("group size 1 accepted")
        } catch { #expect("\(error)".contains("groupSize")) }
    }

    @Test func processGroupAdvantagesMatchPyTorch() throws {
        for c in try fixtureCases("process_group") {
            let rewards = c.floats("stepRewards"), counts = c.floats("stepCounts").map { Int($0) }
            var stepAdvantages = [Float](repeating: .nan, count: rewards.count)
            processGroupAdvantages(stepAdvantages: &stepAdvantages, stepRewards: rewards, stepCounts: counts,
                                   samples: counts.count, epsilon: Float(c.settings["epsilon"]!))
            expectClose(stepAdvantages, c.floats("stepAdvantages"), "\(c.name) steps")
            let lastTokens = c.floats("stepLastTokens").map { Int($0) }
            var tokens = [Float](repeating: .nan, count: 10)
            stepAdvantagesToTokens(tokenAdvantages: &tokens, stepAdvantages: stepAdvantages, stepLastTokens: lastTokens,
                                   steps: counts[0], length: 10)
            expectClose(tokens, c.floats("tokenAdvantages"), "\(c.name) tokens")
        }
    }

    @Test func minProcessRewardMatchesPyTorchAndSums() throws {
        for c in try fixtureCases("process_reward") {
            let p = c.floats("stepProbabilities")
            let config = ProcessRewardConfig(upperBound: Float(c.settings["upperBound"]!),
                                             stepBonus: Float(c.settings["stepBonus"]!))
            var rewards = [Float](repeating: .nan, count: p.count)
            minShapedStepRewards(rewards: &rewards, stepProbabilities: p, steps: p.count, config: config)
            expectClose(rewards, c.floats("rewards"), c.name)
            // Σ r = min(min p, u) − u + c.
            let expected = min(p.min()!, config.upperBound) - config.upperBound + config.stepBonus
            expectClose(rewards.reduce(0, +), Double(expected), "\(c.name) sum")
        }
        #expect(throws: ObjectivesError.self) { try ProcessRewardConfig(upperBound: 0).validate() }
    }
}
