// PPO policy and value losses: PyTorch fixtures (OpenRLHF formulas) and finite differences.

import Objectives
import TestSupport
import Testing

@Suite("Policy loss")
struct PolicyLossTests {
    @Test func matchesPyTorch() throws {
        for c in try fixtureCases("policy") {
            let B = c.int("sequences"), T = c.int("length")
            let config = PolicyLossConfig(clipLow: Float(c.settings["clipLow"]!), clipHigh: Float(c.settings["clipHigh"]!),
                                          aggregation: LossAggregation(rawValue: c.options["aggregation"]!)!)
            var grad = [Float](repeating: .nan, count: B * T)
            let stats = policyLoss(logProbsGrad: &grad, logProbs: c.floats("logProbs"), oldLogProbs: c.floats("oldLogProbs"),
                                   advantages: c.floats("advantages"), mask: c.floats("mask"),
                                   sequences: B, length: T, config: config)
            expectClose(stats.loss, c.scalar("loss"), c.name)
            expectClose(grad, c.floats("logProbsGrad"), "\(c.name) dlogp")
            expectClose(stats.clipFraction, c.scalar("clipFraction"), "\(c.name) clip fraction")
            expectClose(stats.approxKL, c.scalar("approxKL"), "\(c.name) approx KL")
            expectClose(stats.meanRatio, c.scalar("meanRatio"), "\(c.name) mean ratio")
        }
    }

    @Test(arguments: LossAggregation.allCases)
    func gradientMatchesFiniteDifferences(aggregation: LossAggregation) {
        let B = 3, T = 5
        var logp = randomArray(B * T, seed: 41, scale: 0.5).map { $0 - 1 }
        let old = zip(logp, randomArray(B * T, seed: 42, scale: 0.3)).map { $0 + $1 }
        let advantages = randomArray(B * T, seed: 43)
        let mask: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0.5, 1, 1, 0]
        let config = PolicyLossConfig(aggregation: aggregation)
        var grad = [Float](repeating: 0, count: B * T)
        let stats = policyLoss(logProbsGrad: &grad, logProbs: logp, oldLogProbs: old, advantages: advantages, mask: mask,
                               sequences: B, length: T, config: config, scale: 3)
        #expect(stats.clipFraction > 0 && stats.clipFraction < 1, "both branches are exercised")
        expectGradient(of: &logp, analytic: grad, samples: B * T, epsilon: 1e-3, "dlogp \(aggregation)") { x in
            var scratch = [Float](repeating: 0, count: B * T)
            return 3 * Double(policyLoss(logProbsGrad: &scratch, logProbs: x, oldLogProbs: old, advantages: advantages,
                                         mask: mask, sequences: B, length: T, config: config).loss)
        }
    }

    @Test func onPolicyRatioIsOneAndGradientIsMinusAdvantage() {
        let logp: [Float] = [-1, -2, -0.5, -3], advantages: [Float] = [1, -2, 0.5, 4], mask: [Float] = [1, 1, 1, 0]
        var grad = [Float](repeating: 9, count: 4)
        let stats = policyLoss(logProbsGrad: &grad, logProbs: logp, oldLogProbs: logp, advantages: advantages, mask: mask,
                               sequences: 1, length: 4)
        #expect(stats.clipFraction == 0 && stats.approxKL == 0 && stats.meanRatio == 1 && stats.tokens == 3)
        expectClose(grad, [-1 / 3, 2 / 3, -0.5 / 3, 0], tolerance: 1e-7, "dlogp")
        expectClose(stats.loss, -(1 - 2 + 0.5) / 3, tolerance: 1e-7, "loss")
    }

    @Test func settingsOutOfRangeAreNamed() {
        #expect(throws: ObjectivesError.self) { try PolicyLossConfig(clipLow: 0).validate() }
        do {
            try PolicyLossConfig(clipHigh: -1).validate()
            Issue.record("clipHigh -1 accepted")
        } catch { #expect("\(error)".contains("clipHigh")) }
        #expect(throws: ObjectivesError.self) { try ValueLossConfig(clip: 0).validate() }
    }
}

@Suite("Value loss")
struct ValueLossTests {
    @Test func matchesPyTorch() throws {
        for c in try fixtureCases("value") {
            let B = c.int("sequences"), T = c.int("length")
            let config = ValueLossConfig(clip: c.settings["clip"].map(Float.init),
                                         aggregation: LossAggregation(rawValue: c.options["aggregation"]!)!)
            var grad = [Float](repeating: .nan, count: B * T)
            let stats = valueLoss(valuesGrad: &grad, values: c.floats("values"), oldValues: c.floats("oldValues"),
                                  returns: c.floats("returns"), mask: c.floats("mask"), sequences: B, length: T,
                                  config: config)
            expectClose(stats.loss, c.scalar("loss"), c.name)
            expectClose(grad, c.floats("valuesGrad"), "\(c.name) dvalues")
            expectClose(stats.clipFraction, c.scalar("clipFraction"), "\(c.name) clip fraction")
        }
    }

    @Test(arguments: [Float(0.2), nil])
    func gradientMatchesFiniteDifferences(clip: Float?) {
        let B = 2, T = 6
        let old = randomArray(B * T, seed: 51)
        var values = zip(old, randomArray(B * T, seed: 52, scale: 0.4)).map { $0 + $1 }
        let returns = randomArray(B * T, seed: 53)
        let mask: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
        let config = ValueLossConfig(clip: clip, aggregation: .sequenceMean)
        var grad = [Float](repeating: 0, count: B * T)
        let stats = valueLoss(valuesGrad: &grad, values: values, oldValues: old, returns: returns, mask: mask,
                              sequences: B, length: T, config: config)
        if clip != nil { #expect(stats.clipFraction > 0, "the clipped branch is exercised") }
        expectGradient(of: &values, analytic: grad, samples: B * T, epsilon: 1e-3, "dvalues") { v in
            var scratch = [Float](repeating: 0, count: B * T)
            return Double(valueLoss(valuesGrad: &scratch, values: v, oldValues: old, returns: returns, mask: mask,
                                    sequences: B, length: T, config: config).loss)
        }
    }
}
