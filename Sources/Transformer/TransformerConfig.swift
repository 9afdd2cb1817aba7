// Configuration of a Llama-family decoder. Field names in JSON follow Hugging Face's
// `config.json`, so real checkpoints' configs decode directly.

/// The architecture hyperparameters of a decoder-only Llama-family model.
public struct TransformerConfig: Codable, Sendable, Equatable {
    /// Number of token ids.
    public var vocabSize: Int
    /// Width of the residual stream, C.
    public var hiddenSize: Int
    /// Hidden units of the SwiGLU MLP, I.
    public var intermediateSize: Int
    /// Number of decoder blocks, L.
    public var layerCount: Int
    /// Query heads, H.
    public var headCount: Int
    /// Key/value heads, G (grouped-query attention when G < H).
    public var keyValueHeadCount: Int
    /// Longest sequence the rotary table and KV cache allow.
    public var maxPositions: Int
    /// RMSNorm epsilon.
    public var normEpsilon: Float = 1e-5
    /// Rotary embedding base θ.
    public var ropeTheta: Float = 10_000
    /// Share the output projection with the input embedding.
    public var tieEmbeddings: Bool = false

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case maxPositions = "max_position_embeddings"
        case normEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case tieEmbeddings = "tie_word_embeddings"
        case headDim = "head_dim"
        case modelType = "model_type"
        case hiddenAct = "hidden_act"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(headCount, forKey: .headCount)
        try c.encode(keyValueHeadCount, forKey: .keyValueHeadCount)
        try c.encode(maxPositions, forKey: .maxPositions)
        try c.encode(normEpsilon, forKey: .normEpsilon)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(tieEmbeddings, forKey: .tieEmbeddings)
        try c.encode(headDim, forKey: .headDim)
        // So that Hugging Face `transformers` recognises the checkpoint as a Llama model.
        try c.encode("llama", forKey: .modelType)
        try c.encode("silu", forKey: .hiddenAct)
    }

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int,
                headCount: Int, keyValueHeadCount: Int? = nil, maxPositions: Int,
                normEpsilon: Float = 1e-5, ropeTheta: Float = 10_000, tieEmbeddings: Bool = false) {
        self.vocabSize = vocabSize; self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize; self.layerCount = layerCount
        self.headCount = headCount; self.keyValueHeadCount = keyValueHeadCount ?? headCount
        self.maxPositions = maxPositions; self.normEpsilon = normEpsilon
        self.ropeTheta = ropeTheta; self.tieEmbeddings = tieEmbeddings
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        headCount = try c.decode(Int.self, forKey: .headCount)
        keyValueHeadCount = try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount) ?? headCount
        maxPositions = try c.decode(Int.self, forKey: .maxPositions)
        normEpsilon = try c.decodeIfPresent(Float.self, forKey: .normEpsilon) ?? 1e-5
        ropeTheta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta) ?? 10_000
        tieEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieEmbeddings) ?? false
        if let headDim = try c.decodeIfPresent(Int.self, forKey: .headDim), headDim != self.headDim {
            throw TransformerError.invalidConfig(
                "head_dim \(headDim) differs from hidden_size / num_attention_heads = \(self.headDim); not supported")
        }
    }

    /// Size of one head, D = C / H.
    public var headDim: Int { hiddenSize / headCount }
    /// Width of all query heads, H·D.
    public var queryWidth: Int { headCount * headDim }
    /// Width of all key (or value) heads, G·D.
    public var keyValueWidth: Int { keyValueHeadCount * headDim }
    /// Width of the fused QKV projection output.
    public var qkvWidth: Int { queryWidth + 2 * keyValueWidth }

    /// The benchmark's reference model: 4 layers, C 256, 4 heads, context 128, vocabulary 64.
    public static let reference = TransformerConfig(
        vocabSize: 64, hiddenSize: 256, intermediateSize: 768, layerCount: 4, headCount: 4,
        maxPositions: 128)

    /// Checks the invariants the engine relies on; throws a message naming the bad field.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> TransformerError {
            .invalidConfig("\(field): \(why)")
        }
        if vocabSize < 1 { throw fail("vocab_size", "must be positive, found \(vocabSize)") }
        if hiddenSize < 1 { throw fail("hidden_size", "must be positive, found \(hiddenSize)") }
        if intermediateSize < 1 { throw fail("intermediate_size", "must be positive, found \(intermediateSize)") }
        if layerCount < 1 { throw fail("num_hidden_layers", "must be positive, found \(layerCount)") }
        if headCount < 1 || hiddenSize % headCount != 0 {
            throw fail("num_attention_heads", "must divide hidden_size \(hiddenSize), found \(headCount)")
        }
        if headDim % 2 != 0 { throw fail("hidden_size", "head size \(headDim) must be even for RoPE") }
        if keyValueHeadCount < 1 || headCount % keyValueHeadCount != 0 {
            throw fail("num_key_value_heads", "must divide num_attention_heads \(headCount), found \(keyValueHeadCount)")
        }
        if maxPositions < 1 { throw fail("max_position_embeddings", "must be positive, found \(maxPositions)") }
    }
}

/// Errors of the transformer layer, with messages a user can act on.
public enum TransformerError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case checkpoint(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidConfig(let message): return "invalid model config: \(message)"
        case .checkpoint(let message): return "checkpoint: \(message)"
        case .invalidInput(let message): return "invalid input: \(message)"
        }
    }
}
