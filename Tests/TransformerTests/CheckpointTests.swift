import Foundation
import SafeTensors
import TestSupport
import Testing
import Transformer

@Suite("Checkpoints")
struct CheckpointTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("e2h-checkpoint-\(UUID().uuidString)")
    }

    @Test func roundTripIsExact() throws {
        let model = try makeModel()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(to: directory)
        let loaded = try TransformerModel.load(from: directory)
        #expect(loaded.config == model.config)
        #expect(Array(loaded.parameters) == Array(model.parameters))
        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["config.json", "model.safetensors"])
    }

    @Test func damagedFilesGiveClearErrors() throws {
        let model = try makeModel()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(to: directory)
        let weights = directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)

        // Truncated.
        try bytes.prefix(bytes.count / 2).write(to: weights)
        #expect(throws: (any Error).self) { try TransformerModel.load(from: directory) }
        // Header garbage.
        var corrupted = bytes
        for i in 8..<40 { corrupted[i] = 0x7B }
        try corrupted.write(to: weights)
        #expect(throws: (any Error).self) { try TransformerModel.load(from: directory) }
        // Wrong architecture: a config with another width than the weights.
        try bytes.write(to: weights)
        var other = tinyConfig
        other.intermediateSize = 20
        try JSONEncoder().encode(other).write(to: directory.appendingPathComponent("config.json"))
        do {
            _ = try TransformerModel.load(from: directory)
            Issue.record("loading mismatched shapes should fail")
        } catch {
            #expect("\(error)".contains("gate_proj"), "error should name the tensor: \(error)")
        }
        // Missing config.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("config.json"))
        #expect(throws: TransformerError.self) { try TransformerModel.load(from: directory) }
    }

    @Test func readsHuggingFaceConfig() throws {
        let json = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152,
             "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
             "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 8192,
             "rms_norm_eps": 1e-05, "rope_theta": 100000, "tie_word_embeddings": true, "head_dim": 64}
            """
        let config = try JSONDecoder().decode(TransformerConfig.self, from: Data(json.utf8))
        #expect(config.headDim == 64 && config.keyValueHeadCount == 3 && config.tieEmbeddings)
        try config.validate()
        let layout = ParameterLayout(config: config)
        #expect(layout.tensor(named: "lm_head.weight") == nil)
        #expect(layout.tensor(named: "model.layers.29.self_attn.k_proj.weight")?.shape == [192, 576])
    }
}
