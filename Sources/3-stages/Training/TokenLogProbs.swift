// Log-probabilities a language model gives to the tokens of completions (teacher forced): the
// evaluator's view of every token the policy wrote, the input of the likelihood features of reward models.

import Foundation
import Tokenizers
import Transformer

/// Teacher-forced log p(token | everything before it) of each completion token, batched.
public final class TokenLogProbs: CompletionReader {
    /// One value per completion token (in completion order), for each (prompt, completion). Tokens
    /// beyond the model's context get none (the list is shorter).
    public func logProbs(_ items: [(prompt: String, completion: String)], progress: ProgressReporter? = nil) throws -> [[Float]] {
        let T = model.config.maxPositions, V = model.config.vocabSize
        var sequences: [[Int32]] = [], completionStart: [Int] = []
        for item in items {
            let sequence = try tokenizer.encodeSequence(prompt: item.prompt, completion: item.completion, appendEOS: false)
            sequences.append(Array(sequence.tokens.prefix(T)))
            completionStart.append(sequence.completionStart)
        }
        var results = [[Float]](repeating: [], count: items.count)
        try forward.run(sequences, promptCounts: completionStart, outputs: [.logits], progress: progress) { index, rows, activations in
            let tokens = sequences[index], start = completionStart[index]
            // Token t is predicted at position t - 1.
            results[index] = (start..<max(start, tokens.count)).map { t in
                Self.logSoftmax(activations.logits + rows(t - 1) * V, count: V, at: Int(tokens[t]))
            }
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
