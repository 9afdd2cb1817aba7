// `/v1/chat/completions`, `/v1/models`, `/pooling` and the error body: the rest of the wire types.

/// One chat message on the wire. `content` may be a string or a list of `{type: "text", text}` parts.
///
/// Deliberately not `Training.ChatMessage` (the chat template's input): this target is the wire
/// format only, with no dependency, so that a client need not link the engine; its decoding is
/// lenient as servers and clients are. `e2h serve` converts at one place (`Serving/ChatPrompt.swift`).
/// Code that imports both modules names the type with its module.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) { self.role = role; self.content = content }

    struct Part: Codable { var type: String; var text: String? }
    enum CodingKeys: String, CodingKey { case role, content }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        if let text = try? c.decodeIfPresent(String.self, forKey: .content) {
            content = text
        } else if let parts = try? c.decodeIfPresent([Part].self, forKey: .content) {
            content = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        } else if try c.decodeNil(forKey: .content) {
            content = ""
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: c.codingPath + [CodingKeys.content],
                                                               debugDescription: "content must be a string or a list of text parts"))
        }
    }
}

/// `POST /v1/chat/completions` request body.
public struct ChatRequest: Codable, Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var maxTokens: Int?
    /// Newer OpenAI name of `max_tokens`.
    public var maxCompletionTokens: Int?
    public var n: Int?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var seed: Int64?
    public var stop: StopList?
    /// Chat's logprobs is a bool (`top_logprobs` asks for alternatives).
    public var logprobs: Bool?
    /// With `logprobs: true`: the most likely tokens reported at each position (0...20).
    public var topLogprobs: Int?
    public var stream: Bool?

    enum CodingKeys: String, CodingKey {
        case model, messages, n, temperature, seed, stop, logprobs, stream
        case topLogprobs = "top_logprobs"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
        case topK = "top_k"
    }

    public init(model: String, messages: [ChatMessage], maxTokens: Int? = nil, n: Int? = nil, temperature: Double? = nil,
                seed: Int64? = nil, logprobs: Bool? = nil, stream: Bool? = nil) {
        self.model = model; self.messages = messages; self.maxTokens = maxTokens; self.n = n
        self.temperature = temperature; self.seed = seed; self.logprobs = logprobs; self.stream = stream
    }
}

/// One choice of a chat response: `message` when whole, `delta` when streamed.
public struct ChatChoice: Codable, Sendable, Equatable {
    public var index: Int
    public var message: ChatMessage?
    public var delta: ChatDelta?
    public var logprobs: ChoiceLogprobs?
    public var finishReason: String?

    enum CodingKeys: String, CodingKey {
        case index, message, delta, logprobs
        case finishReason = "finish_reason"
    }

    public init(index: Int, message: ChatMessage? = nil, delta: ChatDelta? = nil, logprobs: ChoiceLogprobs? = nil,
                finishReason: String?) {
        self.index = index; self.message = message; self.delta = delta; self.logprobs = logprobs
        self.finishReason = finishReason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(delta, forKey: .delta)
        try c.encode(logprobs, forKey: .logprobs)
        try c.encode(finishReason, forKey: .finishReason)
    }
}

/// The increment of a streamed chat choice.
public struct ChatDelta: Codable, Sendable, Equatable {
    public var role: String?
    public var content: String?
    public init(role: String? = nil, content: String? = nil) { self.role = role; self.content = content }
}

/// `POST /v1/chat/completions` response (`chat.completion`) or chunk (`chat.completion.chunk`).
public struct ChatResponse: Codable, Sendable, Equatable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [ChatChoice]
    public var usage: Usage?

    public init(id: String, object: String = "chat.completion", created: Int, model: String, choices: [ChatChoice],
                usage: Usage?) {
        self.id = id; self.object = object; self.created = created; self.model = model; self.choices = choices
        self.usage = usage
    }
}

/// `GET /v1/models` response.
public struct ModelList: Codable, Sendable, Equatable {
    public struct Model: Codable, Sendable, Equatable {
        public var id: String
        public var object = "model"
        public var created: Int
        public var ownedBy = "e2h"
        /// Positions the model can attend to.
        public var maxModelLen: Int?
        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
            case maxModelLen = "max_model_len"
        }
        public init(id: String, created: Int, maxModelLen: Int?) { self.id = id; self.created = created; self.maxModelLen = maxModelLen }
    }

    public var object = "list"
    public var data: [Model]
    public init(data: [Model]) { self.data = data }
}

/// vLLM's `POST /pooling` request: `input` a string or list of strings.
public struct PoolingRequest: Codable, Sendable, Equatable {
    public var model: String
    public var input: [String]
    /// vLLM: "token_classify" (or "encode" in older versions) for process reward models.
    public var task: String?

    enum CodingKeys: String, CodingKey { case model, input, task }

    public init(model: String, input: [String], task: String? = "token_classify") {
        self.model = model; self.input = input; self.task = task
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        if let one = try? c.decode(String.self, forKey: .input) { input = [one] } else {
            input = try c.decode([String].self, forKey: .input)
        }
        task = try c.decodeIfPresent(String.self, forKey: .task)
    }
}

/// vLLM's `POST /pooling` response: one entry per input, `data` a row of class probabilities per
/// pooled position (per step with STEP pooling, else per token).
public struct PoolingResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var index: Int
        public var object = "pooling"
        /// (positions, classes) probabilities; a flat list (one class) is read as one column.
        public var data: [[Double]]

        enum CodingKeys: String, CodingKey { case index, object, data }

        public init(index: Int, data: [[Double]]) { self.index = index; self.data = data }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            object = try c.decodeIfPresent(String.self, forKey: .object) ?? "pooling"
            if let rows = try? c.decode([[Double]].self, forKey: .data) { data = rows } else {
                data = try c.decode([Double].self, forKey: .data).map { [$0] }
            }
        }
    }

    public var id: String
    public var object = "list"
    public var created: Int
    public var model: String
    public var data: [Item]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, data: [Item], usage: Usage?) {
        self.id = id; self.created = created; self.model = model; self.data = data; self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, data, usage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "list"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        data = try c.decode([Item].self, forKey: .data)
        usage = try c.decodeIfPresent(Usage.self, forKey: .usage)
    }
}

/// The error body OpenAI, vLLM and `e2h serve` send: `{"error": {"message", "type", "code"}}`.
/// llama.cpp sends the same keys; some servers send `{"message": ..}` or `{"detail": ..}` at the top.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var message: String
        public var type: String?
        public var param: String?
        public var code: Int?

        public init(message: String, type: String?, param: String? = nil, code: Int?) {
            self.message = message; self.type = type; self.param = param; self.code = code
        }

        enum CodingKeys: String, CodingKey { case message, type, param, code }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
            type = try c.decodeIfPresent(String.self, forKey: .type)
            param = try? c.decodeIfPresent(String.self, forKey: .param)
            code = (try? c.decodeIfPresent(Int.self, forKey: .code)) ?? nil
        }
    }

    public var error: Detail
    public init(message: String, type: String, param: String? = nil, code: Int) {
        error = Detail(message: message, type: type, param: param, code: code)
    }
}
