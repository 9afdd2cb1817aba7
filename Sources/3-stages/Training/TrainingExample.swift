// Training sequences for the policy (next-token targets on the solution only) and for reward models
// (a label per position for the scalar head). Token positions: 0 is BOS, then the prompt, then the
// completion, then EOS. A parsed completion's character ranges become token ranges with
// `ParsedCompletion.inTokens` (the identity for the character vocabulary).

import Datasets
import Tokenizers

/// One sequence with its supervision.
public struct TrainingExample: Sendable, Equatable {
    /// (L) token ids.
    public var tokens: [Int32]
    /// (L) next-token target of each position, −1 where no loss applies.
    public var targets: [Int32]
    /// (L) label of the scalar head at each position, NaN where none applies.
    public var labels: [Float]
    /// Identifier of the source record (problem id), for logs and leak checks.
    public var source: String

    public var count: Int { tokens.count }
}

/// Builds examples from texts in the project's solution format.
public struct ExampleBuilder: Sendable {
    public let tokenizer: any Tokenizer

    public init(tokenizer: any Tokenizer) { self.tokenizer = tokenizer }

    /// A policy example: the loss covers the completion's tokens and EOS, not the prompt.
    public func policyExample(prompt: String, completion: String, source: String) throws -> TrainingExample {
        let sequence = try tokenizer.encodeSequence(prompt: prompt, completion: completion, appendEOS: true)
        let tokens = sequence.tokens
        var targets = [Int32](repeating: -1, count: tokens.count)
        // Position i predicts token i+1; the first predicted completion token is at completionStart.
        for i in (sequence.completionStart - 1)..<(tokens.count - 1) { targets[i] = tokens[i + 1] }
        return TrainingExample(tokens: tokens, targets: targets,
                               labels: [Float](repeating: .nan, count: tokens.count), source: source)
    }

    /// A language-model example without a prompt (pretraining text): loss on every next token.
    public func documentExample(_ text: String, source: String) throws -> TrainingExample {
        let tokens = try tokenizer.encodeDocument(text).map(Int32.init)
        var targets = [Int32](repeating: -1, count: tokens.count)
        for i in 0..<(tokens.count - 1) { targets[i] = tokens[i + 1] }
        return TrainingExample(tokens: tokens, targets: targets,
                               labels: [Float](repeating: .nan, count: tokens.count), source: source)
    }

    /// A reward-model example.
    ///
    /// - Parameters:
    ///   - stepLabels: one label per step of `completion` (PRM); nil for an outcome-only example.
    ///   - outcome: final-answer correctness; labels the answer's tokens (PRM) or only the final
    ///     answer token (ORM, when `stepLabels` is nil). Nil leaves the answer unlabelled.
    /// A PRM step label covers the step's tokens and its trailing blank line (PAPER.md: "every token
    /// of the step including its trailing \n\n"), so the score read at the newline after the step is trained.
    public func rewardExample(prompt: String, completion: String, stepLabels: [Bool]?, outcome: Bool?,
                              source: String) throws -> TrainingExample {
        let sequence = try tokenizer.encodeSequence(prompt: prompt, completion: completion, appendEOS: true)
        let tokens = sequence.tokens, parsed = sequence.parsed
        var labels = [Float](repeating: .nan, count: tokens.count)
        let offset = sequence.completionStart
        if let stepLabels {
            for (range, label) in zip(parsed.stepRanges, stepLabels) {
                let end = min(offset + range.upperBound + 2, offset + sequence.completionCount)
                for i in (offset + range.lowerBound)..<end { labels[i] = label ? 1 : 0 }
            }
            if let outcome, let answer = parsed.answerRange {
                for i in (offset + answer.lowerBound)..<(offset + answer.upperBound) { labels[i] = outcome ? 1 : 0 }
            }
        } else if let outcome {
            labels[ScorePositions.finalPosition(parsed, completionStart: offset, completionTokens: sequence.completionCount)] = outcome ? 1 : 0
        }
        return TrainingExample(tokens: tokens, targets: [Int32](repeating: -1, count: tokens.count),
                               labels: labels, source: source)
    }
}

extension ParsedCompletion {
    /// The same parse with its ranges counted in tokens instead of Unicode scalars, for a
    /// completion `text` whose tokens start at `offsets` (``Tokenizer/encodeWithOffsets(_:)``): a
    /// range covers every token that holds one of its characters. Newlines are tokens of their own
    /// in the benchmark's vocabularies, so the newline after a step stays at `upperBound`.
    public func inTokens(offsets: [Int], of text: String) -> ParsedCompletion {
        let scalarCount = text.unicodeScalars.count
        // The token holding scalar o (offsets.count at the end of the text).
        func token(_ o: Int) -> Int {
            if o >= scalarCount { return offsets.count }
            var lo = 0, hi = offsets.count  // the last index with offsets[index] <= o
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if offsets[mid] <= o { lo = mid } else { hi = mid }
            }
            return lo
        }
        func tokens(_ r: Range<Int>) -> Range<Int> {
            let lower = token(r.lowerBound)
            return r.isEmpty ? lower..<lower : lower..<(token(r.upperBound - 1) + 1)
        }
        var mapped = self
        mapped.stepRanges = stepRanges.map(tokens)
        mapped.answerRange = answerRange.map(tokens)
        return mapped
    }
}

/// A prompt and its completion as one token sequence, `[BOS] + tokens(prompt + completion)`
/// (`+ [EOS]` when asked): the one place every stage (SFT, reward training, scoring, log-probs,
/// sampling) turns text into model input.
public struct EncodedSequence: Sendable, Equatable {
    /// (L) token ids.
    public var tokens: [Int32]
    /// Index of the first completion token (BOS and the prompt come before it).
    public var completionStart: Int
    /// Tokens of the completion (EOS not counted).
    public var completionCount: Int
    /// The completion's parse, its ranges in tokens counted from `completionStart`.
    public var parsed: ParsedCompletion
}

extension Tokenizer {
    /// Encodes prompt and completion together, so that a byte-level BPE may merge across their
    /// boundary as it would in the running text; a token that starts inside the prompt belongs to
    /// the prompt. (The benchmark's vocabularies cut at the boundary anyway: prompts end in a newline.)
    public func encodeSequence(prompt: String, completion: String, appendEOS: Bool) throws -> EncodedSequence {
        let (ids, offsets) = try encodeWithOffsets(prompt + completion)
        let promptScalars = prompt.unicodeScalars.count
        var split = ids.count
        for (i, offset) in offsets.enumerated() where offset >= promptScalars { split = i; break }
        let completionOffsets = offsets[split...].map { $0 - promptScalars }
        let parsed = SolutionFormat.parseCompletion(completion).inTokens(offsets: completionOffsets, of: completion)
        var tokens = [Int32]()
        tokens.reserveCapacity(ids.count + 2)
        if addsBOS { tokens.append(Int32(bosID)) }
        for id in ids { tokens.append(Int32(id)) }
        if appendEOS { tokens.append(Int32(eosID)) }
        return EncodedSequence(tokens: tokens, completionStart: tokens.count - ids.count - (appendEOS ? 1 : 0) + split, completionCount: ids.count - split, parsed: parsed)
    }

    /// A completion's token ids and its parse with ranges in tokens: where step labels go and
    /// scores are read.
    public func encodeCompletion(_ completion: String) throws -> (ids: [Int], parsed: ParsedCompletion) {
        let (ids, offsets) = try encodeWithOffsets(completion)
        return (ids, SolutionFormat.parseCompletion(completion).inTokens(offsets: offsets, of: completion))
    }
}

/// Where scores are read (PAPER.md: "Step score = head output at the first newline token after
/// the step"; the final answer's score at its last token).
public enum ScorePositions {
    /// Token positions of each step's score, then the final one (the answer's last token, or the
    /// completion's last token when it has no answer), for a completion whose first token is at
    /// `completionStart` (``EncodedSequence``); `parsed` has token ranges
    /// (``ParsedCompletion/inTokens(offsets:of:)``).
    public static func positions(_ parsed: ParsedCompletion, completionStart offset: Int, completionTokens: Int) -> [Int] {
        var positions = parsed.stepRanges.map { range in
            // The newline right after the step, or the step's last token when the text ends there.
            offset + min(range.upperBound, max(completionTokens - 1, range.lowerBound))
        }
        // The final score is always there (at the last completion token when there is no answer),
        // so every sample has at least one score.
        positions.append(finalPosition(parsed, completionStart: offset, completionTokens: completionTokens))
        return positions
    }

    /// The final answer's last token, or the completion's last token when there is no answer.
    public static func finalPosition(_ parsed: ParsedCompletion, completionStart offset: Int, completionTokens: Int) -> Int {
        if let answer = parsed.answerRange { return offset + answer.upperBound - 1 }
        return offset + max(0, completionTokens - 1)
    }
}
