// Rollouts as training batches, and the three model passes of an RL iteration: action log-probs
// (reference policy), values (critic), and one optimizer step over an objective. Shapes: B rows,
// T positions; position P − 1 + j of a row predicts its j-th sampled token (P = prompt length).
// The model runs the batch's packed rows (``RowPacking``: no padding, a problem's prompt once for
// all its rollouts); the losses see the padded (B, T) layout.

import Kernels
import Objectives
import Transformer

/// Sequences (prompt + sampled tokens) packed as a padded batch, with per-action arrays.
struct RolloutBatch {
    let batch: Batch
    /// (B) prompt length and kept actions of each row.
    let promptCounts: [Int], actionCounts: [Int]
    /// (B, T) 1 at positions that predict an action.
    let mask: [Float]

    /// - Parameter context: the model's context; actions that do not fit are dropped.
    init(_ sequences: [(prompt: [Int32], tokens: [Int32])], context: Int, padID: Int) {
        var examples: [TrainingExample] = [], promptCounts: [Int] = [], actionCounts: [Int] = []
        for sequence in sequences {
            let P = sequence.prompt.count, kept = max(0, min(sequence.tokens.count, context - P))
            let tokens = sequence.prompt + sequence.tokens.prefix(kept)
            var targets = [Int32](repeating: -1, count: tokens.count)
            for j in 0..<kept { targets[P - 1 + j] = sequence.tokens[j] }
            examples.append(TrainingExample(tokens: tokens, targets: targets,
                                            labels: [Float](repeating: .nan, count: tokens.count), source: ""))
            promptCounts.append(P); actionCounts.append(kept)
        }
        var batch = Batch(examples, context: context, padID: Int32(padID))
        batch.packing = RowPacking(batch, promptCounts: promptCounts, lengths: zip(promptCounts, actionCounts).map { min($0 + $1, batch.time) })
        self.batch = batch
        self.promptCounts = promptCounts
        self.actionCounts = actionCounts
        var mask = [Float](repeating: 0, count: batch.batch * batch.time)
        for b in 0..<batch.batch {
            for j in 0..<actionCounts[b] { mask[b * batch.time + promptCounts[b] - 1 + j] = 1 }
        }
        self.mask = mask
    }

    /// (B, T) from per-action values of each row (missing entries 0).
    func scatter(_ perAction: [[Float]]) -> [Float] {
        var out = [Float](repeating: 0, count: batch.batch * batch.time)
        for b in 0..<batch.batch {
            for j in 0..<min(actionCounts[b], perAction[b].count) { out[b * batch.time + promptCounts[b] - 1 + j] = perAction[b][j] }
        }
        return out
    }

    /// Per-action values of each row from a (B, T) buffer.
    func gather(_ buffer: [Float]) -> [[Float]] {
        (0..<batch.batch).map { b in
            (0..<actionCounts[b]).map { j in buffer[b * batch.time + promptCounts[b] - 1 + j] }
        }
    }
}

/// The model passes of RL on one model, with activations for `maxBatch` rows of `context` tokens.
final class RLModelRunner {
    let model: TransformerModel
    let padID: Int
    let maxBatch: Int
    let activations: Activations
    var optimizer: AdamWOptimizer?

    init(model: TransformerModel, padID: Int, maxBatch: Int) {
        self.model = model
        self.padID = padID
        self.maxBatch = maxBatch
        activations = Activations(config: model.config, maxBatch: maxBatch, maxTime: model.config.maxPositions)
    }

    /// Creates the optimizer (and the gradient buffer): the model will be trained.
    func makeTrainable(_ config: AdamWConfig) {
        if optimizer == nil { optimizer = AdamWOptimizer(model: model, config: config) }
    }

    func pack(_ sequences: [(prompt: [Int32], tokens: [Int32])]) -> RolloutBatch {
        RolloutBatch(sequences, context: model.config.maxPositions, padID: padID)
    }

    func forward(_ packed: RolloutBatch, outputs: ForwardOutputs) throws {
        try packed.batch.forward(model, activations: activations, outputs: outputs)
    }

    /// log p(action) of every sampled token, teacher forced, in chunks of `maxBatch`.
    func actionLogProbs(_ sequences: [(prompt: [Int32], tokens: [Int32])]) throws -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: sequences.count, by: maxBatch) {
            let packed = pack(Array(sequences[start..<min(start + maxBatch, sequences.count)]))
            try forward(packed, outputs: [.logits])
            let buffers = TokenLogProbBuffers(batch: packed.batch, activations: activations, vocab: model.config.vocabSize)
            out += packed.gather(buffers.logProbs)
        }
        return out
    }

    /// The scalar head's value at every position that predicts an action (the state before it).
    func actionValues(_ sequences: [(prompt: [Int32], tokens: [Int32])]) throws -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: sequences.count, by: maxBatch) {
            let packed = pack(Array(sequences[start..<min(start + maxBatch, sequences.count)]))
            try forward(packed, outputs: [.values])
            out += packed.gather(packed.batch.unpack(activations.values))
        }
        return out
    }

    /// One optimizer step: forward, `loss` (which writes the head gradients), backward, clipped AdamW.
    ///
    /// - Returns: what `loss` returned and the gradient norm before clipping.
    func step<S>(_ packed: RolloutBatch, outputs: ForwardOutputs, frozen: Set<String>, learningRate: Float,
                 loss: (Activations) -> S) throws -> (stats: S, gradientNorm: Float) {
        guard let optimizer else { preconditionFailure("makeTrainable(_:) first") }
        model.zeroGradients()
        try forward(packed, outputs: outputs)
        let stats = loss(activations)
        packed.batch.backward(model, activations: activations, outputs: outputs)
        let norm = optimizer.update(model: model, learningRate: learningRate, frozen: frozen)
        return (stats, norm)
    }
}
