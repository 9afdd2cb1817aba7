// Shared pieces of the losses: how per-token losses of a (B, T) batch become one number, the
// errors settings raise, and the sequence log-probabilities that sequence-level losses (DPO) read.
// Shapes: B sequences (rows), T positions per sequence; a mask (B, T) holds each token's weight
// (1 = counted, 0 = padding / prompt).

/// How per-token losses ℓ (B, T) with mask m are reduced to one loss.
public enum LossAggregation: String, Codable, Sendable, CaseIterable {
    /// Σ m·ℓ / Σ m over the whole batch (OpenRLHF `token_level_loss`, TRL "dapo").
    case tokenMean
    /// Mean over the non-empty sequences of each sequence's masked token mean (GRPO paper,
    /// OpenRLHF `masked_mean(loss, mask, dim=-1).mean()`). Sequences without tokens are skipped.
    case sequenceMean
    /// Σ m·ℓ / (B·T), a constant normaliser independent of response lengths (Dr. GRPO, TRL "dr_grpo").
    case constantNormalizer
}

/// A setting out of its range: names the setting, the value found and what is expected.
public enum ObjectivesError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, expected):
            return "invalid setting \(name) = \(value): expected \(expected)"
        }
    }
}

/// Throws `ObjectivesError.invalidSetting` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ name: String, _ value: some CustomStringConvertible, _ expected: String) throws {
    if !condition { throw ObjectivesError.invalidSetting(name: name, value: value.description, expected: expected) }
}

/// The factor each token's loss gets under an aggregation: token (b, t) weighs m[b, t]·factor(b).
struct TokenWeights {
    let aggregation: LossAggregation
    let mask: UnsafePointer<Float>      // (B, T)
    let sequences: Int, length: Int
    /// tokenMean: 1/Σm; sequenceMean: 1/(non-empty sequences); constantNormalizer: 1/(B·T).
    let global: Double

    init(aggregation: LossAggregation, mask: UnsafePointer<Float>, sequences: Int, length: Int) {
        self.aggregation = aggregation
        self.mask = mask
        self.sequences = sequences
        self.length = length
        switch aggregation {
        case .tokenMean:
            var total: Double = 0
            for i in 0..<(sequences * length) where mask[i] > 0 { total += Double(mask[i]) }
            global = total > 0 ? 1 / total : 0
        case .sequenceMean:
            var nonEmpty = 0
            for b in 0..<sequences where Self.rowWeight(mask + b * length, length) > 0 { nonEmpty += 1 }
            global = nonEmpty > 0 ? 1 / Double(nonEmpty) : 0
        case .constantNormalizer:
            global = sequences * length > 0 ? 1 / Double(sequences * length) : 0
        }
    }

    /// The factor of the tokens of sequence `b` (0 for an empty sequence under sequenceMean).
    func factor(_ b: Int) -> Double {
        guard aggregation == .sequenceMean else { return global }
        let w = Self.rowWeight(mask + b * length, length)
        return w > 0 ? global / w : 0
    }

    static func rowWeight(_ row: UnsafePointer<Float>, _ length: Int) -> Double {
        var w: Double = 0
        for t in 0..<length where row[t] > 0 { w += Double(row[t]) }
        return w
    }
}

/// Writes `value` into `gradient[i]`, or adds it when accumulating.
@inline(__always)
func store(_ gradient: UnsafeMutablePointer<Float>, _ i: Int, _ value: Float, accumulate: Bool) {
    gradient[i] = accumulate ? gradient[i] + value : value
}

/// Sequence log-probabilities from per-token ones: Σ_t m·logp, or that sum over Σ_t m when
/// `average` (length-averaged DPO, SimPO-style). Empty sequences get 0.
///
/// - Parameters:
///   - sequenceLogProbs: (B) output.
///   - logProbs, mask: (B, T).
public func sequenceLogProbs(
    sequenceLogProbs: UnsafeMutablePointer<Float>, logProbs: UnsafePointer<Float>, mask: UnsafePointer<Float>,
    sequences: Int, length: Int, average: Bool
) {
    for b in 0..<sequences {
        var sum: Double = 0, weight: Double = 0
        for t in 0..<length {
            let m = mask[b * length + t]
            guard m > 0 else { continue }
            sum += Double(m) * Double(logProbs[b * length + t])
            weight += Double(m)
        }
        sequenceLogProbs[b] = average ? (weight > 0 ? Float(sum / weight) : 0) : Float(sum)
    }
}

/// Backward of `sequenceLogProbs`: dlogp[b, t] = m[b, t]·dseq[b] (divided by Σ_t m when `average`).
///
/// - Parameters:
///   - logProbsGrad: (B, T) output; overwritten unless `accumulate`.
///   - sequenceGrad: (B) dL/dsequenceLogProbs.
///   - mask: (B, T).
public func sequenceLogProbsBackward(
    logProbsGrad: UnsafeMutablePointer<Float>, sequenceGrad: UnsafePointer<Float>, mask: UnsafePointer<Float>,
    sequences: Int, length: Int, average: Bool, accumulate: Bool = false
) {
    for b in 0..<sequences {
        let row = mask + b * length
        let weight = TokenWeights.rowWeight(row, length)
        let g = average ? (weight > 0 ? Float(Double(sequenceGrad[b]) / weight) : 0) : sequenceGrad[b]
        for t in 0..<length {
            let m = row[t]
            store(logProbsGrad, b * length + t, m > 0 ? m * g : 0, accumulate: accumulate)
        }
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent (configs decode partial JSON,
    /// the missing fields keeping the paper's defaults).
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
