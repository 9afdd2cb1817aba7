/// The samples file format (DESIGN.md): one ``SampleRecord`` per line. Sampling, labelling and
/// scoring write it (Training, Experiment); re-ranking reads the subset of its fields it needs
/// (`RerankReader`, keys from ``SampleRecord/CodingKeys``), so the format is defined once, here.

/// One sampled solution: a line of a samples JSONL file (DESIGN.md).
public struct SampleRecord: Codable, Sendable, Equatable {
    public var problemID: String
    public var sampleIndex: Int
    /// The completion text after the prompt (EOS removed).
    public var output: String
    /// The extracted final answer, when the completion has one.
    public var answer: String?
    /// The steps of the completion (without the answer section).
    public var steps: [String]
    /// Why generation stopped (``FinishReason``): "stop" (a stop string or the answer line ended),
    /// "eos" (a stop token id), or "length". Files written before the decode scheduler say "answer"
    /// for "stop".
    public var finishReason: String
    /// Every sampled token id, the one that ended the sample included (`e2h sample`).
    public var tokenIDs: [Int]?
    /// log p of each sampled token under the policy (temperature 1, before top-k/top-p), one per
    /// `tokenIDs` entry (`e2h sample`).
    public var logprobs: [Float]?
    /// Raw scalar-head logits, one per step and one for the final answer (added by scoring).
    public var stepScores: [Float]?
    /// Step labels from the checker, where known (1 correct, 0 incorrect).
    public var stepLabels: [Int]?
    /// Monte-Carlo labels (`e2h label --method mc`): per step the fraction of the policy's
    /// completions from the step's prefix that reach the gold answer, then the answer's 0/1.
    public var stepSoftLabels: [Float]?
    /// Whether the final answer is correct, where known.
    public var correct: Bool?

    /// The field names on disk: the one definition of the samples file's keys (the re-ranking
    /// reader takes its keys from here too).
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case problemID = "problem_id"
        case sampleIndex = "sample_index"
        case output, answer, steps
        case finishReason = "finish_reason"
        case tokenIDs = "token_ids"
        case logprobs
        case stepScores = "step_scores"
        case stepLabels = "step_labels"
        case stepSoftLabels = "step_soft_labels"
        case correct
    }

    public init(problemID: String, sampleIndex: Int, output: String, answer: String?, steps: [String],
                finishReason: String, tokenIDs: [Int]? = nil, logprobs: [Float]? = nil,
                stepScores: [Float]? = nil, stepLabels: [Int]? = nil, correct: Bool? = nil) {
        self.problemID = problemID; self.sampleIndex = sampleIndex; self.output = output
        self.answer = answer; self.steps = steps; self.finishReason = finishReason
        self.tokenIDs = tokenIDs; self.logprobs = logprobs
        self.stepScores = stepScores; self.stepLabels = stepLabels; self.correct = correct
    }
}
