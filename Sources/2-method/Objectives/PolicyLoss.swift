// PPO's clipped surrogate policy loss (Schulman et al. 2017; OpenRLHF `models/loss.py` PolicyLoss),
// also GRPO's policy term. Shapes: B sequences, T positions; all per-token inputs are (B, T).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of the clipped policy loss.
public struct PolicyLossConfig: Codable, Sendable, Equatable {
    /// ε_low: the ratio is clipped below at 1 − ε_low (paper / OpenRLHF: 0.2).
    public var clipLow: Float = 0.2
    /// ε_high: the ratio is clipped above at 1 + ε_high (paper: 0.2; DAPO's clip-higher uses 0.28).
    public var clipHigh: Float = 0.2
    /// How per-token losses are reduced (OpenRLHF default: token mean).
    public var aggregation: LossAggregation = .tokenMean

    public init(clipLow: Float = 0.2, clipHigh: Float = 0.2, aggregation: LossAggregation = .tokenMean) {
        self.clipLow = clipLow
        self.clipHigh = clipHigh
        self.aggregation = aggregation
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(clipLow: try c.value(.clipLow, or: d.clipLow),
                  clipHigh: try c.value(.clipHigh, or: d.clipHigh),
                  aggregation: try c.value(.aggregation, or: d.aggregation))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(clipLow > 0 && clipLow < 1, "clipLow", clipLow, "0 < clipLow < 1")
        try require(clipHigh > 0 && clipHigh.isFinite, "clipHigh", clipHigh, "a finite clipHigh > 0")
    }
}

/// Statistics of one policy-loss evaluation (token means over the mask, whatever the aggregation).
public struct PolicyLossStats: Codable, Sendable, Equatable {
    /// The aggregated loss (unscaled).
    public var loss: Float
    /// Fraction of tokens where the clipped term is the active one (zero gradient).
    public var clipFraction: Float
    /// Approximate KL(π_old ‖ π), k3 estimator: mean of (r − 1) − log r.
    public var approxKL: Float
    /// Mean ratio r = π/π_old.
    public var meanRatio: Float
    /// Σ mask.
    public var tokens: Float
}

/// Clipped surrogate: per token r = exp(logp − logp_old), ℓ = −min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A),
/// reduced by `config.aggregation`; dℓ/dlogp = −r·A where the unclipped term is active, else 0.
///
/// - Parameters:
///   - logProbsGrad: (B, T) output, dL/dlogp times `scale`; overwritten unless `accumulate`.
///   - logProbs: (B, T) current policy log-probs of the sampled tokens.
///   - oldLogProbs: (B, T) log-probs of the policy that sampled them.
///   - advantages: (B, T).
///   - mask: (B, T) token weights; 0 = not an action.
///   - scale: multiplies the gradient only.
public func policyLoss(
    logProbsGrad: UnsafeMutablePointer<Float>, logProbs: UnsafePointer<Float>, oldLogProbs: UnsafePointer<Float>,
    advantages: UnsafePointer<Float>, mask: UnsafePointer<Float>, sequences: Int, length: Int,
    config: PolicyLossConfig = .init(), scale: Float = 1, accumulate: Bool = false
) -> PolicyLossStats {
    let weights = TokenWeights(aggregation: config.aggregation, mask: mask, sequences: sequences, length: length)
    let low = 1 - config.clipLow, high = 1 + config.clipHigh
    var loss: Double = 0, tokens: Double = 0, clipped: Double = 0, kl: Double = 0, ratios: Double = 0
    for b in 0..<sequences {
        let factor = weights.factor(b)
        let gradientFactor = Float(factor) * scale
        for t in 0..<length {
            let i = b * length + t, m = mask[i]
            guard m > 0 else {
                if !accumulate { logProbsGrad[i] = 0 }
                continue
            }
            let logRatio = logProbs[i] - oldLogProbs[i]
            let ratio = expf(logRatio), a = advantages[i]
            let surrogate = ratio * a, clippedSurrogate = min(max(ratio, low), high) * a
            let isClipped = clippedSurrogate < surrogate
            loss -= factor * Double(m) * Double(isClipped ? clippedSurrogate : surrogate)
            store(logProbsGrad, i, isClipped ? 0 : -m * surrogate * gradientFactor, accumulate: accumulate)
            tokens += Double(m)
            if isClipped { clipped += Double(m) }
            kl += Double(m) * Double((ratio - 1) - logRatio)
            ratios += Double(m) * Double(ratio)
        }
    }
    let perToken = tokens > 0 ? 1 / tokens : 0
    return PolicyLossStats(loss: Float(loss), clipFraction: Float(clipped * perToken), approxKL: Float(kl * perToken),
                           meanRatio: Float(ratios * perToken), tokens: Float(tokens))
}
