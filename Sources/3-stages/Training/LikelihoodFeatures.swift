// Likelihood features of a reward model's score positions: how sure the policy was of the tokens of
// each step. A wrong step the policy wrote by a slip of sampling has a token it gave low probability.

import Datasets
import Tokenizers

/// The features read at one score position (a step's newline, or the final answer's last token).
public struct LikelihoodFeatures: Sendable, Equatable {
    /// Lowest log-probability of a token of this step (with its newline) or of the answer.
    public var stepMinimum: Float
    /// Lowest log-probability of any completion token up to this position.
    public var prefixMinimum: Float

    public init(stepMinimum: Float, prefixMinimum: Float) {
        self.stepMinimum = stepMinimum; self.prefixMinimum = prefixMinimum
    }

    /// The features as regression inputs.
    public var vector: [Float] { [stepMinimum, prefixMinimum] }

    /// Features at each score position of a completion (the same positions as ``ScorePositions``):
    /// one per step, then one for the final answer. `logProbs` holds one value per completion token;
    /// positions beyond it (cut by the context) get none, like their scores.
    /// `tokenizer` is the one `logProbs` were computed with.
    /// - Throws: ``TokenizerError`` when `completion` has a character outside the vocabulary.
    public static func features(completion: String, logProbs: [Float], tokenizer: any Tokenizer) throws -> [LikelihoodFeatures] {
        let parsed = try tokenizer.encodeCompletion(completion).parsed
        let count = logProbs.count
        func minimum(_ range: Range<Int>) -> Float {
            let r = max(0, range.lowerBound)..<min(count, range.upperBound)
            return r.isEmpty ? 0 : logProbs[r].min()!
        }
        var out: [LikelihoodFeatures] = []
        for range in parsed.stepRanges {
            let end = range.upperBound + 1 // the newline after the step
            guard range.lowerBound < count else { break }
            out.append(LikelihoodFeatures(stepMinimum: minimum(range.lowerBound..<end), prefixMinimum: minimum(0..<end)))
        }
        let final = parsed.answerRange ?? max(0, count - 1)..<count
        out.append(LikelihoodFeatures(stepMinimum: minimum(final), prefixMinimum: minimum(0..<final.upperBound)))
        return out
    }
}
