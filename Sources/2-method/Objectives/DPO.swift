// Direct preference optimisation on sequence log-probabilities (Rafailov et al. 2023), with IPO
// (Azar et al. 2023) and conservative DPO (label smoothing, Mitchell 2023): OpenRLHF
// `models/loss.py` DPOLoss, TRL `dpo_trainer.py`. Iterative DPO of the paper: sigmoid, β 0.1, summed
// log-probs. Shapes: P pairs. Sequence log-probs come from `sequenceLogProbs` (summed, or
// length-averaged with `average: true`); `sequenceLogProbsBackward` carries the gradient to tokens.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The preference loss.
public enum DPOLossType: String, Codable, Sendable, CaseIterable {
    /// −(1 − ε)·log σ(β·Δ) − ε·log σ(−β·Δ) (DPO; cDPO when ε > 0).
    case sigmoid
    /// (Δ − 1/(2β))² (IPO).
    case ipo
}

/// Settings of the DPO loss.
public struct DPOConfig: Codable, Sendable, Equatable {
    /// The loss.
    public var loss: DPOLossType = .sigmoid
    /// β, the strength of the implicit KL constraint (paper: 0.1).
    public var beta: Float = 0.1
    /// ε of conservative DPO: the probability that a preference label is flipped (0 = plain DPO).
    public var labelSmoothing: Float = 0
    /// Length-averaged sequence log-probs instead of summed ones (paper: summed). Read by the caller
    /// when it builds the sequence log-probs (`sequenceLogProbs(..., average:)`).
    public var averageLogProbs: Bool = false
    /// α of iterative RPO (Pang et al. 2024): α times the chosen responses' negative log-likelihood
    /// per token is added to the loss, so the chosen responses' likelihood cannot fall while the
    /// pair's margin grows (0 = plain DPO, the paper's).
    public var nllCoefficient: Float = 0

    public init(loss: DPOLossType = .sigmoid, beta: Float = 0.1, labelSmoothing: Float = 0, averageLogProbs: Bool = false,
                nllCoefficient: Float = 0) {
        self.loss = loss
        self.beta = beta
        self.labelSmoothing = labelSmoothing
        self.averageLogProbs = averageLogProbs
        self.nllCoefficient = nllCoefficient
    }

    /// Decodes partial JSON: absent keys keep the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        self.init(loss: try c.value(.loss, or: d.loss),
                  beta: try c.value(.beta, or: d.beta),
                  labelSmoothing: try c.value(.labelSmoothing, or: d.labelSmoothing),
                  averageLogProbs: try c.value(.averageLogProbs, or: d.averageLogProbs),
                  nllCoefficient: try c.value(.nllCoefficient, or: d.nllCoefficient))
    }

    /// Throws `ObjectivesError.invalidSetting` naming the first setting out of range.
    public func validate() throws {
        try require(beta > 0 && beta.isFinite, "beta", beta, "a finite beta > 0")
        try require(labelSmoothing >= 0 && labelSmoothing < 0.5, "labelSmoothing", labelSmoothing,
                    "0 ≤ labelSmoothing < 0.5")
        try require(nllCoefficient >= 0 && nllCoefficient.isFinite, "nllCoefficient", nllCoefficient, "a finite number ≥ 0")
    }
}

/// Statistics of one DPO evaluation (means over pairs).
public struct DPOStats: Codable, Sendable, Equatable {
    /// The mean loss (unscaled).
    public var loss: Float
    /// Mean implicit reward of the chosen responses, β·(logπ_w − logref_w).
    public var chosenReward: Float
    /// Mean implicit reward of the rejected responses, β·(logπ_l − logref_l).
    public var rejectedReward: Float
    /// Mean reward margin, chosen − rejected.
    public var margin: Float
    /// Fraction of pairs whose chosen reward exceeds the rejected one.
    public var accuracy: Float
}

/// Mean DPO / IPO / cDPO loss over pairs, with Δ = (logπ_w − logref_w) − (logπ_l − logref_l), and its
/// gradient with respect to the policy's sequence log-probs (dL/dlogπ_l = −dL/dlogπ_w).
///
/// - Parameters:
///   - chosenGrad, rejectedGrad: (P) outputs, dL/dlogπ_w and dL/dlogπ_l times `scale`.
///   - policyChosen, policyRejected: (P) policy sequence log-probs.
///   - referenceChosen, referenceRejected: (P) reference sequence log-probs (constants).
public func dpoLoss(
    chosenGrad: UnsafeMutablePointer<Float>, rejectedGrad: UnsafeMutablePointer<Float>,
    policyChosen: UnsafePointer<Float>, policyRejected: UnsafePointer<Float>,
    referenceChosen: UnsafePointer<Float>, referenceRejected: UnsafePointer<Float>,
    pairs: Int, config: DPOConfig = .init(), scale: Float = 1
) -> DPOStats {
    guard pairs > 0 else { return DPOStats(loss: 0, chosenReward: 0, rejectedReward: 0, margin: 0, accuracy: 0) }
    let beta = Double(config.beta), smoothing = Double(config.labelSmoothing)
    let perPair = 1 / Double(pairs)
    var loss: Double = 0, chosen: Double = 0, rejected: Double = 0, correct = 0
    for p in 0..<pairs {
        let chosenRatio = Double(policyChosen[p]) - Double(referenceChosen[p])
        let rejectedRatio = Double(policyRejected[p]) - Double(referenceRejected[p])
        let delta = chosenRatio - rejectedRatio
        var term: Double, dDelta: Double
        switch config.loss {
        case .sigmoid:
            let z = beta * delta
            // −log σ(z) = softplus(−z); d/dz = −σ(−z).
            term = (1 - smoothing) * softplus(-z) + smoothing * softplus(z)
            dDelta = beta * (-(1 - smoothing) * logistic(-z) + smoothing * logistic(z))
        case .ipo:
            let offset = delta - 1 / (2 * beta)
            term = offset * offset
            dDelta = 2 * offset
        }
        loss += term
        let g = Float(dDelta * perPair) * scale
        chosenGrad[p] = g
        rejectedGrad[p] = -g
        chosen += beta * chosenRatio
        rejected += beta * rejectedRatio
        if chosenRatio > rejectedRatio { correct += 1 }
    }
    return DPOStats(loss: Float(loss * perPair), chosenReward: Float(chosen * perPair),
                    rejectedReward: Float(rejected * perPair), margin: Float((chosen - rejected) * perPair),
                    accuracy: Float(Double(correct) * perPair))
}

/// RPO's likelihood term: α · mean over pairs of −(chosen log-prob per token), and its gradient
/// with respect to those per-token (length-averaged) log-probs, −α/P each, added into `chosenGrad`.
///
/// - Parameter chosenAverageLogProbs: (P) the chosen responses' log-probs averaged over their tokens.
public func dpoNLLTerm(chosenGrad: UnsafeMutablePointer<Float>, chosenAverageLogProbs: UnsafePointer<Float>,
                       pairs: Int, coefficient: Float) -> Float {
    guard pairs > 0, coefficient > 0 else { return 0 }
    var sum: Double = 0
    for p in 0..<pairs {
        sum -= Double(chosenAverageLogProbs[p])
        chosenGrad[p] -= coefficient / Float(pairs)
    }
    return coefficient * Float(sum / Double(pairs))
}

/// log(1 + e^x), stable for any x.
@inline(__always)
func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

/// 1/(1 + e^−x), stable for any x.
@inline(__always)
func logistic(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
