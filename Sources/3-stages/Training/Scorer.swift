// Step scores of sampled solutions from a reward model: the scalar head's raw logit at the newline
// after each step and at the final answer's last token (PAPER.md, "Reward models"), batched.

import Datasets
import Foundation
import Tokenizers
import Transformer

/// Scores completions with a reward model.
public final class Scorer: CompletionReader {
    /// Raw logits per step plus the final answer's, for each (prompt, completion), in input order.
    /// Positions beyond the model's context get no score (the list is shorter).
    public func scores(_ items: [(prompt: String, completion: String)], progress: ProgressReporter? = nil) throws -> [[Float]] {
        let T = model.config.maxPositions
        var sequences: [[Int32]] = [], positions: [[Int]] = [], promptCounts: [Int] = []
        for item in items {
            let sequence = try tokenizer.encodeSequence(prompt: item.prompt, completion: item.completion, appendEOS: true)
            sequences.append(Array(sequence.tokens.prefix(T)))
            promptCounts.append(sequence.completionStart)
            positions.append(ScorePositions.positions(sequence.parsed, completionStart: sequence.completionStart,
                                                      completionTokens: sequence.completionCount).filter { $0 < T })
        }
        var results = [[Float]](repeating: [], count: items.count)
        try forward.run(sequences, promptCounts: promptCounts, outputs: [.values], progress: progress) { index, rows, activations in
            results[index] = positions[index].map { activations.values[rows($0)] }
        }
        return results
    }
}
