// GGUF files (llama.cpp) as models: the config from the `<arch>.*` metadata, every tensor
// dequantized to Float at load under its Hugging Face name (the llama Q/K row permutation undone
// by the GGUF reader). Architectures llama and qwen2; tied or untied output.

import Foundation
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

    /// Loads the GGUF file at `path`.
    public static func load(ggufPath path: String) throws -> TransformerModel {
        try load(gguf: GGUFFile(path: path))
    }
}
