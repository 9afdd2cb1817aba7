// The decoder's pre-packed weights: bit-identical logits to a decoder that packs every product,
// through prefill, steps, a slot copy and cache growth; re-packed after an optimizer step (no
// stale packs while training); and the head-major KV cache kept across growth and copies.

import Kernels
import TestSupport
import Testing
import Transformer

@Suite("Packed decoder weights")
struct PackedWeightsTests {
    /// Grouped-query attention, widths past one micro-tile (C 64, 2I 192, V 70, W 128).
    static let wideConfig = TransformerConfig(vocabSize: 70, hiddenSize: 64, intermediateSize: 96, layerCount: 2,
                                              headCount: 4, keyValueHeadCount: 2, maxPositions: 80)

    /// Logits of every step of a fixed decode (prefill of three prompts, a slot copy, then steps
    /// that grow the cache past its first 32 positions).
    func decode(_ decoder: IncrementalDecoder, vocab V: Int) throws -> [[Float]] {
        var out: [[Float]] = []
        try decoder.prefill(prompts: [randomTokens(5, vocab: V, seed: 1), randomTokens(1, vocab: V, seed: 2),
                                      randomTokens(12, vocab: V, seed: 3)], slots: [0, 1, 2])
        out.append(Array(decoder.logits[0..<(3 * V)]))
        decoder.cache.copy(slot: 2, to: 3, length: 8)
        var tokens = randomTokens(4 * 40, vocab: V, seed: 4)
        for t in 0..<30 {
            let rows = t % 3 == 0 ? [3, 1] : [0, 1, 2, 3]
            try decoder.step(tokens: rows.map { tokens[t * 4 + $0] }, slots: rows)
            out.append(Array(decoder.logits[0..<(rows.count * V)]))
            tokens[t * 4] = Int32(t % V)
        }
        return out
    }

    @Test(arguments: [false, true])
    func packedDecodingIsBitIdentical(wide: Bool) throws {
        var config = wide ? Self.wideConfig : tinyConfig
        config.maxPositions = 80
        let model = try makeModel(config)
        let packed = IncrementalDecoder(model: model, slots: 4), plain = IncrementalDecoder(model: model, slots: 4, packWeights: false)
        #expect(packed.packedWeights != nil && plain.packedWeights == nil)
        let a = try decode(packed, vocab: config.vocabSize), b = try decode(plain, vocab: config.vocabSize)
        #expect(packed.cache.capacity > 32, "the decode should grow the cache")
        #expect(a == b, "packed weights changed the logits")
    }

    /// The head-major cache against the full forward: slot 3 holds a copy of slot 2's first 8
    /// positions, then its own tokens; its logits equal the uncached forward of that sequence.
    @Test func copiedSlotMatchesTheFullForward() throws {
        let config = Self.wideConfig, V = config.vocabSize
        let model = try makeModel(config)
        let decoder = IncrementalDecoder(model: model, slots: 4)
        let prompt = randomTokens(12, vocab: V, seed: 9), tail = randomTokens(30, vocab: V, seed: 10)
        try decoder.prefill(prompts: [prompt], slots: [2])
        decoder.cache.copy(slot: 2, to: 3, length: 8)
        var last: [Float] = []
        for token in tail {
            try decoder.step(tokens: [token], slots: [3])
            last = Array(decoder.logits[0..<V])
        }
        let sequence = Array(prompt.prefix(8)) + tail
        let activations = Activations(config: config, maxBatch: 1, maxTime: sequence.count)
        try sequence.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: 1, time: sequence.count, activations: activations) }
        let expected = Array(UnsafeBufferPointer(start: activations.logits + (sequence.count - 1) * V, count: V))
        #expect(maxRelativeError(last, expected) < 1e-4)
    }

    @Test func anOptimizerStepRepacks() throws {
        let config = Self.wideConfig, V = config.vocabSize
        let model = try makeModel(config)
        let decoder = IncrementalDecoder(model: model, slots: 2)
        let prompts = [randomTokens(6, vocab: V, seed: 21), randomTokens(3, vocab: V, seed: 22)]
        try decoder.prefill(prompts: prompts, slots: [0, 1])
        let before = Array(decoder.logits[0..<(2 * V)])

        // One training step changes every matrix.
        let T = 8, tokens = randomTokens(T, vocab: V, seed: 23)
        let targets = (0..<T).map { $0 == T - 1 ? Int32(-1) : tokens[$0 + 1] }
        let activations = Activations(config: config, maxBatch: 1, maxTime: T)
        let optimizer = AdamWOptimizer(model: model)
        try tokens.withUnsafeBufferPointer { t in
            try model.forward(tokens: t, batch: 1, time: T, activations: activations)
            _ = targets.withUnsafeBufferPointer { model.crossEntropyLoss(targets: $0, rows: T, activations: activations) }
            model.zeroGradients()
            model.backward(tokens: t, batch: 1, time: T, activations: activations, outputs: [.logits])
        }
        let version = model.weightVersion
        optimizer.update(model: model, learningRate: 1e-2)
        #expect(model.weightVersion != version)

        decoder.cache.resetAll()
        try decoder.prefill(prompts: prompts, slots: [0, 1])
        let after = Array(decoder.logits[0..<(2 * V)])
        let fresh = IncrementalDecoder(model: model, slots: 2, packWeights: false)
        try fresh.prefill(prompts: prompts, slots: [0, 1])
        #expect(after != before, "the update should change the logits")
        #expect(after == Array(fresh.logits[0..<(2 * V)]), "the decoder kept stale packed weights")
    }

    @Test func hugeFloatModelsAreNotPacked() throws {
        // The packed copy is refused past the byte limit (a float model that large keeps one copy).
        var big = tinyConfig
        big.vocabSize = PackedWeights.byteLimit / (4 * big.hiddenSize) + 1
        #expect(PackedWeights.byteCount(config: big) > PackedWeights.byteLimit)
        let plan = MemoryPlan(config: big, context: 8, batch: 1, slots: 1)
        #expect(plan.inference.first { $0.name.hasPrefix("packed") }?.bytes == 0)
    }
}
