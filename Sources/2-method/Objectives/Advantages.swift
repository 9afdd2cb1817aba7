// Generalized advantage estimation and whitening for PPO (Schulman et al. 2016; OpenRLHF
// `experience_maker.py` get_advantages_and_returns; TRL `masked_whiten`).
// Shapes: B sequences, T positions; per-token inputs are (B, T).

/// Settings of GAE.
public struct GAEConfig: Codable, Sendable, Equatable {
    /// Discount γ (paper: 1).
    public var gamma: Float = 1
    /// GAE λ (paper: 1).
    public var lambda: Float = 1

    public init(gamma: Float = 1, lambda: Float = 1) {
        self.gamma = gamma
        self.lambda = lambda
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(gamma: try c.value(.gamma, or: d.gamma),
                  lambda: try c.value(.lambda, or: d.lambda))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(gamma >= 0 && gamma <= 1, "gamma", gamma, "0 ≤ gamma ≤ 1")
        try require(lambda >= 0 && lambda <= 1, "lambda", lambda, "0 ≤ lambda ≤ 1")
    }
}

/// GAE over each sequence, backwards: δ_t = r_t + γ·V_{t'} − V_t, A_t = δ_t + γλ·A_{t'}, R_t = A_t + V_t,
/// where t' is the next position of the sequence with mask > 0 (V and A beyond the last are 0).
///
/// Positions with mask ≤ 0 are not part of the trajectory: they get A = R = 0 and are skipped by the
/// recursion. With trailing padding this equals OpenRLHF (which multiplies rewards and values by the mask).
///
/// - Parameters:
///   - advantages, returns: (B, T) outputs.
///   - rewards, values, mask: (B, T).
public func generalizedAdvantages(
    advantages: UnsafeMutablePointer<Float>, returns: UnsafeMutablePointer<Float>,
    rewards: UnsafePointer<Float>, values: UnsafePointer<Float>, mask: UnsafePointer<Float>,
    sequences: Int, length: Int, config: GAEConfig = .init()
) {
    let gamma = config.gamma, decay = config.gamma * config.lambda
    for b in 0..<sequences {
        var nextValue: Float = 0, nextAdvantage: Float = 0
        for t in stride(from: length - 1, through: 0, by: -1) {
            let i = b * length + t
            guard mask[i] > 0 else {
                advantages[i] = 0
                returns[i] = 0
                continue
            }
            let delta = rewards[i] + gamma * nextValue - values[i]
            let advantage = delta + decay * nextAdvantage
            advantages[i] = advantage
            returns[i] = advantage + values[i]
            nextValue = values[i]
            nextAdvantage = advantage
        }
    }
}

/// Settings of whitening.
public struct WhiteningConfig: Codable, Sendable, Equatable {
    /// Subtract the mean (false: (x − μ)/σ + μ, the paper's reward whitening "without mean shift").
    public var shiftMean: Bool = true
    /// Unbiased (n − 1) variance, as torch's `var()` and TRL's `masked_var`; false = biased (1/n).
    public var unbiased: Bool = true
    /// ε added to the variance under the square root.
    public var epsilon: Float = 1e-8

    public init(shiftMean: Bool = true, unbiased: Bool = true, epsilon: Float = 1e-8) {
        self.shiftMean = shiftMean
        self.unbiased = unbiased
        self.epsilon = epsilon
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(shiftMean: try c.value(.shiftMean, or: d.shiftMean),
                  unbiased: try c.value(.unbiased, or: d.unbiased),
                  epsilon: try c.value(.epsilon, or: d.epsilon))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(epsilon >= 0 && epsilon.isFinite, "whiteningEpsilon", epsilon, "a finite epsilon ≥ 0")
    }
}

/// In place: x ← (x − μ)/√(σ² + ε) (+ μ when not shifting the mean), with μ, σ² the mask-weighted
/// mean and variance over all N positions (TRL `masked_whiten`). Positions with mask ≤ 0 are set to 0.
///
/// With fewer than 2 counted positions the unbiased variance is taken as 0 (torch gives NaN).
///
/// - Parameters:
///   - values: (N) in place.
///   - mask: (N) weights; nil = every position.
/// - Returns: the mean and the standard deviation used.
@discardableResult
public func whiten(
    _ values: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>? = nil, count: Int,
    config: WhiteningConfig = .init()
) -> (mean: Float, std: Float) {
    @inline(__always) func weight(_ i: Int) -> Double {
        guard let mask else { return 1 }
        return mask[i] > 0 ? Double(mask[i]) : 0
    }
    var total: Double = 0, sum: Double = 0
    for i in 0..<count {
        let w = weight(i)
        total += w
        sum += w * Double(values[i])
    }
    guard total > 0 else {
        values.update(repeating: 0, count: count)
        return (0, 0)
    }
    let mean = sum / total
    var squares: Double = 0
    for i in 0..<count {
        let centered = Double(values[i]) - mean
        squares += weight(i) * centered * centered
    }
    var variance = squares / total
    if config.unbiased { variance = total > 1 ? variance * total / (total - 1) : 0 }
    let inverse = 1 / (variance + Double(config.epsilon)).squareRoot()
    let shift = config.shiftMean ? 0 : mean
    for i in 0..<count {
        values[i] = weight(i) > 0 ? Float((Double(values[i]) - mean) * inverse + shift) : 0
    }
    return (Float(mean), Float(variance.squareRoot()))
}
