// What one decode request asks for and what it gets back: per-request settings, the request, the
// finish reasons, the per-token events for streaming and the finished sequences.

/// A stop condition on the text of a sequence that no stop string can express.
public enum StopRule: String, Codable, Sendable, Equatable, CaseIterable {
    /// The benchmark's prompt format (``SolutionFormat``): the sequence ends with the newline that
    /// ends the line of the `# Answer` section's (non-empty) answer. That newline, and whatever the
    /// same token wrote after it, is not part of the output. The paper's prompts end at that line,
    /// so `e2h run` and `e2h sample` on benchmark models use it.
    case answerLine = "answer-line"
}

/// How the sequences of one request are sampled and when they stop (every request has its own).
public struct DecodeSettings: Codable, Sendable, Equatable {
    /// Sequences sampled from the prompt (OpenAI's `n`); they share the prompt's KV cache.
    public var samples: Int = 1
    /// Softmax temperature; 0 means greedy (argmax, no random draw).
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0: no limit).
    public var topK: Int = 0
    /// Keep the smallest set of tokens whose probability reaches p (1: no limit).
    public var topP: Float = 1
    /// Seed of the request; sample j draws from `SeededGenerator(seed: seed &+ j &* 0xBF58_476D_1CE4_E5B9)`,
    /// so its tokens do not depend on the batch it was decoded in.
    public var seed: UInt64 = 0
    /// Most generated tokens per sequence (finish reason `length`).
    public var maxNewTokens: Int = 256
    /// Texts that end a sequence, matched on the decoded text across token boundaries; the stop
    /// string and everything after it are not part of the output (as in OpenAI's API).
    public var stopStrings: [String] = []
    /// Token ids that end a sequence (finish reason `eos`): the EOS and others (`Tokenizer.stopIDs`).
    /// The id is kept in the token ids; its text (usually none) is not in the output.
    public var stopTokenIDs: Set<Int> = []
    /// Stop conditions by name (finish reason `stop`).
    public var stopRules: [StopRule] = []
    /// The most likely tokens reported with each sampled token (OpenAI's `top_logprobs`; 0: none).
    /// Not encoded: it changes what is reported, never what is drawn.
    public var topLogprobs: Int = 0

    enum CodingKeys: String, CodingKey {
        case samples, temperature, topK, topP, seed, maxNewTokens, stopStrings, stopTokenIDs, stopRules
    }

    public init(samples: Int = 1, temperature: Float = 1, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0,
                maxNewTokens: Int = 256, stopStrings: [String] = [], stopTokenIDs: Set<Int> = [], stopRules: [StopRule] = []) {
        self.samples = samples; self.temperature = temperature; self.topK = topK; self.topP = topP; self.seed = seed
        self.maxNewTokens = maxNewTokens; self.stopStrings = stopStrings; self.stopTokenIDs = stopTokenIDs
        self.stopRules = stopRules
    }

    /// Throws for a setting outside its range, naming the setting, its value and the range.
    public func validate() throws(DecodeSettingsError) {
        func fail(_ setting: String, _ value: String, _ allowed: String) -> DecodeSettingsError {
            DecodeSettingsError(setting: setting, value: value, allowed: allowed)
        }
        guard samples >= 1 else { throw fail("samples", "\(samples)", "an integer ≥ 1") }
        guard temperature.isFinite, temperature >= 0 else {
            throw fail("temperature", "\(temperature)", "a finite number ≥ 0 (0 = greedy)")
        }
        guard topK >= 0 else { throw fail("topK", "\(topK)", "an integer ≥ 0 (0 = no limit)") }
        guard topP > 0, topP <= 1 else { throw fail("topP", "\(topP)", "a number in (0, 1] (1 = no limit)") }
        guard maxNewTokens >= 1 else { throw fail("maxNewTokens", "\(maxNewTokens)", "an integer ≥ 1") }
        guard topLogprobs >= 0 else { throw fail("topLogprobs", "\(topLogprobs)", "an integer ≥ 0") }
        if let empty = stopStrings.firstIndex(where: \.isEmpty) {
            throw fail("stopStrings[\(empty)]", "\"\"", "a non-empty string")
        }
    }
}

/// A setting of ``DecodeSettings`` outside its range.
public struct DecodeSettingsError: Error, Equatable, CustomStringConvertible {
    /// The setting's name in ``DecodeSettings`` (e.g. `topP`).
    public var setting: String
    /// The value found, as text.
    public var value: String
    /// The values allowed, in words.
    public var allowed: String

    public init(setting: String, value: String, allowed: String) {
        self.setting = setting; self.value = value; self.allowed = allowed
    }

    public var description: String { "decode setting \(setting) is \(value); allowed: \(allowed)" }
}

/// A prompt to continue: the unit a caller admits to a ``DecodeScheduler``.
public struct DecodeRequest: Sendable, Equatable {
    /// The caller's id, reported with every token and output of the request.
    public var id: Int
    /// The prompt's token ids, special tokens (BOS) included; not empty, shorter than the context.
    public var prompt: [Int]
    public var settings: DecodeSettings

    public init(id: Int, prompt: [Int], settings: DecodeSettings) {
        self.id = id; self.prompt = prompt; self.settings = settings
    }
}

/// Why a sequence ended.
public enum FinishReason: String, Codable, Sendable, Equatable {
    /// A stop string or a ``StopRule`` matched.
    case stop
    /// `maxNewTokens` tokens were generated, or the sequence filled the context.
    case length
    /// A stop token id (EOS or another of `stopTokenIDs`) was sampled.
    case eos
}

/// One sampled token, for streaming.
public struct DecodeToken: Sendable, Equatable {
    public var request: Int
    public var sample: Int
    public var tokenID: Int
    /// log p(token) under the model (log-softmax of the logits at temperature 1, before top-k/top-p).
    public var logprob: Float
    /// Output text that became final with this token (possibly empty: an incomplete UTF-8 character,
    /// or text that may be the start of a stop string, is held back). The deltas of a sequence
    /// concatenate to its ``DecodeOutput/text``.
    public var text: String
    /// The ``DecodeSettings/topLogprobs`` most likely tokens at this position, most likely first.
    public var top: [TokenLogprob] = []
}

/// A token and its log-probability (log-softmax of the logits at temperature 1).
public struct TokenLogprob: Sendable, Equatable {
    public var id: Int
    public var logprob: Float
    public init(id: Int, logprob: Float) { self.id = id; self.logprob = logprob }
}

/// A finished sequence.
public struct DecodeOutput: Sendable, Equatable {
    public var request: Int
    public var sample: Int
    /// The generated text: stop strings, the answer line's newline and stop tokens removed.
    public var text: String
    /// Every sampled token, the one that ended the sequence included (an EOS, or the token that
    /// completed a stop string).
    public var tokenIDs: [Int]
    /// log p(token | everything before) of each sampled token under the model: log-softmax of the
    /// raw logits (temperature 1, over the whole logits row, before top-k/top-p), the quantity a
    /// policy gradient and teacher-forced scoring (``TokenLogProbs``) use, not the probability of the
    /// tempered, truncated draw.
    public var logprobs: [Float]
    public var finishReason: FinishReason
    /// (T) the ``DecodeSettings/topLogprobs`` most likely tokens at each position; empty when none
    /// were asked.
    public var topLogprobs: [[TokenLogprob]] = []
}
