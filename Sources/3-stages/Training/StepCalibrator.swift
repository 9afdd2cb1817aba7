// A reward model's last layer over its own logit and the likelihood features: logistic regression
// fitted on the same (easy) labels the reward model was trained on.

import Foundation
import Tokenizers

/// `logit' = w · [clip(logit), features...] + b`, fitted by Newton's method on labelled positions.
public struct StepCalibrator: Codable, Sendable, Equatable {
    /// Names of the inputs, in order (for people reading `calibration.json`).
    public var inputs: [String]
    public var weights: [Double]
    public var bias: Double
    /// Labelled positions it was fitted on, and their mean log-loss before (bias only) and after.
    public var examples: Int
    public var baselineLoss: Double
    public var loss: Double

    /// Raw reward-model logits are clipped to this magnitude before they enter the regression.
    static let logitClip = 20.0

    /// The calibrated logit of one score position.
    public func apply(logit: Float, features: [Float]) -> Float {
        let x = Self.input(logit: logit, features: features)
        var z = bias
        for (w, v) in zip(weights, x) { z += w * v }
        return Float(z)
    }

    static func input(logit: Float, features: [Float]) -> [Double] {
        [min(max(Double(logit), -logitClip), logitClip)] + features.map(Double.init)
    }

    /// Fits the regression (L2 penalty `ridge` on the weights, not the bias).
    /// - Parameters:
    ///   - rows: (raw logit, features, label) of every labelled score position.
    /// - Returns: nil when the labels are all equal or there are none (nothing to fit).
    public static func fit(_ rows: [(logit: Float, features: [Float], label: Bool)], inputNames: [String],
                           ridge: Double = 1e-3, iterations: Int = 50) -> StepCalibrator? {
        let positives = rows.filter(\.label).count
        guard positives > 0, positives < rows.count else { return nil }
        let X = rows.map { input(logit: $0.logit, features: $0.features) + [1] }
        let y = rows.map { $0.label ? 1.0 : 0.0 }
        let d = X[0].count, n = Double(rows.count)
        var w = [Double](repeating: 0, count: d)
        w[d - 1] = log(Double(positives) / Double(rows.count - positives))
        func meanLoss(_ w: [Double]) -> Double {
            var total = 0.0
            for (x, t) in zip(X, y) {
                let z = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }
                total += max(z, 0) - z * t + log1p(exp(-abs(z)))
            }
            return total / n
        }
        let baseline = meanLoss(w)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            for (x, t) in zip(X, y) {
                let z = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }
                let p = 1 / (1 + exp(-z)), s = p * (1 - p)
                for i in 0..<d {
                    gradient[i] += (p - t) * x[i] / n
                    for j in 0..<d { hessian[i][j] += s * x[i] * x[j] / n }
                }
            }
            for i in 0..<(d - 1) { gradient[i] += ridge * w[i]; hessian[i][i] += ridge }
            guard let step = solve(hessian, gradient) else { break }
            for i in 0..<d { w[i] -= step[i] }
            if step.map(abs).max()! < 1e-10 { break }
        }
        return StepCalibrator(inputs: ["reward_model_logit"] + inputNames, weights: Array(w.dropLast()), bias: w[d - 1],
                              examples: rows.count, baselineLoss: baseline, loss: meanLoss(w))
    }

    /// Solves A x = b by Gaussian elimination with partial pivoting; nil when A is singular.
    static func solve(_ A: [[Double]], _ b: [Double]) -> [Double]? {
        var a = A, x = b
        let d = b.count
        for c in 0..<d {
            let pivot = (c..<d).max { abs(a[$0][c]) < abs(a[$1][c]) }!
            guard abs(a[pivot][c]) > 1e-12 else { return nil }
            a.swapAt(c, pivot); x.swapAt(c, pivot)
            for r in (c + 1)..<d {
                let f = a[r][c] / a[c][c]
                for k in c..<d { a[r][k] -= f * a[c][k] }
                x[r] -= f * x[c]
            }
        }
        for c in stride(from: d - 1, through: 0, by: -1) {
            var s = x[c]
            for k in (c + 1)..<d { s -= a[c][k] * x[k] }
            x[c] = s / a[c][c]
        }
        return x
    }
}

extension StepCalibrator {
    /// Calibrated step scores of one sample: each raw score with the features of its position (the
    /// last score, the final answer's, takes the last features).
    public func apply(scores: [Float], features: [LikelihoodFeatures]) -> [Float] {
        scores.enumerated().map { k, score in
            let f = k == scores.count - 1 ? features.last : (k < features.count - 1 ? features[k] : features.last)
            return f.map { apply(logit: score, features: $0.vector) } ?? score
        }
    }

    /// Calibrated step scores of many samples: each sample's raw scores with the likelihood features of
    /// its completion under the evaluator's token log-probabilities (what `e2h run` and `e2h score` apply),
    /// computed with `tokenizer`.
    public func apply(scores: [[Float]], completions: [String], logProbs: [[Float]], tokenizer: any Tokenizer) throws -> [[Float]] {
        try zip(scores, zip(completions, logProbs)).map { sampleScores, item in
            apply(scores: sampleScores, features: try LikelihoodFeatures.features(completion: item.0, logProbs: item.1, tokenizer: tokenizer))
        }
    }
}
