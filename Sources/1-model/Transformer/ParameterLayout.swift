// Where every parameter lives in the one flat buffer. Each Hugging Face tensor name maps to a
// contiguous range, so checkpoints load and save by copying ranges. Fused blocks (QKV, gate/up)
// are laid out so the separate HF tensors are consecutive row blocks of them.
//
// Per layer l (C hidden, I intermediate, Dq = H·D, Dkv = G·D):
//   inputNorm   (C)
//   qkv         (Dq + 2·Dkv, C)   rows: q_proj, then k_proj, then v_proj
//   qkvBias     (Dq + 2·Dkv)      q_proj.bias, k_proj.bias, v_proj.bias (only with `qkvBias`)
//   output      (C, Dq)           o_proj
//   outputBias  (C)               o_proj.bias (only with `outputBias`)
//   postNorm    (C)
//   gateUp      (2·I, C)          rows: gate_proj, then up_proj
//   down        (C, I)
// Global: embedding (V, C), finalNorm (C), lmHead (V, C) unless tied, scoreWeight (1, C), scoreBias (1).

/// One named tensor: its Hugging Face name, shape and place in the flat buffer.
public struct ParameterTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    /// Whether AdamW's weight decay applies (matrices yes; norms and biases no).
    public var decays: Bool
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// Offsets of one decoder block's parameters.
public struct LayerOffsets: Sendable {
    public var inputNorm = 0, qkv = 0, output = 0, postNorm = 0, gateUp = 0, down = 0
    /// Offsets of the fused q/k/v bias and of the o_proj bias; nil when the config has none.
    public var qkvBias: Int?, outputBias: Int?
}

/// The complete map of the flat parameter buffer.
public struct ParameterLayout: Sendable {
    public let config: TransformerConfig
    public private(set) var tensors: [ParameterTensor] = []
    public private(set) var layers: [LayerOffsets] = []
    public private(set) var embedding = 0
    public private(set) var finalNorm = 0
    /// Equal to `embedding` when the embeddings are tied.
    public private(set) var lmHead = 0
    public private(set) var scoreWeight = 0
    public private(set) var scoreBias = 0
    public private(set) var count = 0

    public init(config: TransformerConfig) {
        self.config = config
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let Dq = config.queryWidth, Dkv = config.keyValueWidth
        embedding = add("model.embed_tokens.weight", [V, C], decays: true)
        for l in 0..<config.layerCount {
            let p = "model.layers.\(l)."
            var o = LayerOffsets()
            o.inputNorm = add(p + "input_layernorm.weight", [C], decays: false)
            o.qkv = add(p + "self_attn.q_proj.weight", [Dq, C], decays: true)
            _ = add(p + "self_attn.k_proj.weight", [Dkv, C], decays: true)
            _ = add(p + "self_attn.v_proj.weight", [Dkv, C], decays: true)
            if config.qkvBias {
                o.qkvBias = add(p + "self_attn.q_proj.bias", [Dq], decays: false)
                _ = add(p + "self_attn.k_proj.bias", [Dkv], decays: false)
                _ = add(p + "self_attn.v_proj.bias", [Dkv], decays: false)
            }
            o.output = add(p + "self_attn.o_proj.weight", [C, Dq], decays: true)
            if config.outputBias { o.outputBias = add(p + "self_attn.o_proj.bias", [C], decays: false) }
            o.postNorm = add(p + "post_attention_layernorm.weight", [C], decays: false)
            o.gateUp = add(p + "mlp.gate_proj.weight", [I, C], decays: true)
            _ = add(p + "mlp.up_proj.weight", [I, C], decays: true)
            o.down = add(p + "mlp.down_proj.weight", [C, I], decays: true)
            layers.append(o)
        }
        finalNorm = add("model.norm.weight", [C], decays: false)
        lmHead = config.tieEmbeddings ? embedding : add("lm_head.weight", [V, C], decays: true)
        scoreWeight = add("score.weight", [1, C], decays: true)
        scoreBias = add("score.bias", [1], decays: false)
    }

    private mutating func add(_ name: String, _ shape: [Int], decays: Bool) -> Int {
        let tensor = ParameterTensor(name: name, shape: shape, offset: count, decays: decays)
        tensors.append(tensor)
        count += tensor.count
        return tensor.offset
    }

    /// The tensor with this Hugging Face name, if the layout has one.
    public func tensor(named name: String) -> ParameterTensor? {
        tensors.first { $0.name == name }
    }

    /// Tensors of the scalar (reward/value) head, which a pure language model does not need.
    public var scoreHeadNames: Set<String> { ["score.weight", "score.bias"] }
}
