// Next-token cross-entropy (SFT, ReST-EM) as a loss over per-token log-probabilities: the model
// computes logp with `tokenLogProbsForward` (Kernels), this turns them into a loss and dL/dlogp, and
// `tokenLogProbsBackward` carries that to the logits. Shapes: N positions.

/// Weighted token mean of −logp (nanoGPT / llm.c `F.cross_entropy(..., ignore_index)` for 0/1 weights):
/// L = Σ wₙ·(−logpₙ) / Σ wₙ, and dL/dlogpₙ = −wₙ / Σ wₙ.
///
/// Chained with `tokenLogProbsForward` and weights 1 on the positions that have a target, the loss
/// equals `TransformerModel.crossEntropyLoss` bit for bit (same per-token terms, same Double sum).
/// Positions with weight ≤ 0 contribute nothing and get a zero gradient.
///
/// - Parameters:
///   - logProbsGrad: (N) output, dL/dlogp times `scale`; overwritten unless `accumulate` (ignored
///     positions are then left unchanged).
///   - logProbs: (N) log p(target) per position.
///   - weights: (N) per-position weight (mask).
///   - scale: multiplies the gradient only (e.g. 1/microbatches); the returned loss is unscaled.
/// - Returns: the loss and the total weight (both 0 when nothing is weighted).
@discardableResult
public func languageModelLoss(
    logProbsGrad: UnsafeMutablePointer<Float>, logProbs: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    count: Int, scale: Float = 1, accumulate: Bool = false
) -> (loss: Float, weight: Float) {
    var totalWeight: Double = 0
    var total: Double = 0
    for n in 0..<count where weights[n] > 0 {
        totalWeight += Double(weights[n])
        total += Double(weights[n]) * Double(-logProbs[n])
    }
    guard totalWeight > 0 else {
        if !accumulate { logProbsGrad.update(repeating: 0, count: count) }
        return (0, 0)
    }
    let perWeight = -Float(1 / totalWeight) * scale
    for n in 0..<count {
        let w = weights[n]
        if w > 0 {
            store(logProbsGrad, n, w * perWeight, accumulate: accumulate)
        } else if !accumulate {
            logProbsGrad[n] = 0
        }
    }
    return (Float(total / totalWeight), Float(totalWeight))
}
