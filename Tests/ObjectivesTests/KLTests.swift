// KL estimators k1 / k2 / k3: PyTorch fixtures (OpenRLHF compute_approx_kl), finite differences,
// and the properties that make them estimators.

import Objectives
import TestSupport
import Testing

@Suite("KL estimators")
struct KLTests {
    @Test func matchesPyTorch() throws {
        for c in try fixtureCases("kl") {
            let B = c.int("sequences"), T = c.int("length")
            let config = KLConfig(estimator: KLEstimator(rawValue: c.options["estimator"]!)!, clampAtZero: c.flag("clamp"))
            let logp = c.floats("logProbs"), ref = c.floats("referenceLogProbs"), mask = c.floats("mask")
            var values = [Float](repeating: .nan, count: B * T), valuesGrad = values, grad = values
            klDivergence(values: &values, logProbsGrad: &valuesGrad, logProbs: logp, referenceLogProbs: ref, mask: mask,
                         count: B * T, config: config)
            expectClose(values, c.floats("values"), "\(c.name) values")
            expectClose(valuesGrad, c.floats("valuesGrad"), "\(c.name) d values/dlogp")
            let (loss, meanKL) = klLoss(logProbsGrad: &grad, logProbs: logp, referenceLogProbs: ref, mask: mask,
                                        sequences: B, length: T, config: config,
                                        aggregation: LossAggregation(rawValue: c.options["aggregation"]!)!)
            expectClose(loss, c.scalar("loss"), "\(c.name) loss")
            expectClose(meanKL, c.scalar("meanKL"), "\(c.name) mean KL")
            expectClose(grad, c.floats("logProbsGrad"), "\(c.name) dloss/dlogp")
        }
    }

    @Test(arguments: KLEstimator.allCases)
    func gradientMatchesFiniteDifferences(estimator: KLEstimator) {
        let B = 2, T = 4
        var logp = randomArray(B * T, seed: 61).map { $0 - 1 }
        let ref = randomArray(B * T, seed: 62).map { $0 - 1 }
        let mask: [Float] = [1, 1, 1, 0, 1, 0.5, 1, 1]
        let config = KLConfig(estimator: estimator)
        var grad = [Float](repeating: 0, count: B * T)
        klLoss(logProbsGrad: &grad, logProbs: logp, referenceLogProbs: ref, mask: mask, sequences: B, length: T,
               config: config, scale: 0.1)
        expectGradient(of: &logp, analytic: grad, samples: B * T, epsilon: 1e-3, "dlogp \(estimator)") { x in
            var scratch = [Float](repeating: 0, count: B * T)
            return 0.1 * Double(klLoss(logProbsGrad: &scratch, logProbs: x, referenceLogProbs: ref, mask: mask,
                                       sequences: B, length: T, config: config).loss)
        }
    }

    @Test func estimatorsAreZeroAtEqualPoliciesAndK3IsNonNegative() {
        let logp = randomArray(20, seed: 63), ref = randomArray(20, seed: 64)
        for estimator in KLEstimator.allCases {
            var values = [Float](repeating: 1, count: 20)
            klDivergence(values: &values, logProbs: logp, referenceLogProbs: logp, count: 20,
                         config: KLConfig(estimator: estimator))
            #expect(values.allSatisfy { $0 == 0 }, "\(estimator) at π = π_ref")
        }
        var k3 = [Float](repeating: 0, count: 20), k1 = k3, clamped = k3
        klDivergence(values: &k3, logProbs: logp, referenceLogProbs: ref, count: 20, config: KLConfig(estimator: .k3))
        klDivergence(values: &k1, logProbs: logp, referenceLogProbs: ref, count: 20)
        klDivergence(values: &clamped, logProbs: logp, referenceLogProbs: ref, count: 20,
                     config: KLConfig(estimator: .k1, clampAtZero: true))
        #expect(k3.allSatisfy { $0 >= 0 })
        #expect(k1.contains { $0 < 0 }, "k1 can be negative")
        #expect(zip(k1, clamped).allSatisfy { $1 == max($0, 0) })
    }

    @Test func accumulateAddsOntoAnotherLoss() {
        let logp: [Float] = [-1, -2], ref: [Float] = [-1.5, -1], mask: [Float] = [1, 1]
        var fresh: [Float] = [0, 0], summed: [Float] = [10, 20]
        klLoss(logProbsGrad: &fresh, logProbs: logp, referenceLogProbs: ref, mask: mask, sequences: 1, length: 2)
        klLoss(logProbsGrad: &summed, logProbs: logp, referenceLogProbs: ref, mask: mask, sequences: 1, length: 2,
               accumulate: true)
        expectClose(summed, [10 + fresh[0], 20 + fresh[1]], tolerance: 1e-7, "accumulated")
    }
}
