// DPO / IPO / cDPO on summed and length-averaged log-probs: PyTorch fixtures (OpenRLHF DPOLoss,
// through the token-level chain) and finite differences.

import Objectives
import TestSupport
import Testing

@Suite("DPO")
struct DPOTests {
    func config(_ c: FixtureCase) -> DPOConfig {
        DPOConfig(loss: DPOLossType(rawValue: c.options["loss"]!)!, beta: Float(c.settings["beta"]!),
                  labelSmoothing: Float(c.settings["labelSmoothing"]!), averageLogProbs: c.flag("average"))
    }

    /// Sequence log-probs of a (P, T) token array.
    func sequences(_ tokens: [Float], _ mask: [Float], pairs: Int, length: Int, average: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: pairs)
        sequenceLogProbs(sequenceLogProbs: &out, logProbs: tokens, mask: mask, sequences: pairs, length: length,
                         average: average)
        return out
    }

    /// RPO's term: α · mean(−average chosen log-prob), its gradient −α/P added to what is there.
    @Test func rpoLikelihoodTermAndItsGradient() {
        var grad: [Float] = [0.25, -0.5, 0]
        let loss = dpoNLLTerm(chosenGrad: &grad, chosenAverageLogProbs: [-1, -2.5, -0.3], pairs: 3, coefficient: 0.6)
        #expect(abs(loss - 0.6 * (1 + 2.5 + 0.3) / 3) < 1e-6)
        #expect(zip(grad, [0.25 - 0.2, -0.5 - 0.2, -0.2]).allSatisfy { abs($0 - $1) < 1e-6 })
        var untouched: [Float] = [1, 2]
        #expect(dpoNLLTerm(chosenGrad: &untouched, chosenAverageLogProbs: [-1, -1], pairs: 2, coefficient: 0) == 0 && untouched == [1, 2])
    }

    @Test func matchesPyTorchFromTokensToTokens() throws {
        for c in try fixtureCases("dpo") {
            let P = c.int("pairs"), T = c.int("length"), config = config(c)
            let chosenMask = c.floats("chosenMask"), rejectedMask = c.floats("rejectedMask")
            let seq = { (key: String, mask: [Float]) in
                sequences(c.floats(key), mask, pairs: P, length: T, average: config.averageLogProbs)
            }
            let pc = seq("chosenTokens", chosenMask), pr = seq("rejectedTokens", rejectedMask)
            let rc = seq("referenceChosenTokens", chosenMask), rr = seq("referenceRejectedTokens", rejectedMask)
            expectClose(pc, c.floats("policyChosen"), "\(c.name) sequence log-probs")
            expectClose(rr, c.floats("referenceRejected"), "\(c.name) reference sequence log-probs")
            var chosenGrad = [Float](repeating: .nan, count: P), rejectedGrad = chosenGrad
            let stats = dpoLoss(chosenGrad: &chosenGrad, rejectedGrad: &rejectedGrad, policyChosen: pc, policyRejected: pr,
                                referenceChosen: rc, referenceRejected: rr, pairs: P, config: config)
            expectClose(stats.loss, c.scalar("loss"), c.name)
            expectClose(chosenGrad, c.floats("chosenGrad"), "\(c.name) dL/dchosen")
            expectClose(rejectedGrad, c.floats("rejectedGrad"), "\(c.name) dL/drejected")
            expectClose(stats.chosenReward, c.scalar("chosenReward"), "\(c.name) chosen reward")
            expectClose(stats.rejectedReward, c.scalar("rejectedReward"), "\(c.name) rejected reward")
            expectClose(stats.margin, c.scalar("margin"), "\(c.name) margin")
            expectClose(stats.accuracy, c.scalar("accuracy"), "\(c.name) accuracy")
            var chosenTokensGrad = [Float](repeating: .nan, count: P * T), rejectedTokensGrad = chosenTokensGrad
            sequenceLogProbsBackward(logProbsGrad: &chosenTokensGrad, sequenceGrad: chosenGrad, mask: chosenMask,
                                     sequences: P, length: T, average: config.averageLogProbs)
            sequenceLogProbsBackward(logProbsGrad: &rejectedTokensGrad, sequenceGrad: rejectedGrad, mask: rejectedMask,
                                     sequences: P, length: T, average: config.averageLogProbs)
            expectClose(chosenTokensGrad, c.floats("chosenTokensGrad"), "\(c.name) dL/dchosen tokens")
            expectClose(rejectedTokensGrad, c.floats("rejectedTokensGrad"), "\(c.name) dL/drejected tokens")
        }
    }

    @Test(arguments: [DPOConfig(), DPOConfig(labelSmoothing: 0.2), DPOConfig(loss: .ipo, beta: 0.5),
                      DPOConfig(beta: 0.3, averageLogProbs: true)])
    func tokenGradientMatchesFiniteDifferences(config: DPOConfig) {
        let P = 3, T = 4
        var chosen = randomArray(P * T, seed: 81).map { $0 - 1 }
        let rejected = randomArray(P * T, seed: 82).map { $0 - 1 }
        let refChosen = randomArray(P * T, seed: 83).map { $0 - 1 }, refRejected = randomArray(P * T, seed: 84).map { $0 - 1 }
        let chosenMask: [Float] = [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0], rejectedMask: [Float] = [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0]
        func loss(_ chosenTokens: [Float], tokenGrad: inout [Float]) -> Double {
            let pc = sequences(chosenTokens, chosenMask, pairs: P, length: T, average: config.averageLogProbs)
            let pr = sequences(rejected, rejectedMask, pairs: P, length: T, average: config.averageLogProbs)
            let rc = sequences(refChosen, chosenMask, pairs: P, length: T, average: config.averageLogProbs)
            let rr = sequences(refRejected, rejectedMask, pairs: P, length: T, average: config.averageLogProbs)
            var gc = [Float](repeating: 0, count: P), gr = gc
            let stats = dpoLoss(chosenGrad: &gc, rejectedGrad: &gr, policyChosen: pc, policyRejected: pr,
                                referenceChosen: rc, referenceRejected: rr, pairs: P, config: config)
            sequenceLogProbsBackward(logProbsGrad: &tokenGrad, sequenceGrad: gc, mask: chosenMask, sequences: P,
                                     length: T, average: config.averageLogProbs)
            #expect(zip(gc, gr).allSatisfy { $0 == -$1 })
            return Double(stats.loss)
        }
        var grad = [Float](repeating: 0, count: P * T)
        _ = loss(chosen, tokenGrad: &grad)
        expectGradient(of: &chosen, analytic: grad, samples: P * T, epsilon: 1e-3, "dL/dchosen tokens") { x in
            var scratch = [Float](repeating: 0, count: P * T)
            return loss(x, tokenGrad: &scratch)
        }
    }

    @Test func settingsOutOfRangeAreNamed() {
        for (config, name) in [(DPOConfig(beta: -0.1), "beta"), (DPOConfig(labelSmoothing: 0.5), "labelSmoothing")] {
            do {
                try config.validate()
                Issue.record("\(name) accepted")
            } catch { #expect("\(error)".contains(name)) }
        }
    }
}
