// Loss of the scalar head of reward models (PAPER.md, "Reward models"): binary cross-entropy on
// logits, per position, with weights (PRM: every token of a step carries the step's label; ORM: the
// final token carries the outcome). A pure function: it reads predictions and labels and returns
// the loss and its gradient with respect to the predictions.

/// Weighted mean binary cross-entropy of logits x against labels y ∈ [0, 1]:
/// L = Σ wₙ·(softplus(xₙ) − yₙ·xₙ) / Σ wₙ, and dL/dxₙ = wₙ·(σ(xₙ) − yₙ) / Σ wₙ.
///
/// Positions with weight ≤ 0 (or a NaN label) contribute nothing and get a zero gradient. Same
/// value as PyTorch's `binary_cross_entropy_with_logits(x, y, weight=w, reduction="sum") / Σw`.
///
/// - Parameters:
///   - gradient: (N) output, dL/dlogits, scaled by `scale`; overwritten unless `accumulate`
///     (ignored positions are then left unchanged).
///   - logits, labels, weights: (N).
/// - Returns: the loss and the total weight (0 when nothing is labelled; the loss is then 0).
@discardableResult
public func binaryCrossEntropyWithLogits(
    gradient: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, labels: UnsafePointer<Float>,
    weights: UnsafePointer<Float>, count: Int, scale: Float = 1, accumulate: Bool = false
) -> (loss: Float, weight: Float) {
    var totalWeight: Double = 0
    for n in 0..<count where weights[n] > 0 && !labels[n].isNaN { totalWeight += Double(weights[n]) }
    guard totalWeight > 0 else {
        if !accumulate { gradient.update(repeating: 0, count: count) }
        return (0, 0)
    }
    var loss: Double = 0
    let normalizer = Float(1 / totalWeight) * scale
    for n in 0..<count {
        let w = weights[n], y = labels[n]
        guard w > 0, !y.isNaN else {
            if !accumulate { gradient[n] = 0 }
            continue
        }
        let x = logits[n]
        // softplus(x) = max(x, 0) + log(1 + e^{-|x|}), stable for any x.
        let softplus = max(x, 0) + log1pf(expf(-abs(x)))
        loss += Double(w) * Double(softplus - y * x)
        store(gradient, n, w * (sigmoid(x) - y) * normalizer, accumulate: accumulate)
    }
    return (Float(loss / totalWeight), Float(totalWeight))
}

/// The logistic function, stable for large |x|.
@inline(__always)
public func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
