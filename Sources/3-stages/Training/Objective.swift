// The objective seam of the trainer (DESIGN.md, "Seams"): an objective says which heads a forward
// pass evaluates, turns the head outputs into a loss and its gradient, and tallies validation
// statistics. The trainer holds no loss math: the math is in Objectives (pure functions) and in
// the kernels' cross-entropy; objectives only wire the model's buffers to it.

import Kernels
import Objectives
import Transformer

/// Validation sums of one batch: weighted loss, total weight, and hits among counted positions.
public struct ValidationTally: Sendable, Equatable {
    public var weightedLoss: Double = 0
    public var weight: Double = 0
    public var correct = 0
    public var counted = 0

    public init() {}

    public mutating func add(_ other: ValidationTally) {
        weightedLoss += other.weightedLoss; weight += other.weight
        correct += other.correct; counted += other.counted
    }

    /// Mean loss and accuracy.
    public var means: (loss: Float, accuracy: Float) {
        (Float(weightedLoss / max(weight, 1e-9)), Float(correct) / Float(max(counted, 1)))
    }
}

/// What one supervised training step optimizes.
public protocol Objective: Sendable {
    /// The heads the forward pass must evaluate (and the backward pass start from).
    var outputs: ForwardOutputs { get }
    /// Tensors this objective leaves untouched (their gradient is zero; freezing also skips weight decay).
    func frozenTensors(of model: TransformerModel) -> Set<String>
    /// The batch's loss from the head outputs in `activations`; writes dL/d(head outputs) there.
    func loss(batch: Batch, activations: Activations, model: TransformerModel) -> Float
    /// Validation sums of the batch from the head outputs in `activations`.
    func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally
}

/// Next-token cross-entropy on positions with a target (policy SFT, pretraining); token mean.
public struct LanguageModelObjective: Objective {
    public init() {}

    public var outputs: ForwardOutputs { [.logits] }

    public func frozenTensors(of model: TransformerModel) -> Set<String> { model.layout.scoreHeadNames }

    /// The fused cross-entropy kernel (`crossEntropyLoss`). Objectives' pure `languageModelLoss`
    /// over `tokenLogProbsForward` gives the same loss value bit for bit but a logit gradient that
    /// differs by up to 1e-6, and training amplifies that: with it, seed 1's pretraining differed
    /// from step 50 and `e2h run`'s hard-level result moved from +5.0 to -0.8 points (a different
    /// draw, docs/benchmark.md). The trainer keeps the bit-exact path until the pure one matches it.
    public func loss(batch: Batch, activations a: Activations, model: TransformerModel) -> Float {
        batch.targets.withUnsafeBufferPointer { model.crossEntropyLoss(targets: $0, rows: batch.batch * batch.time, activations: a) }
    }

    /// Loss per counted token and greedy next-token accuracy.
    public func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally {
        let N = batch.batch * batch.time, V = model.config.vocabSize
        batch.targets.withUnsafeBufferPointer { targets in
            crossEntropyForward(losses: activations.tokenLosses, logits: activations.logits,
                                targets: targets.baseAddress!, rows: N, vocab: V)
        }
        var tally = ValidationTally()
        for n in 0..<N where batch.targets[n] >= 0 {
            tally.weightedLoss += Double(activations.tokenLosses[n]); tally.weight += 1
            let row = activations.logits + n * V
            var best = 0
            for v in 1..<V where row[v] > row[best] { best = v }
            if best == Int(batch.targets[n]) { tally.correct += 1 }
            tally.counted += 1
        }
        return tally
    }
}

/// Binary cross-entropy of the scalar head on labelled positions (PRM, ORM, OPRM; PAPER.md
/// "Reward models"), through ``binaryCrossEntropyWithLogits(gradient:logits:labels:weights:count:scale:)``.
public struct ScalarHeadObjective: Objective {
    public init() {}

    public var outputs: ForwardOutputs { [.values] }

    public func frozenTensors(of model: TransformerModel) -> Set<String> {
        model.config.tieEmbeddings ? [] : ["lm_head.weight"]
    }

    public func loss(batch: Batch, activations: Activations, model: TransformerModel) -> Float {
        binaryCrossEntropyWithLogits(gradient: activations.valuesGrad, logits: activations.values, labels: batch.labels,
                                     weights: batch.labelWeights, count: batch.batch * batch.time).loss
    }

    /// Weighted loss and the share of labelled positions on the right side of 0.
    public func validate(batch: Batch, activations: Activations, model: TransformerModel) -> ValidationTally {
        let N = batch.batch * batch.time
        let (loss, weight) = binaryCrossEntropyWithLogits(
            gradient: activations.valuesGrad, logits: activations.values, labels: batch.labels,
            weights: batch.labelWeights, count: N)
        var tally = ValidationTally()
        tally.weightedLoss = Double(loss) * Double(weight); tally.weight = Double(weight)
        for n in 0..<N where batch.labelWeights[n] > 0 {
            if (activations.values[n] > 0) == (batch.labels[n] > 0.5) { tally.correct += 1 }
            tally.counted += 1
        }
        return tally
    }
}

extension TrainingObjective {
    /// The objective this configuration names.
    public var objective: any Objective {
        switch self {
        case .languageModel: LanguageModelObjective()
        case .scalarHead: ScalarHeadObjective()
        }
    }
}
