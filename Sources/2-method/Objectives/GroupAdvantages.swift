// Critic-free advantages from groups of rollouts of one prompt: GRPO (DeepSeekMath, Shao et al.
// 2024), Dr. GRPO (Liu et al. 2025), RLOO (Ahmadian et al. 2024); OpenRLHF `experience_maker.py`
// (group_norm / dr_grpo / rloo), TRL GRPO. And DeepSeekMath's process-supervision GRPO (§4.1.3).

/// How a group's rewards become advantages.
public enum GroupAdvantageEstimator: String, Codable, Sendable, CaseIterable {
    /// (r − mean)/(std + ε) per group, unbiased std (GRPO; OpenRLHF group_norm; TRL).
    case grpo
    /// r − mean (Dr. GRPO; REINFORCE++-baseline).
    case drGRPO
    /// r − (Σ r − r)/(n − 1), the leave-one-out mean (RLOO).
    case rloo
}

/// Settings of group advantages.
public struct GroupAdvantageConfig: Codable, Sendable, Equatable {
    /// The estimator.
    public var estimator: GroupAdvantageEstimator = .grpo
    /// ε added to the group's std (GRPO and process GRPO; TRL: 1e-4). A group of identical rewards gets 0.
    public var epsilon: Float = 1e-4

    public init(estimator: GroupAdvantageEstimator = .grpo, epsilon: Float = 1e-4) {
        self.estimator = estimator
        self.epsilon = epsilon
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(estimator: try c.value(.estimator, or: d.estimator),
                  epsilon: try c.value(.epsilon, or: d.epsilon))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(epsilon >= 0 && epsilon.isFinite, "groupEpsilon", epsilon, "a finite epsilon ≥ 0")
    }
}

/// One advantage per rollout from the rewards of its group (outcome supervision).
///
/// - Parameters:
///   - advantages: (G, n) output, one per rollout; broadcast over its tokens by the caller.
///   - rewards: (G, n), the n rollouts of each of G prompts contiguous.
/// - Throws: `ObjectivesError.invalidSetting` when `groupSize` < 2 (no baseline from one rollout).
public func groupAdvantages(
    advantages: UnsafeMutablePointer<Float>, rewards: UnsafePointer<Float>, groups: Int, groupSize n: Int,
    config: GroupAdvantageConfig = .init()
) throws {
    try require(n >= 2, "groupSize", n, "at least 2 rollouts per prompt")
    try config.validate()
    for g in 0..<groups {
        let r = rewards + g * n, a = advantages + g * n
        var sum: Double = 0
        for i in 0..<n { sum += Double(r[i]) }
        let mean = sum / Double(n)
        switch config.estimator {
        case .grpo:
            let std = standardDeviation(r, count: n, mean: mean)
            for i in 0..<n { a[i] = Float((Double(r[i]) - mean) / (std + Double(config.epsilon))) }
        case .drGRPO:
            for i in 0..<n { a[i] = Float(Double(r[i]) - mean) }
        case .rloo:
            for i in 0..<n { a[i] = Float(Double(r[i]) - (sum - Double(r[i])) / Double(n - 1)) }
        }
    }
}

/// Process-supervision GRPO (DeepSeekMath §4.1.3) for one group: every step reward is normalised
/// with the mean and std of all step rewards of the group's samples, r̃ = (r − mean)/(std + ε), and a
/// step's advantage is the sum of r̃ over that step and the later steps of its sample.
///
/// Unbiased std; with fewer than 2 steps in the group the std is taken as 0.
///
/// - Parameters:
///   - stepAdvantages: (S) output, S = Σ stepCounts, in the order of `stepRewards`.
///   - stepRewards: (S) the steps of sample 0, then of sample 1, ...
///   - stepCounts: (samples) number of steps of each sample.
public func processGroupAdvantages(
    stepAdvantages: UnsafeMutablePointer<Float>, stepRewards: UnsafePointer<Float>,
    stepCounts: UnsafePointer<Int>, samples: Int, epsilon: Float = 1e-4
) {
    var total = 0
    for s in 0..<samples { total += stepCounts[s] }
    guard total > 0 else { return }
    var sum: Double = 0
    for j in 0..<total { sum += Double(stepRewards[j]) }
    let mean = sum / Double(total)
    let scale = 1 / (standardDeviation(stepRewards, count: total, mean: mean) + Double(epsilon))
    var end = 0
    for s in 0..<samples {
        let start = end
        end += stepCounts[s]
        var suffix: Double = 0
        for j in stride(from: end - 1, through: start, by: -1) {
            suffix += (Double(stepRewards[j]) - mean) * scale
            stepAdvantages[j] = Float(suffix)
        }
    }
}

/// Places step advantages on a sequence's tokens: token t gets the advantage of the first step whose
/// last token is at or after t (DeepSeekMath: Â_t = Σ_{index(j) ≥ t} r̃_j with `processGroupAdvantages`'
/// suffix sums); tokens after the last step get 0.
///
/// - Parameters:
///   - tokenAdvantages: (T) output.
///   - stepAdvantages: (K).
///   - stepLastTokens: (K) index of each step's last token in 0..<T, increasing.
public func stepAdvantagesToTokens(
    tokenAdvantages: UnsafeMutablePointer<Float>, stepAdvantages: UnsafePointer<Float>,
    stepLastTokens: UnsafePointer<Int>, steps: Int, length: Int
) {
    var step = 0
    for t in 0..<length {
        while step < steps && stepLastTokens[step] < t { step += 1 }
        tokenAdvantages[t] = step < steps ? stepAdvantages[step] : 0
    }
}

/// Unbiased standard deviation (0 for fewer than 2 values).
func standardDeviation(_ x: UnsafePointer<Float>, count: Int, mean: Double) -> Double {
    guard count > 1 else { return 0 }
    var squares: Double = 0
    for i in 0..<count {
        let d = Double(x[i]) - mean
        squares += d * d
    }
    return (squares / Double(count - 1)).squareRoot()
}
