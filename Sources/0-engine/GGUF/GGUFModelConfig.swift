/// The model configuration of a GGUF file in Hugging Face `config.json` terms (architectures
/// `llama` and `qwen2`), from the `<arch>.*` metadata keys.
public struct GGUFModelConfig: Codable, Sendable, Equatable {
    /// "llama" or "qwen2" (`general.architecture`, HF `model_type`).
    public var modelType: String
    /// Vocabulary size (`<arch>.vocab_size`, else the token list, else token_embd's rows).
    public var vocabSize: Int
    /// Width (`<arch>.embedding_length`).
    public var hiddenSize: Int
    /// FFN width (`<arch>.feed_forward_length`).
    public var intermediateSize: Int
    /// Layers (`<arch>.block_count`).
    public var numHiddenLayers: Int
    /// Query heads (`<arch>.attention.head_count`).
    public var numAttentionHeads: Int
    /// Key/value heads (`<arch>.attention.head_count_kv`, default the query heads).
    public var numKeyValueHeads: Int
    /// Context length (`<arch>.context_length`).
    public var maxPositionEmbeddings: Int
    /// RMSNorm epsilon (`<arch>.attention.layer_norm_rms_epsilon`).
    public var rmsNormEps: Double
    /// RoPE base (`<arch>.rope.freq_base`, default 10,000).
    public var ropeTheta: Double
    /// True when the file has no `output.weight` (the head is the embedding).
    public var tieWordEmbeddings: Bool
    /// Head width (`<arch>.attention.key_length`, default hidden / heads).
    public var headDim: Int
    /// Whether q/k/v have biases (Qwen2).
    public var attentionBias: Bool
    /// `<arch>.rope.scaling.type` when present and not "none" (callers decide whether they support it).
    public var ropeScalingType: String?
    /// `<arch>.rope.scaling.factor`.
    public var ropeScalingFactor: Double?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads"
        case maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta", tieWordEmbeddings = "tie_word_embeddings", headDim = "head_dim"
        case attentionBias = "attention_bias", ropeScalingType = "rope_scaling_type", ropeScalingFactor = "rope_scaling_factor"
    }
}

extension GGUFFile {
    /// The architectures whose tensors this reader maps to Hugging Face names.
    public static let supportedArchitectures: Set<String> = ["llama", "qwen2"]

    /// `general.architecture`.
    public func architecture() throws -> String {
        guard let arch = metadata["general.architecture"]?.string else {
            throw GGUFError.missingKey(file: path, key: "general.architecture", expected: "a string")
        }
        return arch
    }

    /// The configuration; throws for an architecture other than llama / qwen2 or a missing key.
    public func modelConfig() throws -> GGUFModelConfig {
        let arch = try architecture()
        guard Self.supportedArchitectures.contains(arch) else { throw GGUFError.unsupportedArchitecture(file: path, architecture: arch) }
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            if let v = metadata["\(arch).\(key)"] {
                guard let i = v.int, i > 0 else { throw GGUFError.missingKey(file: path, key: "\(arch).\(key)", expected: "a positive integer") }
                return i
            }
            guard let value else { throw GGUFError.missingKey(file: path, key: "\(arch).\(key)", expected: "a positive integer") }
            return value
        }
        func double(_ key: String, default value: Double? = nil) throws -> Double {
            if let v = metadata["\(arch).\(key)"] {
                guard let d = v.double else { throw GGUFError.missingKey(file: path, key: "\(arch).\(key)", expected: "a number") }
                return d
            }
            guard let value else { throw GGUFError.missingKey(file: path, key: "\(arch).\(key)", expected: "a number") }
            return value
        }
        let hidden = try int("embedding_length")
        let heads = try int("attention.head_count")
        let embedRows = hasTensor("token_embd.weight") ? try tensor("token_embd.weight").shape.first : nil
        let vocab = try int("vocab_size", default: metadata["tokenizer.ggml.tokens"]?.array?.count ?? embedRows)
        var scaling = metadata["\(arch).rope.scaling.type"]?.string
        if scaling == "none" { scaling = nil }
        let config = GGUFModelConfig(
            modelType: arch, vocabSize: vocab, hiddenSize: hidden, intermediateSize: try int("feed_forward_length"),
            numHiddenLayers: try int("block_count"), numAttentionHeads: heads,
            numKeyValueHeads: try int("attention.head_count_kv", default: heads),
            maxPositionEmbeddings: try int("context_length"), rmsNormEps: try double("attention.layer_norm_rms_epsilon"),
            ropeTheta: try double("rope.freq_base", default: 10_000), tieWordEmbeddings: !hasTensor("output.weight"),
            headDim: try int("attention.key_length", default: hidden / heads),
            attentionBias: hasTensor("blk.0.attn_q.bias"), ropeScalingType: scaling,
            ropeScalingFactor: metadata["\(arch).rope.scaling.factor"]?.double)
        guard config.headDim % 2 == 0, config.numAttentionHeads * config.headDim > 0 else {
            throw GGUFError.invalid(file: path, field: "\(arch).attention.key_length", reason: "head width \(config.headDim) is not even")
        }
        guard config.numAttentionHeads % config.numKeyValueHeads == 0 else {
            throw GGUFError.invalid(file: path, field: "\(arch).attention.head_count_kv",
                                    reason: "\(config.numKeyValueHeads) does not divide the \(heads) query heads")
        }
        return config
    }
}
