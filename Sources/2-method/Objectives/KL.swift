// Per-token KL estimators between the policy and a reference policy, from log-probs of sampled
// tokens (Schulman, "Approximating KL divergence", 2020; OpenRLHF `compute_approx_kl`; TRL GRPO).
// Usable as a reward term (values, PPO: r_t −= β·kl_t) or as a loss term with its gradient (GRPO).
// Shapes: N positions, or (B, T) for the loss.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-token estimator of KL(π ‖ π_ref) with d = logp − logp_ref.
public enum KLEstimator: String, Codable, Sendable, CaseIterable {
    /// k1 = d; unbiased, can be negative; d k1/dlogp = 1 (PPO reward, OpenRLHF default).
    case k1
    /// k2 = ½·d²; d k2/dlogp = d.
    case k2
    /// k3 = exp(−d) + d − 1 ≥ 0; unbiased, low variance; d k3/dlogp = 1 − exp(−d) (TRL GRPO, DeepSeekMath).
    case k3
}

/// Settings of the KL term.
public struct KLConfig: Codable, Sendable, Equatable {
    /// The estimator (paper's PPO: k1 in the reward).
    public var estimator: KLEstimator = .k1
    /// Clamp the estimate at ≥ 0 (the paper's code clamps k1; zero gradient where clamped).
    public var clampAtZero: Bool = false

    public init(estimator: KLEstimator = .k1, clampAtZero: Bool = false) {
        self.estimator = estimator
        self.clampAtZero = clampAtZero
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(estimator: try c.value(.estimator, or: d.estimator),
                  clampAtZero: try c.value(.clampAtZero, or: d.clampAtZero))
    }
}

/// Per-token KL estimates and, optionally, their derivatives with respect to logp.
///
/// - Parameters:
///   - values: (N) output, the estimate per position (0 where the mask is 0).
///   - logProbsGrad: (N) optional output, d value/dlogp (0 where the mask is 0); overwritten.
///   - logProbs: (N) policy log-probs; referenceLogProbs: (N) reference log-probs.
///   - mask: (N) optional; positions with mask ≤ 0 get 0. nil = every position.
public func klDivergence(
    values: UnsafeMutablePointer<Float>, logProbsGrad: UnsafeMutablePointer<Float>? = nil,
    logProbs: UnsafePointer<Float>, referenceLogProbs: UnsafePointer<Float>, mask: UnsafePointer<Float>? = nil,
    count: Int, config: KLConfig = .init()
) {
    for i in 0..<count {
        if let mask, !(mask[i] > 0) {
            values[i] = 0
            logProbsGrad?[i] = 0
            continue
        }
        let (value, gradient) = klTerm(logProbs[i] - referenceLogProbs[i], config)
        values[i] = value
        logProbsGrad?[i] = gradient
    }
}

/// KL as a loss term (GRPO, TRL `beta * per_token_kl`): the per-token estimates reduced by
/// `aggregation`, with dL/dlogp.
///
/// - Parameters:
///   - logProbsGrad: (B, T) output, dL/dlogp times `scale` (pass β as `scale`); overwritten unless
///     `accumulate` (then added, e.g. onto the policy loss's gradient).
///   - logProbs, referenceLogProbs, mask: (B, T).
/// - Returns: the aggregated KL (unscaled) and its mask-weighted token mean.
@discardableResult
public func klLoss(
    logProbsGrad: UnsafeMutablePointer<Float>, logProbs: UnsafePointer<Float>, referenceLogProbs: UnsafePointer<Float>,
    mask: UnsafePointer<Float>, sequences: Int, length: Int, config: KLConfig = .init(),
    aggregation: LossAggregation = .tokenMean, scale: Float = 1, accumulate: Bool = false
) -> (loss: Float, meanKL: Float) {
    let weights = TokenWeights(aggregation: aggregation, mask: mask, sequences: sequences, length: length)
    var loss: Double = 0, total: Double = 0, tokens: Double = 0
    for b in 0..<sequences {
        let factor = weights.factor(b)
        let gradientFactor = Float(factor) * scale
        for t in 0..<length {
            let i = b * length + t, m = mask[i]
            guard m > 0 else {
                if !accumulate { logProbsGrad[i] = 0 }
                continue
            }
            let (value, gradient) = klTerm(logProbs[i] - referenceLogProbs[i], config)
            loss += factor * Double(m) * Double(value)
            total += Double(m) * Double(value)
            tokens += Double(m)
            store(logProbsGrad, i, m * gradient * gradientFactor, accumulate: accumulate)
        }
    }
    return (Float(loss), tokens > 0 ? Float(total / tokens) : 0)
}

/// One estimate and its derivative with respect to logp, from d = logp − logp_ref.
@inline(__always)
func klTerm(_ d: Float, _ config: KLConfig) -> (value: Float, gradient: Float) {
    var value: Float, gradient: Float
    switch config.estimator {
    case .k1: value = d; gradient = 1
    case .k2: value = 0.5 * d * d; gradient = d
    case .k3:
        let e = expf(-d)
        value = e + d - 1
        gradient = 1 - e
    }
    if config.clampAtZero && value < 0 { return (0, 0) }
    return (value, gradient)
}
