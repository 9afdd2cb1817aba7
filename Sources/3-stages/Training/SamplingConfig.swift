// Settings and output records of sampling.

/// How solutions are sampled (PAPER.md: top-k 20, temperature 0.7 for re-ranking).
public struct SamplingConfig: Codable, Sendable, Equatable {
    /// Samples per problem, N.
    public var samplesPerProblem: Int = 8
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float = 0.7
    /// Keep only the k most likely tokens (0: no limit).
    public var topK: Int = 20
    /// Keep the smallest set of tokens whose probability reaches p (1: no limit).
    public var topP: Float = 1
    /// Longest completion, in tokens.
    public var maxNewTokens: Int = 256
    /// Seed; sample j of problem i uses a generator derived from (seed, i, j), so results do not
    /// depend on how sequences are batched.
    public var seed: UInt64 = 1
    /// Sequences decoded together (KV-cache slots).
    public var batchSlots: Int = 64
    /// Texts that end a completion (not part of it); see ``DecodeSettings/stopStrings``.
    public var stopStrings: [String] = []
    /// Named stop conditions: the benchmark's answer line by default (the paper's prompt format).
    public var stopRules: [StopRule] = [.answerLine]
    /// Whether ``SampleRecord/tokenIDs`` and ``SampleRecord/logprobs`` are kept (`e2h sample` keeps them).
    public var recordTokens = false

    public init() {}

    /// The decode settings of job `job` (its index in the batch): seed `seed &+ job &* 0x9E37_79B9_7F4A_7C15`,
    /// so sample j of job i draws from the same generator whatever the batching.
    /// - Parameter stopTokenIDs: the tokenizer's (`Tokenizer.stopIDs`).
    public func settings(job: Int, stopTokenIDs: Set<Int>) -> DecodeSettings {
        DecodeSettings(samples: samplesPerProblem, temperature: temperature, topK: topK, topP: topP,
                       seed: seed &+ UInt64(job) &* 0x9E37_79B9_7F4A_7C15, maxNewTokens: maxNewTokens,
                       stopStrings: stopStrings, stopTokenIDs: stopTokenIDs, stopRules: stopRules)
    }

    /// Throws for a setting outside its range (``DecodeSettings/validate()``; `batchSlots` ≥ 1).
    public func validate() throws(DecodeSettingsError) {
        try settings(job: 0, stopTokenIDs: []).validate()
        guard batchSlots >= 1 else { throw DecodeSettingsError(setting: "batchSlots", value: "\(batchSlots)", allowed: "an integer ≥ 1") }
    }
}

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

    enum CodingKeys: String, CodingKey {
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
