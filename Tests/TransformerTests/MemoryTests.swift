// Memory by use: an inference-only model allocates no gradients, the KV cache and the rotary
// table follow the context actually used, and MemoryPlan's figures are the real buffers' sizes.

import Foundation
import Testing
import Transformer

@Suite("Memory by use")
struct MemoryTests {
    @Test func inferenceAllocatesNoGradients() throws {
        let model = try makeModel()
        #expect(!model.hasGradients && model.gradientBytes == 0)
        let tokens: [Int32] = [1, 2, 3, 4]
        let activations = Activations(config: model.config, maxBatch: 1, maxTime: 4)
        try tokens.withUnsafeBufferPointer {
            try model.forward(tokens: $0, batch: 1, time: 4, activations: activations, outputs: [.logits, .values])
        }
        let decoder = IncrementalDecoder(model: model, slots: 2)
        try decoder.prefill(prompts: [[1, 2], [3]], slots: [0, 1])
        #expect(!model.hasGradients, "forward and decoding must not allocate gradients")
        // Training code gets them on demand, and can give them back.
        model.zeroGradients()
        #expect(model.hasGradients && model.gradientBytes == model.parameterBytes)
        model.releaseGradients()
        #expect(!model.hasGradients)
    }

    /// Llama-3.2-1B's 131,072 positions, decoded at a short context: the cache and the rotary
    /// table hold what is used, not 131,072 positions.
    @Test func longContextConfigsAllocateByUse() throws {
        var config = tinyConfig
        config.maxPositions = 131_072
        let model = try makeModel(config)
        let decoder = IncrementalDecoder(model: model, slots: 4)
        try decoder.prefill(prompts: Array(repeating: Array(repeating: Int32(1), count: 40), count: 4),
                            slots: [0, 1, 2, 3])
        #expect(decoder.cache.capacity == 64, "40 positions need a 64-position cache, found \(decoder.cache.capacity)")
        #expect(model.ropePositions == 64)
        let full = 2 * config.layerCount * 4 * 131_072 * config.keyValueWidth * 4
        #expect(decoder.cache.byteCount * 1000 < full)
        // An explicit context is allocated up front, at that size.
        let sized = IncrementalDecoder(model: model, slots: 4, maxPositions: 200)
        #expect(sized.cache.capacity == 200 && sized.cache.maxPositions == 200)
        // Growing keeps what is cached: the decoder still matches a fresh one fed the same tokens.
        let grown = IncrementalDecoder(model: model, slots: 1)
        let fixed = IncrementalDecoder(model: model, slots: 1, maxPositions: 100)
        for t in 0..<70 {
            let token = Int32(t % config.vocabSize)
            try grown.step(tokens: [token], slots: [0])
            try fixed.step(tokens: [token], slots: [0])
        }
        #expect(grown.cache.capacity == 128)
        #expect(Array(grown.logits[0..<config.vocabSize]) == Array(fixed.logits[0..<config.vocabSize]))
    }

    @Test func planMatchesTheRealBuffers() throws {
        var config = tinyConfig
        config.maxPositions = 4096
        let N = 48, B = 3, S = 2
        let plan = MemoryPlan(config: config, context: N, batch: B, slots: S)
        let model = try makeModel(config)
        let decoder = IncrementalDecoder(model: model, slots: S, maxPositions: N)
        let activations = Activations(config: config, maxBatch: B, maxTime: N)
        let tokens = [Int32](repeating: 1, count: B * N)
        try tokens.withUnsafeBufferPointer {
            try model.forward(tokens: $0, batch: B, time: N, activations: activations)
        }
        let optimizer = AdamWOptimizer(model: model)
        func bytes(_ plan: [MemoryEntry], _ prefix: String) -> Int { plan.first { $0.name.hasPrefix(prefix) }!.bytes }
        #expect(bytes(plan.inference, "parameters") == model.parameterBytes)
        #expect(bytes(plan.inference, "gradients") == 0)
        #expect(bytes(plan.inference, "rotary") == model.ropeBytes)
        #expect(bytes(plan.inference, "KV cache") + bytes(plan.inference, "decoder") + bytes(plan.inference, "packed")
                == decoder.byteCount)
        #expect(bytes(plan.inference, "packed") > 0 && decoder.packedWeights != nil)
        #expect(bytes(plan.inference, "scoring") == activations.byteCount)
        #expect(bytes(plan.training, "gradients") == model.gradientBytes)
        #expect(bytes(plan.training, "AdamW") == 4 * (optimizer.firstMoment.count + optimizer.secondMoment.count))
        #expect(plan.table.contains("KV cache"))
        // A 1B-parameter Llama 3.2 config is planned without allocating anything.
        let json = """
            {"model_type": "llama", "vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192,
             "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
             "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
             "tie_word_embeddings": true,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"}}
            """
        let llama = try JSONDecoder().decode(TransformerConfig.self, from: Data(json.utf8))
        let big = MemoryPlan(config: llama, context: 1024, batch: 8, slots: 64)
        #expect(llama.parameterCountIfRepresentable == 1_235_814_400 + 2049)  // HF's count + our score head
        // 16 layers, 64 slots, 8 key/value heads of 1024 positions × 64 floats, each block padded by 16 floats.
        #expect(bytes(big.inference, "KV cache") == 2 * 16 * 64 * 8 * (1024 * 64 + 16) * 4)
    }
}
