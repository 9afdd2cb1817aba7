// PPO's clipped value loss (OpenRLHF `models/loss.py` ValueLoss; PPO2's value clipping).
// Shapes: B sequences, T positions; all per-token inputs are (B, T).

/// Settings of the value loss.
public struct ValueLossConfig: Codable, Sendable, Equatable {
    /// Value clip ε: the new value may move at most ε from the old one in the clipped term
    /// (paper: 0.2); nil = plain squared error.
    public var clip: Float? = 0.2
    /// How per-token losses are reduced (OpenRLHF: token mean).
    public var aggregation: LossAggregation = .tokenMean

    public init(clip: Float? = 0.2, aggregation: LossAggregation = .tokenMean) {
        self.clip = clip
        self.aggregation = aggregation
    }

    enum CodingKeys: String, CodingKey { case clip, aggregation }

    /// Decodes partial JSON: absent keys keep the defaults; `"clip": null` turns clipping off.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(clip: c.contains(.clip) ? try c.decodeIfPresent(Float.self, forKey: .clip) : d.clip,
                  aggregation: try c.value(.aggregation, or: d.aggregation))
    }

    /// Encodes every field; no clip is written as `"clip": null` (so it reads back as no clip).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clip, forKey: .clip)
        try c.encode(aggregation, forKey: .aggregation)
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        if let clip { try require(clip > 0 && clip.isFinite, "valueClip", clip, "a finite value clip > 0 (or none)") }
    }
}

/// Statistics of one value-loss evaluation.
public struct ValueLossStats: Codable, Sendable, Equatable {
    /// The aggregated loss (unscaled; the paper's value coefficient 0.1 goes into `scale`).
    public var loss: Float
    /// Fraction of tokens (mask-weighted) where the clipped term is the larger one.
    public var clipFraction: Float
    /// Σ mask.
    public var tokens: Float
}

/// Clipped value loss: per token v_c = v_old + clip(v − v_old, −ε, ε),
/// ℓ = ½·max((v_c − R)², (v − R)²), reduced by `config.aggregation`;
/// dℓ/dv = (v_c − R)·[|v − v_old| ≤ ε] where the clipped term is larger, else (v − R).
///
/// - Parameters:
///   - valuesGrad: (B, T) output, dL/dvalues times `scale`; overwritten unless `accumulate`.
///   - values: (B, T) current value predictions.
///   - oldValues: (B, T) values at rollout time.
///   - returns: (B, T) targets (e.g. GAE returns).
///   - mask: (B, T) token weights.
public func valueLoss(
    valuesGrad: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, oldValues: UnsafePointer<Float>,
    returns: UnsafePointer<Float>, mask: UnsafePointer<Float>, sequences: Int, length: Int,
    config: ValueLossConfig = .init(), scale: Float = 1, accumulate: Bool = false
) -> ValueLossStats {
    let weights = TokenWeights(aggregation: config.aggregation, mask: mask, sequences: sequences, length: length)
    var loss: Double = 0, tokens: Double = 0, clipped: Double = 0
    for b in 0..<sequences {
        let factor = weights.factor(b)
        let gradientFactor = Float(factor) * scale
        for t in 0..<length {
            let i = b * length + t, m = mask[i]
            guard m > 0 else {
                if !accumulate { valuesGrad[i] = 0 }
                continue
            }
            let v = values[i], target = returns[i]
            var term = 0.5 * (v - target) * (v - target), gradient = v - target
            if let eps = config.clip {
                let delta = v - oldValues[i]
                let clippedValue = oldValues[i] + min(max(delta, -eps), eps)
                let clippedTerm = 0.5 * (clippedValue - target) * (clippedValue - target)
                if clippedTerm > term {
                    term = clippedTerm
                    gradient = abs(delta) <= eps ? clippedValue - target : 0
                    clipped += Double(m)
                }
            }
            loss += factor * Double(m) * Double(term)
            store(valuesGrad, i, m * gradient * gradientFactor, accumulate: accumulate)
            tokens += Double(m)
        }
    }
    return ValueLossStats(loss: Float(loss), clipFraction: tokens > 0 ? Float(clipped / tokens) : 0,
                          tokens: Float(tokens))
}
