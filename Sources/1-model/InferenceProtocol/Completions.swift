// The OpenAI-compatible `/v1/completions` wire types, as vLLM, SGLang and llama.cpp's server speak
// them (REFERENCE.md section 3). One definition for both ends: `e2h serve` decodes requests and
// encodes responses; the client encodes requests and decodes responses from any of those servers.

/// `prompt` of a completions request: a string, a list of strings, token ids, or lists of token ids.
public enum PromptInput: Codable, Sendable, Equatable {
    case texts([String])
    case tokens([[Int]])

    /// The number of prompts.
    public var count: Int {
        switch self {
        case .texts(let t): t.count
        case .tokens(let t): t.count
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .texts([text]); return }
        if let texts = try? container.decode([String].self) { self = .texts(texts); return }
        if let ids = try? container.decode([Int].self) { self = .tokens([ids]); return }
        if let lists = try? container.decode([[Int]].self) { self = .tokens(lists); return }
        throw DecodingError.typeMismatch(PromptInput.self, .init(
            codingPath: decoder.codingPath,
            debugDescription: "prompt must be a string, a list of strings, a list of token ids or a list of such lists"))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .texts(let t): if t.count == 1 { try container.encode(t[0]) } else { try container.encode(t) }
        case .tokens(let t): if t.count == 1 { try container.encode(t[0]) } else { try container.encode(t) }
        }
    }
}

/// `stop`: one string or a list of them.
public struct StopList: Codable, Sendable, Equatable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) { values = [one]; return }
        values = try container.decode([String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

/// `POST /v1/completions` request body.
public struct CompletionRequest: Codable, Sendable, Equatable {
    /// The served model's name (`/v1/models`).
    public var model: String
    public var prompt: PromptInput
    /// Most new tokens per completion (OpenAI's default is 16).
    public var maxTokens: Int?
    /// Completions per prompt.
    public var n: Int?
    public var temperature: Double?
    public var topP: Double?
    /// vLLM / llama.cpp extension: keep the k most likely tokens (0 or -1: off).
    public var topK: Int?
    /// 64-bit seed; `e2h` sends the bit pattern of its unsigned seeds as a signed integer.
    public var seed: Int64?
    public var stop: StopList?
    /// Top alternatives per token (vLLM: an int, 0...20): `top_logprobs` holds the sampled token and the k most likely.
    public var logprobs: Int?
    public var stream: Bool?
    /// vLLM extension: token ids that end a completion.
    public var stopTokenIDs: [Int]?
    /// vLLM extension: return each choice's generated token ids (`token_ids`).
    public var returnTokenIDs: Bool?
    /// `e2h serve` extension: stop at the end of the answer line of the paper's format (default true
    /// for models whose prompt format is `paper`, as `e2h sample`).
    public var answerLineStop: Bool?

    enum CodingKeys: String, CodingKey {
        case model, prompt, n, temperature, seed, stop, logprobs, stream
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case topK = "top_k"
        case stopTokenIDs = "stop_token_ids"
        case returnTokenIDs = "return_token_ids"
        case answerLineStop = "answer_line_stop"
    }

    public init(model: String, prompt: PromptInput, maxTokens: Int? = nil, n: Int? = nil, temperature: Double? = nil,
                topP: Double? = nil, topK: Int? = nil, seed: Int64? = nil, stop: [String]? = nil, logprobs: Int? = nil,
                stream: Bool? = nil, returnTokenIDs: Bool? = nil) {
        self.model = model; self.prompt = prompt; self.maxTokens = maxTokens; self.n = n
        self.temperature = temperature; self.topP = topP; self.topK = topK; self.seed = seed
        self.stop = stop.map(StopList.init); self.logprobs = logprobs; self.stream = stream
        self.returnTokenIDs = returnTokenIDs
    }
}

/// Per-token log-probabilities of one choice, in either shape a server sends, read into one form.
///
/// - vLLM / OpenAI legacy: `{tokens: [..], token_logprobs: [..], top_logprobs: [..], text_offset: [..]}`.
/// - llama.cpp's server (and chat completions): `{content: [{id, token, logprob, bytes, top_logprobs}]}`.
public struct ChoiceLogprobs: Codable, Sendable, Equatable {
    /// (T) the text of each generated token.
    public var tokens: [String]
    /// (T) log p of each generated token; nil where the server sent null.
    public var tokenLogprobs: [Double?]
    /// (T) token ids, when the server sends them (llama.cpp's `id`).
    public var tokenIDs: [Int]?
    /// (T) byte offset of each token in the text (vLLM shape only).
    public var textOffset: [Int]?
    /// Which shape was read or is written.
    public var shape: Shape
    /// (T) the most likely tokens at each position, most likely first (nil: none sent or asked).
    /// vLLM's dictionaries include the sampled token; llama.cpp's and OpenAI's lists may not.
    public var topLogprobs: [[TopLogprob]]?

    public enum Shape: String, Codable, Sendable { case arrays, content }

    /// One of the most likely tokens at a position.
    public struct TopLogprob: Sendable, Equatable {
        public var token: String
        public var logprob: Double?
        /// The token id, when the server sends it (llama.cpp's `id`).
        public var id: Int?
        public init(token: String, logprob: Double?, id: Int? = nil) { self.token = token; self.logprob = logprob; self.id = id }
    }

    public init(tokens: [String], tokenLogprobs: [Double?], tokenIDs: [Int]? = nil, textOffset: [Int]? = nil,
                shape: Shape = .arrays, topLogprobs: [[TopLogprob]]? = nil) {
        self.tokens = tokens; self.tokenLogprobs = tokenLogprobs; self.tokenIDs = tokenIDs
        self.textOffset = textOffset; self.shape = shape; self.topLogprobs = topLogprobs
    }

    struct ContentEntry: Codable {
        var id: Int?
        var token: String
        var logprob: Double?
        var bytes: [Int]?
        var topLogprobs: [TopEntry]?
        enum CodingKeys: String, CodingKey { case id, token, logprob, bytes; case topLogprobs = "top_logprobs" }
    }

    struct TopEntry: Codable {
        var id: Int?
        var token: String
        var logprob: Double?
        var bytes: [Int]?
    }

    enum CodingKeys: String, CodingKey {
        case tokens, content
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let content = try c.decodeIfPresent([ContentEntry].self, forKey: .content) {
            tokens = content.map(\.token)
            tokenLogprobs = content.map(\.logprob)
            let ids = content.compactMap(\.id)
            tokenIDs = ids.count == content.count ? ids : nil
            textOffset = nil
            shape = .content
            let tops = content.map { ($0.topLogprobs ?? []).map { TopLogprob(token: $0.token, logprob: $0.logprob, id: $0.id) } }
            topLogprobs = tops.allSatisfy(\.isEmpty) ? nil : tops
            return
        }
        guard c.contains(.tokens) || c.contains(.tokenLogprobs) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "logprobs has neither tokens/token_logprobs (vLLM) nor content (llama.cpp)"))
        }
        tokenLogprobs = try c.decodeIfPresent([Double?].self, forKey: .tokenLogprobs) ?? []
        tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? Array(repeating: "", count: tokenLogprobs.count)
        guard tokens.count == tokenLogprobs.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "logprobs has \(tokens.count) tokens but \(tokenLogprobs.count) token_logprobs"))
        }
        textOffset = try c.decodeIfPresent([Int].self, forKey: .textOffset)
        tokenIDs = nil
        shape = .arrays
        // vLLM: one {token: logprob} object per position (null for the prompt's first token).
        let tops = try c.decodeIfPresent([[String: Double?]?].self, forKey: .topLogprobs)
        topLogprobs = tops.map { rows in
            rows.map { row in
                (row ?? [:]).map { TopLogprob(token: $0.key, logprob: $0.value) }
                    .sorted { ($0.logprob ?? -.infinity, $1.token) > ($1.logprob ?? -.infinity, $0.token) }
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch shape {
        case .arrays:
            try c.encode(tokens, forKey: .tokens)
            try c.encode(tokenLogprobs, forKey: .tokenLogprobs)
            // vLLM's shape: the sampled token and the most likely ones at each position.
            let top: [[String: Double]?] = tokens.indices.map { i in
                var row: [String: Double] = [:]
                for entry in topLogprobs?[i] ?? [] { if let lp = entry.logprob, row[entry.token] == nil { row[entry.token] = lp } }
                if let lp = tokenLogprobs[i] { row[tokens[i]] = lp }
                return row.isEmpty ? nil : row
            }
            try c.encode(top, forKey: .topLogprobs)
            try c.encode(textOffset ?? [], forKey: .textOffset)
        case .content:
            let entries = tokens.indices.map { i in
                ContentEntry(id: tokenIDs?[i], token: tokens[i], logprob: tokenLogprobs[i],
                             bytes: Array(tokens[i].utf8).map(Int.init),
                             topLogprobs: (topLogprobs?[i] ?? []).map {
                                 TopEntry(id: $0.id, token: $0.token, logprob: $0.logprob, bytes: Array($0.token.utf8).map(Int.init))
                             })
            }
            try c.encode(entries, forKey: .content)
        }
    }
}

/// One choice of a completions response (or of one streamed chunk).
public struct CompletionChoice: Codable, Sendable, Equatable {
    public var index: Int
    public var text: String
    public var logprobs: ChoiceLogprobs?
    /// "stop", "length", or null while streaming.
    public var finishReason: String?
    /// vLLM: the stop string or token id that ended it; null for the EOS (vLLM) or a length stop.
    /// `e2h serve` sends the id for a stop token (EOS included) and "answer-line" for its rule.
    public var stopReason: StopReason?
    /// vLLM with `return_token_ids`: the generated token ids.
    public var tokenIDs: [Int]?

    enum CodingKeys: String, CodingKey {
        case index, text, logprobs
        case finishReason = "finish_reason"
        case stopReason = "stop_reason"
        case tokenIDs = "token_ids"
    }

    public init(index: Int, text: String, logprobs: ChoiceLogprobs? = nil, finishReason: String?, stopReason: StopReason? = nil,
                tokenIDs: [Int]? = nil) {
        self.index = index; self.text = text; self.logprobs = logprobs; self.finishReason = finishReason
        self.stopReason = stopReason; self.tokenIDs = tokenIDs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
        logprobs = try c.decodeIfPresent(ChoiceLogprobs.self, forKey: .logprobs)
        finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        if let s = try? c.decodeIfPresent(String.self, forKey: .stopReason) { stopReason = .text(s) }
        else if let i = try? c.decodeIfPresent(Int.self, forKey: .stopReason) { stopReason = .token(i) }
        else { stopReason = nil }
        tokenIDs = try c.decodeIfPresent([Int].self, forKey: .tokenIDs)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(text, forKey: .text)
        try c.encode(logprobs, forKey: .logprobs)  // null when not asked, as OpenAI
        try c.encode(finishReason, forKey: .finishReason)
        switch stopReason {
        case .text(let s)?: try c.encode(s, forKey: .stopReason)
        case .token(let id)?: try c.encode(id, forKey: .stopReason)
        case nil: try c.encodeNil(forKey: .stopReason)
        }
        try c.encodeIfPresent(tokenIDs, forKey: .tokenIDs)
    }
}

/// What ended a choice: a stop string (or rule) or a stop token id.
public enum StopReason: Sendable, Equatable {
    case text(String)
    case token(Int)
}

/// Token counts of a response.
public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens; self.completionTokens = completionTokens
        totalTokens = promptTokens + completionTokens
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens + completionTokens
    }
}

/// `POST /v1/completions` response body (`object: text_completion`); also each streamed chunk.
public struct CompletionResponse: Codable, Sendable, Equatable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [CompletionChoice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [CompletionChoice], usage: Usage?) {
        self.id = id; object = "text_completion"; self.created = created; self.model = model
        self.choices = choices; self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "text_completion"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decode([CompletionChoice].self, forKey: .choices)
        usage = try c.decodeIfPresent(Usage.self, forKey: .usage)
    }
}
