// Packs examples into a padded (B, T) batch for the engine.

import Tokenizers

/// A padded batch: B rows of T tokens; T is the longest example, capped at the context.
public struct Batch {
    public var batch: Int
    public var time: Int
    /// (B·T) token ids, PAD after each example.
    public var tokens: [Int32]
    /// (B·T) next-token targets, −1 on padding and unsupervised positions.
    public var targets: [Int32]
    /// (B·T) scalar-head labels, NaN where none.
    public var labels: [Float]
    /// (B·T) 1 where `labels` is set, else 0.
    public var labelWeights: [Float]
    /// Non-padding tokens.
    public var realTokens: Int
    /// Examples cut to fit the context.
    public var truncated: Int
    /// The rows a forward runs when they are packed (no padding, shared prompts once); nil: the
    /// padded B·T rows.
    public var packing: RowPacking?

    /// Builds a batch; examples longer than `context` keep their first `context` tokens.
    public init(_ examples: [TrainingExample], context: Int, padID: Int32) {
        batch = examples.count
        time = max(1, min(context, examples.map(\.count).max() ?? 1))
        let N = batch * time
        tokens = [Int32](repeating: padID, count: N)
        targets = [Int32](repeating: -1, count: N)
        labels = [Float](repeating: .nan, count: N)
        labelWeights = [Float](repeating: 0, count: N)
        realTokens = 0
        truncated = 0
        for (b, example) in examples.enumerated() {
            let length = min(example.count, time)
            if example.count > time { truncated += 1 }
            realTokens += length
            for t in 0..<length {
                tokens[b * time + t] = example.tokens[t]
                // The last kept position's target may point past the cut: drop it.
                targets[b * time + t] = t + 1 < length || example.count == length ? example.targets[t] : -1
                let label = example.labels[t]
                labels[b * time + t] = label
                labelWeights[b * time + t] = label.isNaN ? 0 : 1
            }
        }
    }
}
