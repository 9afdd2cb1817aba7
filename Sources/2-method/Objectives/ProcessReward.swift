// The paper's process reward shaping for PPO (PAPER.md "RL details"; REFERENCE.md §1; the paper's
// code `math_utils/math_rl_utils.py`, scheme "min"). Placement of the step rewards on tokens and
// the outcome reward belong to the RL stage. Shapes: K steps of one solution.

/// Settings of the "min" process reward.
public struct ProcessRewardConfig: Codable, Sendable, Equatable {
    /// u: the running minimum starts here, so step rewards sum to min(min_k p_k, u) − u (paper: 0.5).
    public var upperBound: Float = 0.5
    /// c: total per-solution bonus, c/K added to each of the K steps (paper: 0.25).
    public var stepBonus: Float = 0.25

    public init(upperBound: Float = 0.5, stepBonus: Float = 0.25) {
        self.upperBound = upperBound
        self.stepBonus = stepBonus
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(upperBound: try c.value(.upperBound, or: d.upperBound),
                  stepBonus: try c.value(.stepBonus, or: d.stepBonus))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(upperBound > 0 && upperBound <= 1, "upperBound", upperBound, "0 < upperBound ≤ 1")
        try require(stepBonus >= 0 && stepBonus.isFinite, "stepBonus", stepBonus, "a finite stepBonus ≥ 0")
    }
}

/// Step rewards of the "min" scheme: with m_0 = u, r_k = p_k − m_{k−1} if p_k < m_{k−1} (and
/// m_k = p_k) else 0, plus c/K on every step. Σ_k r_k = min(min_k p_k, u) − u + c.
///
/// - Parameters:
///   - rewards: (K) output.
///   - stepProbabilities: (K) p_k = sigmoid(step score) of each step, in order.
public func minShapedStepRewards(
    rewards: UnsafeMutablePointer<Float>, stepProbabilities: UnsafePointer<Float>, steps: Int,
    config: ProcessRewardConfig = .init()
) {
    guard steps > 0 else { return }
    let bonus = config.stepBonus / Float(steps)
    var running = config.upperBound
    for k in 0..<steps {
        let p = stepProbabilities[k]
        var shaped: Float = 0
        if p < running {
            shaped = p - running
            running = p
        }
        rewards[k] = shaped + bonus
    }
}
