// Log-probabilities a language model gives to the tokens of completions (teacher forced): the
// policy's own view of every token it wrote, the input of the likelihood features of reward models.

import Foundation
import Tokenizers
import Transformer

/// Teacher-forced log p(token | everything before it) of each completion token, batched.
public final class TokenLogProbs {
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

    /// One value per completion token (in completion order), for each (prompt, completion). Tokens
    /// beyond the model's context get none (the list is shorter).
    public func logProbs(_ items: [(prompt: String, completion: String)], progress: ProgressReporter? = nil) throws -> [[Float]] {
        let T = model.config.maxPositions, V = model.config.vocabSize
        struct Prepared { var tokens: [Int32]; var completionStart: Int }
        let prepared = try items.map { item -> Prepared in
            let prompt = try tokenizer.encode(item.prompt), completion = try tokenizer.encode(item.completion)
            let tokens = ([tokenizer.bosID] + prompt + completion).map(Int32.init)
            return Prepared(tokens: Array(tokens.prefix(T)), completionStart: 1 + prompt.count)
        }
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
                try model.forward(tokens: $0, batch: chunk.count, time: time, activations: activations, outputs: [.logits])
            }
            for (b, index) in chunk.enumerated() {
                let p = prepared[index]
                var values: [Float] = []
                values.reserveCapacity(max(0, p.tokens.count - p.completionStart))
                // Token t is predicted at position t - 1.
                for t in p.completionStart..<max(p.completionStart, p.tokens.count) {
                    values.append(Self.logSoftmax(activations.logits + (b * time + t - 1) * V, count: V, at: Int(p.tokens[t])))
                }
                results[index] = values
            }
            done += chunk.count
            progress?.update(done, unit: "samples")
        }
        return results
    }

    /// log softmax(row)[index], computed stably in Double.
    static func logSoftmax(_ row: UnsafePointer<Float>, count: Int, at index: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<count { m = max(m, row[i]) }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(row[i] - m)) }
        return Float(Double(row[index] - m) - log(sum))
    }
}
