import Datasets
import Foundation
import Testing
import Tokenizers
import Training
import Transformer

@Suite("Likelihood features of reward models")
struct LikelihoodFeatureTests {
    /// The teacher-forced log-probabilities agree with the engine's cross-entropy on the same
    /// completion tokens (its mean is minus their mean), batched with padding or alone.
    @Test func tokenLogProbsMatchTheCrossEntropy() throws {
        let model = try tinyPolicy(seed: 5)
        let values = try TokenLogProbs(model: model, tokenizer: vocabulary, batchSize: 3).logProbs(handful)
        for (item, lps) in zip(handful, values) {
            #expect(lps.count == item.completion.count)
            #expect(lps.allSatisfy { $0 < 0 && $0.isFinite })
            let prompt = try vocabulary.encode(item.prompt), completion = try vocabulary.encode(item.completion)
            let tokens = ([vocabulary.bosID] + prompt + completion).map(Int32.init)
            var targets = [Int32](repeating: -1, count: tokens.count)
            for t in (1 + prompt.count)..<tokens.count { targets[t - 1] = tokens[t] }
            let activations = Activations(config: model.config, maxBatch: 1, maxTime: tokens.count)
            try tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: 1, time: tokens.count, activations: activations, outputs: [.logits])
            }
            let loss = targets.withUnsafeBufferPointer {
                model.crossEntropyLoss(targets: $0, rows: tokens.count, activations: activations)
            }
            let mean = -lps.reduce(0, +) / Float(lps.count)
            #expect(abs(mean - loss) < 1e-4 * max(1, loss), "\(mean) vs \(loss)")
        }
    }

    /// Repeated samples are computed once and read for every copy: the values of a list with
    /// duplicates equal those of its distinct items, in the caller's order.
    @Test func duplicateSamplesGetTheValuesOfTheirFirstCopy() throws {
        let model = try tinyPolicy(seed: 6)
        let reader = TokenLogProbs(model: model, tokenizer: vocabulary, batchSize: 2)
        let distinct = try reader.logProbs(handful)
        let repeated = handful + handful.reversed() + [handful[0]]
        let values = try reader.logProbs(repeated)
        #expect(values.count == repeated.count)
        // Copies within one call share their rows exactly; against a separate call (other batches,
        // other padding) the values agree to rounding.
        #expect(Array(values[handful.count..<(2 * handful.count)]) == Array(values[0..<handful.count]).reversed())
        #expect(values.last == values[0])
        for (a, b) in zip(values[0..<handful.count], distinct) {
            #expect(a.count == b.count)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 }, "\(a) vs \(b)")
        }
    }

    /// Features sit at the score positions: one per step (its tokens and newline), then the answer.
    @Test func featuresFollowTheScorePositions() throws {
        let completion = "2 + 3 = 5\n\n5 * 4 = 21\n\n# Answer\n\n21"
        var lps = [Float](repeating: -0.1, count: completion.count)
        let secondResult = completion.range(of: "21")!.lowerBound.utf16Offset(in: completion)
        lps[secondResult] = -3  // the slip: "21" instead of "20"
        lps[0] = -0.5
        let f = try LikelihoodFeatures.features(completion: completion, logProbs: lps, tokenizer: vocabulary)
        #expect(f.count == 3)
        #expect(f[0] == LikelihoodFeatures(stepMinimum: -0.5, prefixMinimum: -0.5))
        #expect(f[1] == LikelihoodFeatures(stepMinimum: -3, prefixMinimum: -3))
        #expect(f[2] == LikelihoodFeatures(stepMinimum: -0.1, prefixMinimum: -3))

        // With numbers as tokens the same slip is one token, the 20th:
        // [2, " ", +, " ", 3, " ", =, " ", 5, \n, \n, 5, " ", *, " ", 4, " ", =, " ", 21, \n, \n, #, ...].
        let numbers = NumberVocabulary.benchmark
        let ids = try #require(try? numbers.encode(completion))
        var tokenLps = [Float](repeating: -0.1, count: ids.count)
        let slip = try #require(ids.firstIndex(of: numbers.firstGroupID + 21))
        #expect(slip == 19)
        tokenLps[slip] = -3
        tokenLps[0] = -0.5
        let g = try LikelihoodFeatures.features(completion: completion, logProbs: tokenLps, tokenizer: numbers)
        #expect(g == f)
    }

    /// The calibrator finds the informative input, lowers the log-loss, and applies per position.
    @Test func calibratorLearnsFromTheInformativeFeature() throws {
        var rows: [(logit: Float, features: [Float], label: Bool)] = []
        for i in 0..<400 {
            let correct = i % 3 != 0
            let u = Float((i * 37) % 101) / 100  // a fixed spread in 0...1
            let slip: Float = correct ? -u : -(0.5 + 3.5 * u)
            rows.append((Float((i * 53) % 97) / 48 - 1, [slip, slip], correct))  // an uninformative logit
        }
        let c = try #require(StepCalibrator.fit(rows, inputNames: ["a", "b"]))
        #expect(c.weights[1] + c.weights[2] > 1)
        #expect(abs(c.weights[0]) < 0.5)
        #expect(c.loss < c.baselineLoss - 0.2)
        #expect(StepCalibrator.fit(rows.map { ($0.logit, $0.features, true) }, inputNames: ["a", "b"]) == nil)
        let features = [LikelihoodFeatures(stepMinimum: -0.1, prefixMinimum: -0.1),
                        LikelihoodFeatures(stepMinimum: -3, prefixMinimum: -3)]
        let scores = c.apply(scores: [0, 0], features: features)
        #expect(scores[0] > scores[1])
        // Many samples at once: each sample's own features, read from its completion and log-probs.
        let completions = ["2 + 3 = 5\n\n# Answer\n\n5", "2 * 3 = 7\n\n# Answer\n\n7"]
        let logProbs = completions.enumerated().map { i, text in [Float](repeating: i == 0 ? -0.1 : -3, count: text.count) }
        let batch = try c.apply(scores: [[0, 0], [0, 0]], completions: completions, logProbs: logProbs, tokenizer: vocabulary)
        for i in 0..<2 {
            #expect(try batch[i] == c.apply(scores: [0, 0], features: LikelihoodFeatures.features(completion: completions[i], logProbs: logProbs[i], tokenizer: vocabulary)))
        }
        #expect(batch[0][0] > batch[1][0])
    }
}
