// Step scores of sampled solutions from a reward model: the scalar head's raw logit at the newline
// after each step and at the final answer's last token (PAPER.md, "Reward models"), batched.

import Datasets
import Foundation
import Tokenizers
import Transformer

/// Scores completions with a reward model.
public final class Scorer {
    public let model: TransformerModel
    public let tokenizer: CharacterVocabulary
    public let batchSize: Int
    let activations: Activations

    public init(model: TransformerModel, tokenizer: CharacterVocabulary, batchSize: Int = 32) {
        self.model = model
        self.tokenizer = tokenizer
        self.batchSize = batchSize
        activations = Activations(config: model.config, maxBatch: batchSize, maxTime: model.config.maxPositions)
    }

    /// Raw logits per step plus the final answer's, for each (prompt, completion), in input order.
    /// Positions beyond the model's context get no score (the list is shorter).
    public func scores(_ items: [(prompt: String, completion: String)], progress: ProgressReporter? = nil) throws -> [[Float]] {
        struct Prepared { var tokens: [Int32]; var positions: [Int] }
        let T = model.config.maxPositions
        let prepared = try items.map { item -> Prepared in
            let prompt = try tokenizer.encode(item.prompt), completion = try tokenizer.encode(item.completion)
            let tokens = ([tokenizer.bosID] + prompt + completion + [tokenizer.eosID]).map(Int32.init)
            let parsed = SolutionFormat.parseCompletion(item.completion)
            let positions = ScorePositions.positions(parsed, promptTokens: prompt.count, completionTokens: completion.count)
            return Prepared(tokens: Array(tokens.prefix(T)), positions: positions.filter { $0 < T })
        }
        // Similar lengths together: less padding.
        let order = prepared.indices.sorted { prepared[$0].tokens.count < prepared[$1].tokens.count }
        var results = [[Float]](repeating: [], count: items.count)
        var done = 0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let chunk = Array(order[start..<min(start + batchSize, order.count)])
            let time = chunk.map { prepared[$0].tokens.count }.max()!
            var tokens = [Int32](repeating: Int32(tokenizer.padID), count: chunk.count * time)
            for (b, index) in chunk.enumerated() {
                for (t, token) in prepared[index].tokens.enumerated() { tokens[b * time + t] = token }
            }
            try tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: chunk.count, time: time, activations: activations, outputs: [.values])
            }
            for (b, index) in chunk.enumerated() {
                results[index] = prepared[index].positions.map { activations.values[b * time + $0] }
            }
            done += chunk.count
            progress?.update(done, unit: "samples")
        }
        return results
    }
}
