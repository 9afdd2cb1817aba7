// Configuration of a Llama-family decoder (Llama, Qwen2, Mistral without a sliding window). Field
// names in JSON follow Hugging Face's `config.json`; `TransformerConfig+HuggingFace.swift` decodes
// every key that changes the math and refuses what the engine does not implement.

import Foundation
import Kernels

/// The Hugging Face architectures the engine implements (`model_type`).
public enum ModelType: String, Codable, Sendable, CaseIterable {
    /// Llama 1–3: no biases unless `attention_bias` (then q, k, v and o_proj have them).
    case llama
    /// Qwen2 / Qwen2.5: q, k, v projections always have biases, o_proj none.
    case qwen2
    /// Mistral: Llama's math; supported only without a sliding window.
    case mistral
}

/// The architecture hyperparameters of a decoder-only Llama-family model.
public struct TransformerConfig: Sendable, Equatable {
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
    /// Longest sequence the model accepts. Buffers are sized by the context a caller asks for,
    /// never by this (it is 131,072 for Llama 3.2).
    public var maxPositions: Int
    /// RMSNorm epsilon.
    public var normEpsilon: Float = 1e-5
    /// Rotary embedding base θ.
    public var ropeTheta: Float = 10_000
    /// Share the output projection with the input embedding.
    public var tieEmbeddings: Bool = false
    /// Which Hugging Face architecture this is (written back as `model_type`).
    public var modelType: ModelType = .llama
    /// Size of one head when it differs from C / H (`head_dim`); nil means C / H.
    public var explicitHeadDim: Int?
    /// Rescaled rotary frequencies (`rope_scaling`); nil for plain RoPE.
    public var ropeScaling: RoPEScaling?
    /// Biases on the q, k and v projections (Qwen2; Llama with `attention_bias`).
    public var qkvBias: Bool = false
    /// A bias on o_proj (Llama with `attention_bias`; never Qwen2).
    public var outputBias: Bool = false

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int,
                headCount: Int, keyValueHeadCount: Int? = nil, maxPositions: Int,
                normEpsilon: Float = 1e-5, ropeTheta: Float = 10_000, tieEmbeddings: Bool = false,
                modelType: ModelType = .llama, headDim: Int? = nil, ropeScaling: RoPEScaling? = nil,
                qkvBias: Bool? = nil, outputBias: Bool = false) {
        self.vocabSize = vocabSize; self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize; self.layerCount = layerCount
        self.headCount = headCount; self.keyValueHeadCount = keyValueHeadCount ?? headCount
        self.maxPositions = maxPositions; self.normEpsilon = normEpsilon
        self.ropeTheta = ropeTheta; self.tieEmbeddings = tieEmbeddings
        self.modelType = modelType
        self.explicitHeadDim = headDim == (headCount > 0 ? hiddenSize / headCount : nil) ? nil : headDim
        self.ropeScaling = ropeScaling
        self.qkvBias = qkvBias ?? (modelType == .qwen2)
        self.outputBias = outputBias
    }

    /// Size of one head, D (C / H unless `head_dim` says otherwise).
    public var headDim: Int { explicitHeadDim ?? hiddenSize / max(headCount, 1) }
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

    /// Checks the invariants the engine relies on and that the parameters fit in this machine's
    /// memory; throws a message naming the bad field.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> TransformerError {
            .invalidConfig("\(field): \(why)")
        }
        if vocabSize < 1 { throw fail("vocab_size", "must be positive, found \(vocabSize)") }
        if hiddenSize < 1 { throw fail("hidden_size", "must be positive, found \(hiddenSize)") }
        if intermediateSize < 1 { throw fail("intermediate_size", "must be positive, found \(intermediateSize)") }
        if layerCount < 1 { throw fail("num_hidden_layers", "must be positive, found \(layerCount)") }
        if headCount < 1 { throw fail("num_attention_heads", "must be positive, found \(headCount)") }
        if let explicit = explicitHeadDim {
            if explicit < 1 { throw fail("head_dim", "must be positive, found \(explicit)") }
        } else if hiddenSize % headCount != 0 {
            throw fail("num_attention_heads", "must divide hidden_size \(hiddenSize) (or give head_dim), found \(headCount)")
        }
        if headDim % 2 != 0 { throw fail("head_dim", "head size \(headDim) must be even for RoPE") }
        if keyValueHeadCount < 1 || headCount % keyValueHeadCount != 0 {
            throw fail("num_key_value_heads", "must divide num_attention_heads \(headCount), found \(keyValueHeadCount)")
        }
        if maxPositions < 1 { throw fail("max_position_embeddings", "must be positive, found \(maxPositions)") }
        if !(normEpsilon > 0) { throw fail("rms_norm_eps", "must be positive, found \(normEpsilon)") }
        if !(ropeTheta > 0) || !ropeTheta.isFinite { throw fail("rope_theta", "must be positive, found \(ropeTheta)") }
        switch modelType {
        case .qwen2:
            if !qkvBias || outputBias {
                throw fail("model_type", "qwen2 has q/k/v biases and no o_proj bias (found qkv bias \(qkvBias), o_proj bias \(outputBias))")
            }
        case .llama:
            if qkvBias != outputBias {
                throw fail("attention_bias", "llama biases q, k, v and o_proj together (found qkv bias \(qkvBias), o_proj bias \(outputBias))")
            }
        case .mistral:
            if qkvBias || outputBias { throw fail("model_type", "mistral has no attention biases") }
        }
        switch ropeScaling {
        case nil: break
        case .linear(let factor):
            if !(factor >= 1) { throw fail("rope_scaling.factor", "must be at least 1, found \(factor)") }
        case .llama3(let factor, let low, let high, let original):
            if !(factor >= 1) { throw fail("rope_scaling.factor", "must be at least 1, found \(factor)") }
            if !(low > 0) || !(high > low) {
                throw fail("rope_scaling", "needs 0 < low_freq_factor < high_freq_factor, found \(low), \(high)")
            }
            if original < 1 {
                throw fail("rope_scaling.original_max_position_embeddings", "must be positive, found \(original)")
            }
        }
        try checkFitsInMemory()
    }

    /// Parameters of the layout this config describes (the scalar head included), or nil when the
    /// count overflows an Int.
    public var parameterCountIfRepresentable: Int? {
        func mul(_ values: Int...) -> Int? {
            var product = 1
            for v in values {
                let (p, overflow) = product.multipliedReportingOverflow(by: v)
                if overflow { return nil }
                product = p
            }
            return product
        }
        let C = hiddenSize
        guard let embedding = mul(vocabSize, C), let q = mul(queryWidth, C), let kv = mul(2, keyValueWidth, C),
              let o = mul(C, queryWidth), let mlp = mul(3, intermediateSize, C) else { return nil }
        let biases = (qkvBias ? qkvWidth : 0) + (outputBias ? C : 0)
        let perLayer = [q, kv, o, mlp, 2 * C, biases].reduce(0) { a, b in a &+ b }
        guard perLayer >= 0, let layers = mul(perLayer, layerCount) else { return nil }
        let total = [layers, embedding, tieEmbeddings ? 0 : embedding, 2 * C + 1]
        let (sum, overflow) = total.reduce((0, false)) { acc, v in
            let (s, o) = acc.0.addingReportingOverflow(v)
            return (s, acc.1 || o)
        }
        return overflow ? nil : sum
    }

    /// Refuses a config whose parameters alone would not fit in physical memory, so that an absurd
    /// `vocab_size` or `hidden_size` is an error message rather than an abort inside malloc.
    func checkFitsInMemory() throws {
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard let count = parameterCountIfRepresentable else {
            throw TransformerError.invalidConfig(
                "the parameter count of vocab_size \(vocabSize), hidden_size \(hiddenSize), intermediate_size \(intermediateSize), num_hidden_layers \(layerCount) overflows")
        }
        let bytes = Double(count) * 4
        if bytes > available {
            let gib = { (b: Double) in String(format: "%.1f GiB", b / 1_073_741_824) }
            throw TransformerError.invalidConfig(
                "\(count) parameters need \(gib(bytes)) as float32, more than this machine's \(gib(available)) of memory (vocab_size \(vocabSize), hidden_size \(hiddenSize), intermediate_size \(intermediateSize), num_hidden_layers \(layerCount))")
        }
    }
}

/// Errors of the transformer layer, with messages a user can act on.
public enum TransformerError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case checkpoint(String)
    case invalidInput(String)
    /// A model loaded with `keepQuantized` asked to train or save (``TransformerModel/requireFloatWeights(for:)``).
    case quantizedWeights(purpose: String, tensors: Int)

    public var description: String {
        switch self {
        case .invalidConfig(let message): return "invalid model config: \(message)"
        case .checkpoint(let message): return "checkpoint: \(message)"
        case .invalidInput(let message): return "invalid input: \(message)"
        case .quantizedWeights(let purpose, let tensors):
            return "cannot \(purpose) this model (\(tensors) tensors kept as GGUF blocks): loaded with quantized weights for inference; load with float weights to train or save"
        }
    }
}
