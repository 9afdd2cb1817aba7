// Hugging Face `config.json` decoding and encoding. Every key that changes the math is read; what
// the engine does not implement is refused with `TransformerError.invalidConfig` naming the key and
// its value, so a checkpoint never runs with silently wrong math. Encoding writes the keys back so
// `transformers` (4.x and 5.x) loads the checkpoints `e2h` saves.
//
// Read: model_type, hidden_act / hidden_activation, vocab_size, hidden_size, intermediate_size,
// num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings,
// rms_norm_eps, rope_theta, rope_scaling (or 5.x's rope_parameters), partial_rotary_factor,
// tie_word_embeddings, attention_bias, mlp_bias, sliding_window, use_sliding_window, layer_types,
// attention_dropout. Other keys (token ids, dtype, initializer_range, ...) do not change the math.

import Foundation
import Kernels

/// A JSON object key known only at run time.
struct ConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension TransformerConfig: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        func unsupported(_ key: String, _ value: String, _ why: String) -> TransformerError {
            .invalidConfig("\(key) \(value) is not supported: \(why)")
        }
        func optional<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            try c.decodeIfPresent(type, forKey: ConfigKey(key))
        }
        func required<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let value = try optional(type, key) else {
                throw TransformerError.invalidConfig("missing required key \(key)")
            }
            return value
        }

        let typeName = try optional(String.self, "model_type") ?? "llama"
        guard let modelType = ModelType(rawValue: typeName) else {
            throw unsupported("model_type", "\"\(typeName)\"",
                              "supported: \(ModelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for key in ["hidden_act", "hidden_activation"] {
            if let act = try optional(String.self, key), act != "silu" {
                throw unsupported(key, "\"\(act)\"", "the MLP is SwiGLU with silu only")
            }
        }
        let heads: Int = try required(Int.self, "num_attention_heads")
        let hidden: Int = try required(Int.self, "hidden_size")
        self.init(vocabSize: try required(Int.self, "vocab_size"), hiddenSize: hidden,
                  intermediateSize: try required(Int.self, "intermediate_size"),
                  layerCount: try required(Int.self, "num_hidden_layers"), headCount: heads,
                  keyValueHeadCount: try optional(Int.self, "num_key_value_heads") ?? heads,
                  maxPositions: try required(Int.self, "max_position_embeddings"),
                  normEpsilon: try optional(Float.self, "rms_norm_eps") ?? 1e-6,
                  ropeTheta: try optional(Float.self, "rope_theta") ?? 10_000,
                  tieEmbeddings: try optional(Bool.self, "tie_word_embeddings") ?? false,
                  modelType: modelType, headDim: try optional(Int.self, "head_dim"))

        // Biases. Qwen2 always has q/k/v biases (and ignores attention_bias); Mistral never has any.
        let attentionBias = try optional(Bool.self, "attention_bias") ?? false
        switch modelType {
        case .llama: qkvBias = attentionBias; outputBias = attentionBias
        case .qwen2: qkvBias = true; outputBias = false
        case .mistral: qkvBias = false; outputBias = false
        }
        if let mlpBias = try optional(Bool.self, "mlp_bias"), mlpBias {
            throw unsupported("mlp_bias", "true", "the MLP projections have no biases in this engine")
        }
        if let dropout = try optional(Double.self, "attention_dropout"), dropout != 0 {
            throw unsupported("attention_dropout", "\(dropout)", "the engine has no dropout")
        }

        // Sliding-window attention: refused wherever it is in effect within the context.
        let window = try optional(Int.self, "sliding_window")
        let windowInEffect = window.map { $0 < maxPositions } ?? false
        switch modelType {
        case .qwen2:
            if try optional(Bool.self, "use_sliding_window") ?? false, windowInEffect {
                throw unsupported("use_sliding_window", "true (sliding_window \(window!))",
                                  "sliding-window attention is not implemented")
            }
        case .mistral:
            if windowInEffect {
                throw unsupported("sliding_window", "\(window!)",
                                  "sliding-window attention is not implemented (null, or at least max_position_embeddings \(maxPositions), is)")
            }
        case .llama: break
        }
        if let layerTypes = try optional([String].self, "layer_types"),
           let other = layerTypes.first(where: { $0 != "full_attention" }) {
            throw unsupported("layer_types", "containing \"\(other)\"", "only full_attention layers are implemented")
        }

        // Rotary embedding: 4.x's rope_theta + rope_scaling, or 5.x's rope_parameters.
        var ropeKey = "rope_scaling"
        var rope = try optional([String: ConfigValue].self, "rope_scaling")
        if let parameters = try optional([String: ConfigValue].self, "rope_parameters") {
            rope = parameters
            ropeKey = "rope_parameters"
        }
        if let theta = rope?["rope_theta"]?.number { ropeTheta = Float(theta) }
        for factor in [try optional(Double.self, "partial_rotary_factor"), rope?["partial_rotary_factor"]?.number] {
            if let factor, factor != 1 {
                throw unsupported("partial_rotary_factor", "\(factor)", "RoPE rotates the whole head")
            }
        }
        if let rope {
            ropeScaling = try Self.decodeScaling(rope, key: ropeKey)
        }
    }

    /// The scaling of a `rope_scaling` / `rope_parameters` object (nil for the default type).
    static func decodeScaling(_ rope: [String: ConfigValue], key: String) throws -> RoPEScaling? {
        let type = rope["rope_type"]?.string ?? rope["type"]?.string ?? "default"
        func number(_ name: String) throws -> Double {
            guard let value = rope[name]?.number else {
                throw TransformerError.invalidConfig("\(key).\(name) is missing for rope_type \"\(type)\"")
            }
            return value
        }
        switch type {
        case "default":
            return nil
        case "linear":
            return .linear(factor: Float(try number("factor")))
        case "llama3":
            return .llama3(factor: Float(try number("factor")),
                           lowFrequencyFactor: Float(try number("low_freq_factor")),
                           highFrequencyFactor: Float(try number("high_freq_factor")),
                           originalMaxPositions: Int(try number("original_max_position_embeddings")))
        default:
            throw TransformerError.invalidConfig(
                "\(key).rope_type \"\(type)\" is not supported: supported are default, linear and llama3")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ConfigKey.self)
        func put<T: Encodable>(_ value: T, _ key: String) throws { try c.encode(value, forKey: ConfigKey(key)) }
        try put(vocabSize, "vocab_size")
        try put(hiddenSize, "hidden_size")
        try put(intermediateSize, "intermediate_size")
        try put(layerCount, "num_hidden_layers")
        try put(headCount, "num_attention_heads")
        try put(keyValueHeadCount, "num_key_value_heads")
        try put(maxPositions, "max_position_embeddings")
        try put(normEpsilon, "rms_norm_eps")
        try put(ropeTheta, "rope_theta")
        try put(tieEmbeddings, "tie_word_embeddings")
        try put(headDim, "head_dim")
        try put(modelType.rawValue, "model_type")
        try put("silu", "hidden_act")
        let architecture = ["llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM"]
        try put([architecture[modelType.rawValue]!], "architectures")
        switch ropeScaling {
        case nil:
            try c.encodeNil(forKey: ConfigKey("rope_scaling"))
        case .linear(let factor):
            try put(["rope_type": ConfigValue.string("linear"), "factor": .number(Double(factor))], "rope_scaling")
        case .llama3(let factor, let low, let high, let original):
            try put(["rope_type": ConfigValue.string("llama3"), "factor": .number(Double(factor)),
                     "low_freq_factor": .number(Double(low)), "high_freq_factor": .number(Double(high)),
                     "original_max_position_embeddings": .number(Double(original))], "rope_scaling")
        }
        switch modelType {
        case .llama:
            try put(qkvBias, "attention_bias")
            try put(false, "mlp_bias")
        case .qwen2:
            try put(false, "use_sliding_window")
            try c.encodeNil(forKey: ConfigKey("sliding_window"))
        case .mistral:
            try c.encodeNil(forKey: ConfigKey("sliding_window"))
        }
    }
}

/// A JSON scalar inside `rope_scaling`: a number or a string (other values are kept as nil).
enum ConfigValue: Codable, Equatable {
    case number(Double)
    case string(String)
    case other

    var number: Double? { if case .number(let v) = self { return v }; return nil }
    var string: String? { if case .string(let v) = self { return v }; return nil }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else { self = .other }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v):
            if v == v.rounded(), abs(v) < 1e15 { try c.encode(Int(v)) } else { try c.encode(v) }
        case .string(let v): try c.encode(v)
        case .other: try c.encodeNil()
        }
    }
}
