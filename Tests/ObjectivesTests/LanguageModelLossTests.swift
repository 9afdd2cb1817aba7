// LM cross-entropy over per-token log-probs and the step BCE: PyTorch fixtures, finite
// differences, and the LM loss against the model's own cross-entropy.

import Kernels
import Objectives
import TestSupport
import Testing
import Transformer

@Suite("Language-model loss")
struct LanguageModelLossTests {
    @Test func matchesPyTorch() throws {
        for c in try fixtureCases("lm") {
            let logp = c.floats("logProbs"), weights = c.floats("weights")
            var grad = [Float](repeating: .nan, count: logp.count)
            let (loss, weight) = languageModelLoss(logProbsGrad: &grad, logProbs: logp, weights: weights, count: logp.count)
            expectClose(loss, c.scalar("loss"), c.name)
            expectClose(grad, c.floats("logProbsGrad"), "\(c.name) dlogp")
            expectClose(weight, Double(weights.reduce(0, +)), "\(c.name) weight")
        }
    }

    @Test func gradientMatchesFiniteDifferences() {
        var logp = randomArray(15, seed: 3).map { -abs($0) - 0.1 }
        let weights: [Float] = (0..<15).map { $0 % 4 == 0 ? 0 : Float($0 % 3 + 1) * 0.5 }
        var grad = [Float](repeating: 0, count: 15)
        languageModelLoss(logProbsGrad: &grad, logProbs: logp, weights: weights, count: 15, scale: 2)
        expectGradient(of: &logp, analytic: grad, samples: 15, "dlogp") { x in
            var scratch = [Float](repeating: 0, count: 15)
            return 2 * Double(languageModelLoss(logProbsGrad: &scratch, logProbs: x, weights: weights, count: 15).loss)
        }
    }

    /// The kernel then this loss give `TransformerModel.crossEntropyLoss`'s value exactly, and its logit
    /// gradient to rounding.
    @Test func chainedWithTheKernelReproducesTheModelLoss() throws {
        let config = TransformerConfig(vocabSize: 29, hiddenSize: 8, intermediateSize: 16, layerCount: 1,
                                       headCount: 2, keyValueHeadCount: 1, maxPositions: 32)
        let model = try TransformerModel(config: config)
        let rows = 24, vocab = config.vocabSize
        let activations = Activations(config: config, maxBatch: 1, maxTime: rows)
        let logits = randomArray(rows * vocab, seed: 77, scale: 5)
        activations.logits.update(from: logits, count: logits.count)
        let targets: [Int32] = (0..<rows).map { $0 % 5 == 2 ? -1 : Int32(($0 * 11) % vocab) }
        let scale: Float = 0.5
        let expected = targets.withUnsafeBufferPointer {
            model.crossEntropyLoss(targets: $0, rows: rows, activations: activations, scale: scale)
        }
        let expectedGrad = Array(UnsafeBufferPointer(start: activations.logitsGrad, count: rows * vocab))

        var logp = [Float](repeating: 0, count: rows), lse = logp, dlogp = logp
        tokenLogProbsForward(logProbs: &logp, logSumExps: &lse, logits: logits, targets: targets, rows: rows, vocab: vocab)
        let weights = targets.map { $0 >= 0 ? Float(1) : 0 }
        let (loss, _) = languageModelLoss(logProbsGrad: &dlogp, logProbs: logp, weights: weights, count: rows, scale: scale)
        var dlogits = [Float](repeating: .nan, count: rows * vocab)
        tokenLogProbsBackward(logitsGrad: &dlogits, logProbsGrad: dlogp, logits: logits, targets: targets,
                              logSumExps: lse, rows: rows, vocab: vocab)
        #expect(loss == expected, "loss \(loss) vs the model's \(expected)")
        #expect(maxRelativeError(dlogits, expectedGrad) < 1e-6)
    }

    @Test func nothingWeightedGivesZero() {
        var grad: [Float] = [5, 5, 5]
        let (loss, weight) = languageModelLoss(logProbsGrad: &grad, logProbs: [-1, -2, -3], weights: [0, 0, 0], count: 3)
        #expect(loss == 0 && weight == 0 && grad == [0, 0, 0])
    }
}

@Suite("Step BCE")
struct StepBCETests {
    @Test func matchesPyTorch() throws {
        for c in try fixtureCases("bce") {
            let x = c.floats("logits"), y = c.floats("labels"), w = c.floats("weights")
            var grad = [Float](repeating: .nan, count: x.count)
            let (loss, _) = binaryCrossEntropyWithLogits(gradient: &grad, logits: x, labels: y, weights: w, count: x.count)
            expectClose(loss, c.scalar("loss"), c.name)
            expectClose(grad, c.floats("gradient"), "\(c.name) dlogits")
        }
    }

    @Test func gradientMatchesFiniteDifferences() {
        var x = randomArray(12, seed: 5, scale: 2)
        let y: [Float] = [1, 0, 0.25, .nan, 1, 1, 0, 0.5, 0, 1, .nan, 0]
        let w: [Float] = [1, 2, 1, 1, 0, 0.5, 1, 1, 3, 1, 1, 1]
        var grad = [Float](repeating: 0, count: 12)
        binaryCrossEntropyWithLogits(gradient: &grad, logits: x, labels: y, weights: w, count: 12)
        #expect(grad[3] == 0 && grad[4] == 0 && grad[10] == 0, "ignored positions get no gradient")
        expectGradient(of: &x, analytic: grad, samples: 12, epsilon: 1e-3, "dlogits") { v in
            var scratch = [Float](repeating: 0, count: 12)
            return Double(binaryCrossEntropyWithLogits(gradient: &scratch, logits: v, labels: y, weights: w, count: 12).loss)
        }
    }

    @Test func accumulateAdds() {
        let x: [Float] = [0.3, -2, 4], y: [Float] = [1, 0, .nan], w: [Float] = [1, 1, 1]
        var fresh = [Float](repeating: 0, count: 3), summed: [Float] = [1, 1, 1]
        binaryCrossEntropyWithLogits(gradient: &fresh, logits: x, labels: y, weights: w, count: 3)
        binaryCrossEntropyWithLogits(gradient: &summed, logits: x, labels: y, weights: w, count: 3, accumulate: true)
        expectClose(summed, fresh.map { $0 + 1 }, tolerance: 1e-7, "accumulated")
    }
}
