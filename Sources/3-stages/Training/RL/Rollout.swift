// Rollouts of RL: problems without hard-problem labels, the policy's sampled token sequences with
// their log-probabilities (through the batched decode scheduler), and the seam that judges them
// (DESIGN.md "Reward function"). Token index j of a rollout is its j-th sampled token; step and
// answer ranges of its parse are counted in those indices.

import Datasets
import Foundation
import Tokenizers
import Transformer

/// A problem RL may train on. `goldAnswer` is the only label RL ever sees, and it is present only
/// on the levels whose labels the method may use (easy): the caller strips it elsewhere, so a
/// hard problem's answer cannot reach a reward.
public struct RLProblem: Sendable, Equatable {
    public var id: String
    /// The prompt text (the paper's format).
    public var prompt: String
    /// Difficulty level, for metrics (easy vs hard rollouts).
    public var level: Int
    /// The final answer, or nil where the method may not use it (hard problems).
    public var goldAnswer: String?

    public init(id: String, prompt: String, level: Int, goldAnswer: String?) {
        self.id = id; self.prompt = prompt; self.level = level; self.goldAnswer = goldAnswer
    }
}

/// One sampled completion of a problem, as the policy produced it.
public struct Rollout: Sendable, Equatable {
    /// Index of the problem in the iteration's problem list.
    public var problem: Int
    /// Sample index within the problem's group.
    public var sample: Int
    /// (P) BOS and the prompt's tokens.
    public var prompt: [Int32]
    /// (n) sampled tokens, the one that ended the sample included.
    public var tokens: [Int32]
    /// (n) log p(token) under the sampling policy (temperature 1, ``DecodeOutput/logprobs``).
    public var logProbs: [Float]
    /// The completion's text (stop text removed).
    public var text: String
    public var finishReason: FinishReason
    /// The completion's parse, ranges in indices of `tokens`.
    public var parsed: ParsedCompletion

    public init(problem: Int, sample: Int, prompt: [Int32], tokens: [Int32], logProbs: [Float], text: String,
                finishReason: FinishReason, parsed: ParsedCompletion) {
        self.problem = problem; self.sample = sample; self.prompt = prompt; self.tokens = tokens
        self.logProbs = logProbs; self.text = text; self.finishReason = finishReason; self.parsed = parsed
    }

    /// Prompt and completion tokens, the training sequence.
    public var sequence: [Int32] { prompt + tokens }

    /// The parse of `text` with its ranges mapped to indices of `tokens`, from the text each sampled
    /// token wrote (so it holds whatever tokens the policy chose, not a re-encoding of the text).
    public static func parse(text: String, tokens: [Int32], tokenizer: any Tokenizer) -> ParsedCompletion {
        var offsets: [Int] = [], scalars = 0
        for token in tokens {
            offsets.append(scalars)
            scalars += String(decoding: tokenizer.bytes(of: Int(token)), as: UTF8.self).unicodeScalars.count
        }
        return SolutionFormat.parseCompletion(text).inTokens(offsets: offsets, of: text)
    }
}

/// What a reward function says about one rollout.
public struct RolloutJudgement: Sendable, Equatable {
    /// Final-answer correctness where the method may know it (easy problems), else nil.
    public var outcome: Bool?
    /// Raw reward-model logits: one per step of the parse, then the final answer's (``Scorer``); nil
    /// when no reward model is used. May be shorter when the model's context cut the sequence.
    public var stepScores: [Float]?

    public init(outcome: Bool?, stepScores: [Float]?) { self.outcome = outcome; self.stepScores = stepScores }
}

/// The reward seam: a grader for outcomes, a reward model for steps, or both (DESIGN.md). Called
/// once per iteration with every rollout; returns one judgement per rollout, in order.
public protocol RewardFunction {
    func judge(_ rollouts: [Rollout], problems: [RLProblem]) throws -> [RolloutJudgement]
}

/// Samples `settings.samples` rollouts per problem through the batched decode scheduler.
///
/// - Parameters:
///   - seed: problem i's request draws from `seed &+ i &* 0x9E37_79B9_7F4A_7C15`, independent of batching.
/// - Returns: rollouts in (problem, sample) order.
public func sampleRollouts(policy: TransformerModel, tokenizer: any Tokenizer, problems: [RLProblem],
                           settings: DecodeSettings, seed: UInt64, batchSlots: Int,
                           progress: ProgressReporter? = nil) throws -> [Rollout] {
    var sampling = SamplingConfig()
    sampling.batchSlots = batchSlots
    let sampler = Sampler(model: policy, tokenizer: tokenizer, config: sampling)
    var prompts: [[Int32]] = []
    let requests = try problems.enumerated().map { i, problem -> DecodeRequest in
        let prompt = try tokenizer.encodeSequence(prompt: problem.prompt, completion: "", appendEOS: false).tokens
        guard prompt.count < policy.config.maxPositions else {
            throw TrainingError.invalidData("prompt of \(problem.id) has \(prompt.count) tokens, the model's context is \(policy.config.maxPositions)")
        }
        prompts.append(prompt)
        var request = settings
        request.seed = seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        return DecodeRequest(id: i, prompt: prompt.map(Int.init), settings: request)
    }
    return try sampler.decode(requests, progress: progress).map { output in
        let tokens = output.tokenIDs.map(Int32.init)
        return Rollout(problem: output.request, sample: output.sample, prompt: prompts[output.request], tokens: tokens,
                       logProbs: output.logprobs, text: output.text, finishReason: output.finishReason,
                       parsed: Rollout.parse(text: output.text, tokens: tokens, tokenizer: tokenizer))
    }
}
