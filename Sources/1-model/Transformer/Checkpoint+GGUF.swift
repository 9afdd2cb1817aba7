// GGUF files (llama.cpp) as models: the config from the `<arch>.*` metadata, every tensor
// dequantized to Float at load under its Hugging Face name (the llama Q/K row permutation undone
// by the GGUF reader). Architectures llama and qwen2; tied or untied output.

import Foundation
import GEMM
import GGUF
import Kernels

extension TransformerConfig {
    /// The engine's config of a GGUF file's model.
    /// - Throws: ``TransformerError/invalidConfig(_:)`` naming the file and key for what the engine
    ///   does not implement (a RoPE scaling type other than linear, per-frequency RoPE factors,
    ///   partial rotary dimensions), or the GGUF reader's error for a missing key.
    public init(gguf file: GGUFFile) throws {
        let g = try file.modelConfig()
        let arch = g.modelType
        func unsupported(_ key: String, _ why: String) -> TransformerError {
            .invalidConfig("\(file.path): \(key): \(why)")
        }
        var scaling: RoPEScaling?
        if let type = g.ropeScalingType {
            guard type == "linear", let factor = g.ropeScalingFactor else {
                throw unsupported("\(arch).rope.scaling.type", "\"\(type)\" is not supported (none, linear with a factor)")
            }
            scaling = .linear(factor: Float(factor))
        }
        if file.hasTensor("rope_freqs.weight") {
            throw unsupported("rope_freqs.weight", "per-frequency RoPE factors (Llama 3.1 scaling in GGUF) are not supported")
        }
        if let rotary = file.metadata["\(arch).rope.dimension_count"]?.int, rotary != g.headDim {
            throw unsupported("\(arch).rope.dimension_count", "\(rotary) rotary dimensions of a \(g.headDim)-wide head (partial RoPE) is not supported")
        }
        guard let modelType = ModelType(rawValue: arch) else {
            throw unsupported("general.architecture", "\"\(arch)\" is not supported (llama, qwen2)")
        }
        let outputBias = arch == "llama" && file.hasTensor("blk.0.attn_output.bias")
        self.init(vocabSize: g.vocabSize, hiddenSize: g.hiddenSize, intermediateSize: g.intermediateSize,
                  layerCount: g.numHiddenLayers, headCount: g.numAttentionHeads, keyValueHeadCount: g.numKeyValueHeads,
                  maxPositions: g.maxPositionEmbeddings, normEpsilon: Float(g.rmsNormEps), ropeTheta: Float(g.ropeTheta),
                  tieEmbeddings: g.tieWordEmbeddings, modelType: modelType, headDim: g.headDim, ropeScaling: scaling,
                  qkvBias: modelType == .qwen2 ? true : g.attentionBias, outputBias: outputBias)
        do { try validate() } catch let error as TransformerError {
            throw TransformerError.invalidConfig("\(file.path): \(error)")
        }
    }
}

extension TransformerModel {
    /// Loads a GGUF file: config from its metadata, every tensor dequantized to Float.
    /// - Throws: the GGUF reader's errors (bad magic, truncated data, unknown tensor type, missing
    ///   tensor or key, shape mismatch: each names the file and tensor or key) or
    ///   ``TransformerError`` for a configuration the engine does not implement.
    public static func load(gguf file: GGUFFile) throws -> TransformerModel {
        let config = try TransformerConfig(gguf: file)
        let ggufConfig = try file.modelConfig()
        try file.checkTensors(config: ggufConfig)
        let model = try TransformerModel(config: config)
        for tensor in model.layout.tensors where !model.layout.scoreHeadNames.contains(tensor.name) {
            let (shape, values) = try file.huggingFaceTensor(tensor.name, config: ggufConfig)
            guard shape == tensor.shape, values.count == tensor.count else {
                throw TransformerError.checkpoint("\(file.path): tensor \(tensor.name) has shape \(shape), expected \(tensor.shape)")
            }
            values.withUnsafeBufferPointer { source in
                _ = UnsafeMutableBufferPointer(rebasing: model.parameters[tensor.range]).update(fromContentsOf: source)
            }
        }
        return model
    }

    /// Loads a GGUF file keeping its Q4_0 / Q4_1 / Q8_0 matrices as they are stored (views of the
    /// mapped file, multiplied by GEMM's `quantizedMatMul`); every other tensor (norms, biases,
    /// matrices of other types, including a fused projection with one part of another type) is
    /// dequantized to Float as ``load(gguf:)`` does. The model decodes and scores; it cannot be
    /// trained or saved.
    /// - Throws: the errors of ``load(gguf:)``.
    public static func load(gguf file: GGUFFile, keepQuantized: Bool) throws -> TransformerModel {
        guard keepQuantized else { return try load(gguf: file) }
        let config = try TransformerConfig(gguf: file)
        let ggufConfig = try file.modelConfig()
        try file.checkTensors(config: ggufConfig)
        let model = try TransformerModel(unfilledConfig: config)
        let weights = QuantizedWeights(layers: config.layerCount, storage: file)

        /// The quantized matrix of a Hugging Face tensor name, or nil for a type computed on as floats.
        func matrix(_ hfName: String) throws -> QuantizedMatrix? {
            guard let name = GGUFTensorNames.gguf(hfName), let expected = model.layout.tensor(named: hfName) else {
                throw GGUFError.missingTensor(file: file.path, tensor: hfName)
            }
            let info = try file.tensor(name)
            guard info.shape == expected.shape else {
                throw GGUFError.shapeMismatch(file: file.path, tensor: name, expected: expected.shape, found: info.shape)
            }
            guard let format = QuantizedFormat(info.type), let base = file.data(of: info).baseAddress else { return nil }
            var order: [Int32]?
            if ggufConfig.modelType == "llama", name.hasSuffix(".attn_q.weight") || name.hasSuffix(".attn_k.weight") {
                // HF row h·d + j·d/2 + i is GGUF row h·d + 2i + j (GGUFFile.unpermuteRows).
                let heads = name.hasSuffix(".attn_q.weight") ? ggufConfig.numAttentionHeads : ggufConfig.numKeyValueHeads
                let d = info.rowCount / heads
                order = Array(repeating: 0, count: info.rowCount)
                for h in 0..<heads { for j in 0..<2 { for i in 0..<(d / 2) { order![h * d + j * d / 2 + i] = Int32(h * d + 2 * i + j) } } }
            }
            return QuantizedMatrix(format: format, rows: info.rowCount, columns: info.rowLength, base: base, rowOrder: order)
        }
        /// A fused weight made of `names` (consecutive column blocks), if every part is quantized.
        func linear(_ names: [String]) throws -> QuantizedLinear? {
            var parts: [(matrix: QuantizedMatrix, column: Int)] = []
            var column = 0
            for name in names {
                guard let m = try matrix(name) else { return nil }
                parts.append((m, column))
                column += m.rows
            }
            weights.names.formUnion(names)
            return QuantizedLinear(parts: parts)
        }
        for l in 0..<config.layerCount {
            let p = "model.layers.\(l)."
            weights.qkv[l] = try linear(["q_proj", "k_proj", "v_proj"].map { p + "self_attn.\($0).weight" })
            weights.output[l] = try linear([p + "self_attn.o_proj.weight"])
            weights.gateUp[l] = try linear(["gate_proj", "up_proj"].map { p + "mlp.\($0).weight" })
            weights.down[l] = try linear([p + "mlp.down_proj.weight"])
        }
        if let embedding = try matrix("model.embed_tokens.weight") {
            weights.embedding = embedding
            weights.names.insert("model.embed_tokens.weight")
        }
        if config.tieEmbeddings {
            weights.lmHead = weights.embedding
        } else if let head = try matrix("lm_head.weight") {
            weights.lmHead = head
            weights.names.insert("lm_head.weight")
        }
        for tensor in model.layout.tensors where !weights.names.contains(tensor.name) {
            let target = UnsafeMutableBufferPointer(rebasing: model.parameters[tensor.range])
            if model.layout.scoreHeadNames.contains(tensor.name) { target.initialize(repeating: 0); continue }
            // A tied head that is not quantized reads the embedding's floats, written under its own name.
            if config.tieEmbeddings, tensor.name == "lm_head.weight" { continue }
            let (shape, values) = try file.huggingFaceTensor(tensor.name, config: ggufConfig)
            guard shape == tensor.shape, values.count == tensor.count else {
                throw TransformerError.checkpoint("\(file.path): tensor \(tensor.name) has shape \(shape), expected \(tensor.shape)")
            }
            values.withUnsafeBufferPointer { _ = target.initialize(fromContentsOf: $0) }
        }
        model.quantizedWeights = weights
        return model
    }

    /// Loads the GGUF file at `path`.
    public static func load(ggufPath path: String) throws -> TransformerModel {
        try load(gguf: GGUFFile(path: path))
    }
}
