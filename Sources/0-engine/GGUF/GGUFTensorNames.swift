/// GGUF tensor names <-> Hugging Face names of Llama / Qwen2 checkpoints
/// (llama.cpp `gguf-py/gguf/tensor_mapping.py`).
public enum GGUFTensorNames {
    /// Per-layer GGUF suffixes and their HF names under `model.layers.N.`.
    static let layer: [(gguf: String, hf: String)] = [
        ("attn_norm", "input_layernorm"), ("attn_q", "self_attn.q_proj"), ("attn_k", "self_attn.k_proj"),
        ("attn_v", "self_attn.v_proj"), ("attn_output", "self_attn.o_proj"), ("ffn_norm", "post_attention_layernorm"),
        ("ffn_gate", "mlp.gate_proj"), ("ffn_up", "mlp.up_proj"), ("ffn_down", "mlp.down_proj"),
    ]
    static let global: [(gguf: String, hf: String)] = [
        ("token_embd", "model.embed_tokens"), ("output_norm", "model.norm"), ("output", "lm_head"),
    ]

    /// The Hugging Face name of a GGUF tensor (`blk.3.attn_q.weight` -> `model.layers.3.self_attn.q_proj.weight`),
    /// or nil for tensors without one (`rope_freqs.weight`).
    public static func huggingFace(_ name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let kind = parts.last, kind == "weight" || kind == "bias" else { return nil }
        if parts.count == 2, let hit = global.first(where: { $0.gguf == parts[0] }) { return "\(hit.hf).\(kind)" }
        if parts.count == 4, parts[0] == "blk", let n = Int(parts[1]), n >= 0, String(n) == parts[1],
           let hit = layer.first(where: { $0.gguf == parts[2] }) {
            return "model.layers.\(n).\(hit.hf).\(kind)"
        }
        return nil
    }

    /// The GGUF name of a Hugging Face tensor name, or nil.
    public static func gguf(_ name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let kind = parts.last, kind == "weight" || kind == "bias" else { return nil }
        let stem = parts.dropLast().joined(separator: ".")
        if let hit = global.first(where: { $0.hf == stem }) { return "\(hit.gguf).\(kind)" }
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", let n = Int(parts[2]), String(n) == parts[2] else { return nil }
        let rest = parts[3..<(parts.count - 1)].joined(separator: ".")
        guard let hit = layer.first(where: { $0.hf == rest }) else { return nil }
        return "blk.\(n).\(hit.gguf).\(kind)"
    }
}

extension GGUFFile {
    /// A tensor in Hugging Face form: its HF name, PyTorch shape and Float values, with llama.cpp's
    /// Q/K row permutation undone for `llama` (`qwen2` files keep the HF layout).
    /// - Throws: ``GGUFError/missingTensor(file:tensor:)``, ``GGUFError/shapeMismatch(file:tensor:expected:found:)``
    ///   when the shape disagrees with `config`, or a type that cannot be dequantized.
    public func huggingFaceTensor(_ hfName: String, config: GGUFModelConfig) throws -> (shape: [Int], values: [Float]) {
        guard let name = GGUFTensorNames.gguf(hfName) else { throw GGUFError.missingTensor(file: path, tensor: hfName) }
        let info = try tensor(name)
        if let expected = expectedShape(name, config), expected != info.shape {
            throw GGUFError.shapeMismatch(file: path, tensor: name, expected: expected, found: info.shape)
        }
        var values = try floats(info)
        if config.modelType == "llama" {
            if name.hasSuffix(".attn_q.weight") || name.hasSuffix(".attn_q.bias") {
                values = Self.unpermuteRows(values, heads: config.numAttentionHeads, rowLength: info.rowLength)
            } else if name.hasSuffix(".attn_k.weight") || name.hasSuffix(".attn_k.bias") {
                values = Self.unpermuteRows(values, heads: config.numKeyValueHeads, rowLength: info.rowLength)
            }
        }
        return (info.shape, values)
    }

    /// Checks that every tensor the config implies is present with its shape and a type that can
    /// be dequantized: token_embd, output_norm, output (unless tied), and per layer the norms,
    /// q/k/v/o (with q/k/v biases when `attentionBias`) and the three FFN matrices.
    public func checkTensors(config: GGUFModelConfig) throws {
        var names = ["token_embd.weight", "output_norm.weight"] + (config.tieWordEmbeddings ? [] : ["output.weight"])
        for n in 0..<config.numHiddenLayers {
            let parts = ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]
            names += parts.map { "blk.\(n).\($0).weight" }
            if config.attentionBias { names += ["attn_q", "attn_k", "attn_v"].map { "blk.\(n).\($0).bias" } }
        }
        for name in names {
            let info = try tensor(name)
            if let expected = expectedShape(name, config), expected != info.shape {
                throw GGUFError.shapeMismatch(file: path, tensor: name, expected: expected, found: info.shape)
            }
            guard info.type.canDequantize else {
                throw GGUFError.unsupportedTensorType(file: path, tensor: name, type: info.type.rawValue)
            }
        }
    }

    /// The HF names of every tensor the model has (GGUF tensors without an HF name are left out).
    public func huggingFaceTensorNames() -> [String] { tensors.compactMap { GGUFTensorNames.huggingFace($0.name) } }

    /// The PyTorch shape the config implies for a standard tensor, or nil for others.
    public func expectedShape(_ name: String, _ c: GGUFModelConfig) -> [Int]? {
        let q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
        let suffix = name.split(separator: ".").dropFirst(name.hasPrefix("blk.") ? 2 : 0).joined(separator: ".")
        switch suffix {
        case "token_embd.weight", "output.weight": return [c.vocabSize, c.hiddenSize]
        case "output_norm.weight", "attn_norm.weight", "ffn_norm.weight": return [c.hiddenSize]
        case "attn_q.weight": return [q, c.hiddenSize]
        case "attn_k.weight", "attn_v.weight": return [kv, c.hiddenSize]
        case "attn_q.bias": return [q]
        case "attn_k.bias", "attn_v.bias": return [kv]
        case "attn_output.weight": return [c.hiddenSize, q]
        case "ffn_gate.weight", "ffn_up.weight": return [c.intermediateSize, c.hiddenSize]
        case "ffn_down.weight": return [c.hiddenSize, c.intermediateSize]
        default: return nil
        }
    }

    /// Undoes `convert_hf_to_gguf.py`'s `permute(w, n_head)`: within each head of `D` rows, GGUF
    /// row `2i + j` is HF row `j * D/2 + i` (interleaved pairs back to rotate-half halves).
    public static func unpermuteRows(_ values: [Float], heads: Int, rowLength: Int) -> [Float] {
        let rows = values.count / rowLength
        precondition(rows % (2 * heads) == 0, "unpermuteRows: \(rows) rows for \(heads) heads")
        let d = rows / heads
        var out = [Float](repeating: 0, count: values.count)
        for h in 0..<heads {
            for i in 0..<(d / 2) {
                for j in 0..<2 {
                    let from = (h * d + 2 * i + j) * rowLength, to = (h * d + j * d / 2 + i) * rowLength
                    out[to..<(to + rowLength)] = values[from..<(from + rowLength)]
                }
            }
        }
        return out
    }
}
