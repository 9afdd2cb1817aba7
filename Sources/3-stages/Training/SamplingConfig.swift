// Settings of sampling. Its output records are `SampleRecord` (Datasets/Records/SampleRecord.swift).

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
