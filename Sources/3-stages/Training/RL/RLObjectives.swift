// The objectives of RL behind the trainer's `Objective` seam: the clipped policy gradient with an
// optional KL term in the loss (PPO, GRPO), the clipped value loss (PPO's critic) and DPO. Each
// wires the model's buffers to the pure losses of Objectives; no loss math here. Per-token inputs
// are (B, T) in the batch's layout: position t holds the quantities of the token at t + 1 (the one
// predicted there), mask 1 where that token is an action.

import Kernels
import Objectives
import Transformer

/// Statistics of one policy-gradient evaluation (token means over the mask).
public struct PolicyGradientStats: Sendable, Equatable {
    public var loss: Float
    public var clipFraction: Float
    /// Mean KL estimate against the reference (0 without a reference).
    public var kl: Float
    /// Mean entropy of the policy's next-token distribution at the action positions.
    public var entropy: Float
}

/// log p of each target and the logsumexp and entropy of its row: the bridge from logits to losses.
/// The model's rows may be packed (``RowPacking``); the arrays here are (B, T).
struct TokenLogProbBuffers {
    var logProbs: [Float], logSumExps: [Float], entropies: [Float]
    /// (rows) the logsumexp of each row the model ran, for the backward.
    private var rowLogSumExps: [Float]

    init(batch: Batch, activations a: Activations, vocab V: Int) {
        let N = batch.rows, targets = batch.rowTargets
        var logProbs = [Float](repeating: 0, count: N), logSumExps = logProbs, entropies = logProbs
        logProbs.withUnsafeMutableBufferPointer { lp in
            logSumExps.withUnsafeMutableBufferPointer { lse in
                entropies.withUnsafeMutableBufferPointer { h in
                    targets.withUnsafeBufferPointer { targets in
                        tokenLogProbsForward(logProbs: lp.baseAddress!, logSumExps: lse.baseAddress!, entropies: h.baseAddress!,
                                             logits: a.logits, targets: targets.baseAddress!, rows: N, vocab: V)
                    }
                }
            }
        }
        rowLogSumExps = logSumExps
        self.logProbs = batch.unpack(logProbs); self.logSumExps = batch.unpack(logSumExps); self.entropies = batch.unpack(entropies)
    }

    /// Writes dL/dlogits into the activations from (B, T) dL/dlogp.
    func backward(logProbsGrad: [Float], batch: Batch, activations a: Activations, vocab V: Int) {
        let N = batch.rows, targets = batch.rowTargets
        var rowsGrad = [Float](repeating: 0, count: N)
        rowsGrad.withUnsafeMutableBufferPointer { batch.pack(logProbsGrad, into: $0.baseAddress!) }
        rowsGrad.withUnsafeBufferPointer { g in
            rowLogSumExps.withUnsafeBufferPointer { lse in
                targets.withUnsafeBufferPointer { targets in
                    tokenLogProbsBackward(logitsGrad: a.logitsGrad, logProbsGrad: g.baseAddress!, logits: a.logits,
                                          targets: targets.baseAddress!, logSumExps: lse.baseAddress!, rows: N, vocab: V)
                }
            }
        }
    }
}

/// The clipped surrogate policy loss (``policyLoss``), plus β·KL(π ‖ π_ref) in the loss when
/// reference log-probs are given (GRPO; PPO puts KL in the reward instead).
public struct PolicyGradientObjective: Objective {
    /// (B, T) log-probs of the policy that sampled the actions.
    public var oldLogProbs: [Float]
    /// (B, T) advantages.
    public var advantages: [Float]
    /// (B, T) 1 on action positions.
    public var mask: [Float]
    /// (B, T) reference log-probs for the KL term of the loss; nil = no KL in the loss.
    public var referenceLogProbs: [Float]?
    public var policy: PolicyLossConfig
    public var kl: KLConfig
    /// β of the KL term in the loss.
    public var klCoefficient: Float

    public init(oldLogProbs: [Float], advantages: [Float], mask: [Float], referenceLogProbs: [Float]?,
                policy: PolicyLossConfig, kl: KLConfig, klCoefficient: Float) {
        self.oldLogProbs = oldLogProbs; self.advantages = advantages; self.mask = mask
        self.referenceLogProbs = referenceLogProbs; self.policy = policy; self.kl = kl; self.klCoefficient = klCoefficient
    }

    public var outputs: ForwardOutputs { [.logits] }

    public func frozenTensors(of model: TransformerModel) -> Set<String> { model.layout.scoreHeadNames }

    public func loss(batch: Batch, activations: Activations, model: TransformerModel) -> Float {
        evaluate(batch: batch, activations: activations, model: model).loss
    }

    /// The loss with its statistics; writes dL/dlogits.
    public func evaluate(batch: Batch, activations a: Activations, model: TransformerModel) -> PolicyGradientStats {
        let B = batch.batch, T = batch.time, N = B * T, V = model.config.vocabSize
        let buffers = TokenLogProbBuffers(batch: batch, activations: a, vocab: V)
        var gradient = [Float](repeating: 0, count: N)
        var stats = PolicyGradientStats(loss: 0, clipFraction: 0, kl: 0, entropy: 0)
        gradient.withUnsafeMutableBufferPointer { g in
            let p = policyLoss(logProbsGrad: g.baseAddress!, logProbs: buffers.logProbs, oldLogProbs: oldLogProbs,
                               advantages: advantages, mask: mask, sequences: B, length: T, config: policy)
            stats.loss = p.loss; stats.clipFraction = p.clipFraction
            if let referenceLogProbs {
                let k = klLoss(logProbsGrad: g.baseAddress!, logProbs: buffers.logProbs, referenceLogProbs: referenceLogProbs,
                               mask: mask, sequences: B, length: T, config: kl, aggregation: policy.aggregation,
                               scale: klCoefficient, accumulate: true)
                stats.loss += klCoefficient * k.loss
                stats.kl = k.meanKL
            }
        }
        var entropy: Double = 0, tokens: Double = 0
        for i in 0..<N where mask[i] > 0 { entropy += Double(buffers.entropies[i]); tokens += 1 }
        stats.entropy = tokens > 0 ? Float(entropy / tokens) : 0
        buffers.backward(logProbsGrad: gradient, batch: batch, activations: a, vocab: V)
        return stats
    }

    public func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally {
        var tally = ValidationTally()
        tally.weightedLoss = Double(evaluate(batch: batch, activations: activations, model: model).loss); tally.weight = 1
        return tally
    }
}

/// PPO's clipped value loss on the scalar head (``valueLoss``), scaled by the value coefficient.
public struct ValueObjective: Objective {
    /// (B, T) values at rollout time, returns (targets), and the mask.
    public var oldValues: [Float], returns: [Float], mask: [Float]
    public var config: ValueLossConfig
    /// The value coefficient (paper: 0.1); scales the gradient.
    public var coefficient: Float

    public init(oldValues: [Float], returns: [Float], mask: [Float], config: ValueLossConfig, coefficient: Float) {
        self.oldValues = oldValues; self.returns = returns; self.mask = mask; self.config = config; self.coefficient = coefficient
    }

    public var outputs: ForwardOutputs { [.values] }

    public func frozenTensors(of model: TransformerModel) -> Set<String> {
        model.config.tieEmbeddings ? [] : ["lm_head.weight"]
    }

    public func loss(batch: Batch, activations: Activations, model: TransformerModel) -> Float {
        evaluate(batch: batch, activations: activations).loss
    }

    /// The loss (unscaled) with its statistics; writes dL/dvalues (scaled).
    public func evaluate(batch: Batch, activations a: Activations) -> ValueLossStats {
        let values = batch.unpack(a.values)
        var gradient = [Float](repeating: 0, count: batch.batch * batch.time)
        let stats = valueLoss(valuesGrad: &gradient, values: values, oldValues: oldValues, returns: returns, mask: mask,
                              sequences: batch.batch, length: batch.time, config: config, scale: coefficient)
        batch.pack(gradient, into: a.valuesGrad)
        return stats
    }

    public func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally {
        var tally = ValidationTally()
        tally.weightedLoss = Double(evaluate(batch: batch, activations: activations).loss); tally.weight = 1
        return tally
    }
}

/// DPO on a batch whose first P rows are the chosen responses and the next P the rejected ones
/// (``dpoLoss`` on summed, or length-averaged, completion log-probs), plus RPO's likelihood term
/// on the chosen ones when `config.nllCoefficient` > 0 (``dpoNLLTerm``).
public struct DPOObjective: Objective {
    /// (P) reference sequence log-probs of the chosen and rejected responses.
    public var referenceChosen: [Float], referenceRejected: [Float]
    /// (2P, T) 1 on completion tokens.
    public var mask: [Float]
    public var config: DPOConfig

    public init(referenceChosen: [Float], referenceRejected: [Float], mask: [Float], config: DPOConfig) {
        self.referenceChosen = referenceChosen; self.referenceRejected = referenceRejected; self.mask = mask; self.config = config
    }

    public var outputs: ForwardOutputs { [.logits] }

    public func frozenTensors(of model: TransformerModel) -> Set<String> { model.layout.scoreHeadNames }

    public func loss(batch: Batch, activations: Activations, model: TransformerModel) -> Float {
        evaluate(batch: batch, activations: activations, model: model).loss
    }

    /// The loss with its statistics; writes dL/dlogits.
    public func evaluate(batch: Batch, activations a: Activations, model: TransformerModel) -> DPOStats {
        let rows = batch.batch, T = batch.time, P = rows / 2, V = model.config.vocabSize
        precondition(rows == 2 * P && referenceChosen.count == P, "a DPO batch holds P chosen then P rejected rows")
        let buffers = TokenLogProbBuffers(batch: batch, activations: a, vocab: V)
        var sequences = [Float](repeating: 0, count: rows), sequenceGrad = sequences
        var tokenGrad = [Float](repeating: 0, count: rows * T)
        sequenceLogProbs(sequenceLogProbs: &sequences, logProbs: buffers.logProbs, mask: mask, sequences: rows, length: T,
                         average: config.averageLogProbs)
        let stats = sequences.withUnsafeBufferPointer { s in
            sequenceGrad.withUnsafeMutableBufferPointer { g in
                dpoLoss(chosenGrad: g.baseAddress!, rejectedGrad: g.baseAddress! + P, policyChosen: s.baseAddress!,
                        policyRejected: s.baseAddress! + P, referenceChosen: referenceChosen, referenceRejected: referenceRejected,
                        pairs: P, config: config)
            }
        }
        sequenceLogProbsBackward(logProbsGrad: &tokenGrad, sequenceGrad: sequenceGrad, mask: mask, sequences: rows, length: T,
                                 average: config.averageLogProbs)
        var total = stats
        if config.nllCoefficient > 0 {
            // RPO: the chosen responses' negative log-likelihood per token (their rows are the first P).
            var averages = [Float](repeating: 0, count: rows), averageGrad = averages
            sequenceLogProbs(sequenceLogProbs: &averages, logProbs: buffers.logProbs, mask: mask, sequences: rows, length: T,
                             average: true)
            total.loss += dpoNLLTerm(chosenGrad: &averageGrad, chosenAverageLogProbs: averages, pairs: P,
                                     coefficient: config.nllCoefficient)
            sequenceLogProbsBackward(logProbsGrad: &tokenGrad, sequenceGrad: averageGrad, mask: mask, sequences: rows, length: T,
                                     average: true, accumulate: true)
        }
        buffers.backward(logProbsGrad: tokenGrad, batch: batch, activations: a, vocab: V)
        return total
    }

    public func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally {
        var tally = ValidationTally()
        tally.weightedLoss = Double(evaluate(batch: batch, activations: activations, model: model).loss); tally.weight = 1
        return tally
    }
}
