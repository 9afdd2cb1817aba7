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

    public init() {}
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
    /// Why generation stopped: "eos", "answer" (the answer line ended), or "length".
    public var finishReason: String
    /// Raw scalar-head logits, one per step and one for the final answer (added by scoring).
    public var stepScores: [Float]?
    /// Step labels from the checker, where known (1 correct, 0 incorrect).
    public var stepLabels: [Int]?
    /// Whether the final answer is correct, where known.
    public var correct: Bool?

    enum CodingKeys: String, CodingKey {
        case problemID = "problem_id"
        case sampleIndex = "sample_index"
        case output, answer, steps
        case finishReason = "finish_reason"
        case stepScores = "step_scores"
        case stepLabels = "step_labels"
        case correct
    }

    public init(problemID: String, sampleIndex: Int, output: String, answer: String?, steps: [String],
                finishReason: String, stepScores: [Float]? = nil, stepLabels: [Int]? = nil, correct: Bool? = nil) {
        self.problemID = problemID; self.sampleIndex = sampleIndex; self.output = output
        self.answer = answer; self.steps = steps; self.finishReason = finishReason
        self.stepScores = stepScores; self.stepLabels = stepLabels; self.correct = correct
    }
}
