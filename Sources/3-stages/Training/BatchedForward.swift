// One forward pass over many token sequences, in batches of similar length (less padding): the
// common loop of the scorer and of the token log-probabilities.

import Tokenizers
import Transformer

/// A model that reads (prompt, completion) texts in batches: the base of ``Scorer`` and
/// ``TokenLogProbs``.
public class CompletionReader {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    let forward: BatchedForward

    public init(model: TransformerModel, tokenizer: any Tokenizer, batchSize: Int = 32) {
        self.model = model
        self.tokenizer = tokenizer
        forward = BatchedForward(model: model, padID: tokenizer.padID, batchSize: batchSize)
    }
}

/// Runs a model over sequences batch by batch and hands each sequence's rows to a reader.
///
/// The activations are sized by the longest sequence actually read (grown by doubling, at most
/// `max_position_embeddings`), never by the model's maximum context, and batches are cut so that
/// they take at most ``activationBudget`` bytes (a real model's vocabulary and context would
/// otherwise ask for tens of GiB; the built-in benchmark's batches are far below it).
final class BatchedForward {
    let model: TransformerModel
    let padID: Int
    let batchSize: Int
    private(set) var activations: Activations?

    init(model: TransformerModel, padID: Int, batchSize: Int) {
        self.model = model
        self.padID = padID
        self.batchSize = batchSize
    }

    /// Bytes the activations of one batch may take (at least one sequence is always read).
    static let activationBudget = 4 << 30

    /// The most sequences of `time` tokens whose activations fit in ``activationBudget``, at most `batchSize`.
    func batchLimit(time: Int) -> Int {
        var b = batchSize
        while b > 1, Activations.floatCount(config: model.config, maxBatch: b, maxTime: time) * MemoryLayout<Float>.size > Self.activationBudget {
            b = (b + 1) / 2
        }
        return b
    }

    /// Activations for batches of up to `time` tokens per sequence (their `maxBatch` may be below
    /// `batchSize`: see ``batchLimit(time:)``).
    func activations(time: Int) -> Activations {
        if let current = activations, current.maxTime >= time { return current }
        var grown = max(16, activations?.maxTime ?? 0)
        while grown < time { grown *= 2 }
        let maxTime = max(time, min(grown, model.config.maxPositions))
        let fresh = Activations(config: model.config, maxBatch: batchLimit(time: maxTime), maxTime: maxTime)
        activations = fresh
        return fresh
    }

    /// For each sequence (at most the model's context long), after its batch's forward pass, calls
    /// `read(index, firstRow, activations)`: position t of sequence `index` is row `firstRow + t`.
    /// Identical sequences (many samples of one problem are) are computed once and read for each
    /// of their indices.
    func run(_ sequences: [[Int32]], outputs: ForwardOutputs, progress: ProgressReporter?,
             read: (Int, Int, Activations) -> Void) throws {
        var copies: [[Int]] = []  // per distinct sequence: the indices holding it
        var slot: [[Int32]: Int] = [:]
        for (index, sequence) in sequences.enumerated() {
            if let k = slot[sequence] { copies[k].append(index) } else { slot[sequence] = copies.count; copies.append([index]) }
        }
        let order = copies.indices.sorted { sequences[copies[$0][0]].count < sequences[copies[$1][0]].count }
        var done = 0
        var start = 0
        while start < order.count {
            // Sorted by length: the last of a full batch is its longest sequence.
            let longest = sequences[copies[order[min(start + batchSize, order.count) - 1]][0]].count
            let size = min(batchSize, self.activations(time: longest).maxBatch)
            let chunk = order[start..<min(start + size, order.count)].map { copies[$0] }
            start += chunk.count
            let time = chunk.map { sequences[$0[0]].count }.max()!
            var tokens = [Int32](repeating: Int32(padID), count: chunk.count * time)
            for (b, indices) in chunk.enumerated() {
                for (t, token) in sequences[indices[0]].enumerated() { tokens[b * time + t] = token }
            }
            let activations = self.activations(time: time)
            try tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: chunk.count, time: time, activations: activations, outputs: outputs)
            }
            for (b, indices) in chunk.enumerated() {
                for index in indices { read(index, b * time, activations) }
                done += indices.count
            }
            progress?.update(done, unit: "samples")
        }
    }
}
