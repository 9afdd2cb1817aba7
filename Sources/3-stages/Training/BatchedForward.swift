// One forward pass over many token sequences, packed in batches of rows without padding, a prompt
// that several sequences share run once: the common loop of the scorer and of the token
// log-probabilities.

import Kernels
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
    /// `read(index, rows, activations)`: position t of sequence `index` is row `rows(t)`.
    /// Identical sequences (many samples of one problem are) are computed once and read for each
    /// of their indices. Rows are packed without padding, and sequences whose first
    /// `promptCounts[i]` tokens are the same share one forward of those tokens (but the last;
    /// ``RowPacking``), as far as a batch holds them.
    func run(_ sequences: [[Int32]], promptCounts: [Int]? = nil, outputs: ForwardOutputs, progress: ProgressReporter?,
             read: (Int, SequenceRows, Activations) -> Void) throws {
        guard !sequences.isEmpty else { return }
        var copies: [[Int]] = []  // per distinct sequence: the indices holding it
        var slot: [[Int32]: Int] = [:]
        for (index, sequence) in sequences.enumerated() {
            if let k = slot[sequence] { copies[k].append(index) } else { slot[sequence] = copies.count; copies.append([index]) }
        }
        // Distinct sequences grouped by their shared prompt, groups in order of first appearance.
        var groups: [(shared: Int, members: [Int])] = [], groupOf: [ArraySlice<Int32>: Int] = [:]
        for k in copies.indices {
            let index = copies[k][0], P = min(promptCounts?[index] ?? 0, sequences[index].count)
            let key = sequences[index][0..<P]
            if P >= 2, let g = groupOf[key] { groups[g].members.append(k); continue }
            if P >= 2 { groupOf[key] = groups.count }
            groups.append((P, [k]))
        }
        // An empty sequence has no rows: it is read with the batch it falls in (its readers read none).
        let activations = self.activations(time: max(1, sequences.map(\.count).max() ?? 1))
        let capacity = activations.maxBatch * activations.maxTime
        var tokens: [Int32] = [], lengths: [Int] = [], prefixes: [Int] = []
        var pending: [(copy: Int, rows: SequenceRows)] = [], done = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            if !tokens.isEmpty {
                try tokens.withUnsafeBufferPointer {
                    try model.forward(tokens: $0, segments: AttentionSegments(lengths: lengths, prefixes: prefixes),
                                      activations: activations, outputs: outputs)
                }
            }
            for (copy, rows) in pending {
                for index in copies[copy] { read(index, rows, activations) }
                done += copies[copy].count
            }
            progress?.update(done, unit: "samples")
            tokens = []; lengths = []; prefixes = []; pending = []
        }
        for group in groups {
            let split = group.members.count >= 2 ? group.shared - 1 : 0
            var prefix = -1, prefixRow = 0  // the group's prefix segment in the current batch
            for k in group.members {
                let sequence = sequences[copies[k][0]]
                guard !sequence.isEmpty else { pending.append((k, SequenceRows(prefixRow: 0, split: 0, ownRow: 0))); continue }
                if tokens.count + (prefix < 0 ? split : 0) + sequence.count - split > capacity {
                    try flush(); prefix = -1
                }
                if prefix < 0, split > 0 {
                    prefix = lengths.count; prefixRow = tokens.count
                    tokens += sequence[0..<split]; lengths.append(split); prefixes.append(-1)
                }
                pending.append((k, SequenceRows(prefixRow: prefixRow, split: split, ownRow: tokens.count)))
                tokens += sequence[split...]; lengths.append(sequence.count - split); prefixes.append(prefix)
            }
        }
        try flush()
    }
}

/// Where the positions of one sequence sit among the rows of a packed forward: positions below
/// `split` in its shared prefix from `prefixRow`, the rest from `ownRow`.
struct SequenceRows {
    let prefixRow: Int, split: Int, ownRow: Int

    func callAsFunction(_ t: Int) -> Int { t < split ? prefixRow + t : ownRow + t - split }
}
