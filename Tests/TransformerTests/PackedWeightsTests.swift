// The decoder's pre-packed weights: bit-identical logits to a decoder that packs every product,
// through prefill, steps, a slot copy and cache growth; re-packed after an optimizer step (no
// stale packs while training); and the head-major KV cache kept across growth and copies. In
// bfloat16 (where AMX runs): bfloat16 tiles and cache, logits close to float32's through the same
// prefill, copy, growth and steps, and cached values kept exactly across growth and copies.

import GEMM
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

    @Test func bfloat16DecodingFollowsFloat32() throws {
        let config = { var c = Self.wideConfig; c.maxPositions = 80; return c }()
        let model = try makeModel(config)
        let half = IncrementalDecoder(model: model, slots: 4, precision: .bfloat16)
        let full = IncrementalDecoder(model: model, slots: 4, precision: .float32)
        let expected: MatmulPrecision = MatmulPrecision.amxAvailable ? .bfloat16 : .float32
        #expect(half.cache.precision == expected && half.packedWeights?.precision == expected)
        #expect(full.cache.precision == .float32 && full.packedWeights?.precision == .float32)
        let a = try decode(half, vocab: config.vocabSize), b = try decode(full, vocab: config.vocabSize)
        guard MatmulPrecision.amxAvailable else {
            #expect(a == b)
            return
        }
        #expect(half.cache.byteCount < full.cache.byteCount * 6 / 10, "a bfloat16 cache takes about half the bytes")
        #expect(half.packedWeights!.byteCount < full.packedWeights!.byteCount * 6 / 10)
        // How far rounding alone moves this model's logits (its weights are large, so it is
        // sensitive): the same float32 decode of the model with its weights rounded to bfloat16.
        let rounded = try makeModel(config)
        for i in 0..<rounded.parameterCount { rounded.parameters[i] = float(bfloat16: bfloat16Bits(rounded.parameters[i])) }
        let c = try decode(IncrementalDecoder(model: rounded, slots: 4, precision: .float32), vocab: config.vocabSize)
        let sensitivity = zip(c, b).map { maxRelativeError($0, $1) }.max() ?? 0
        let error = zip(a, b).map { maxRelativeError($0, $1) }.max() ?? 0
        #expect(error > 1e-6, "bfloat16 decoding should round somewhere")
        #expect(error < max(3 * sensitivity, 0.02), "bfloat16 decoding drifted from float32: \(error) (weights rounded: \(sensitivity))")
    }

    @Test func bfloat16CacheKeepsValuesAcrossGrowthAndCopies() throws {
        let config = Self.wideConfig
        let model = try makeModel(config)
        let decoder = IncrementalDecoder(model: model, slots: 3, precision: .bfloat16)
        try decoder.prefill(prompts: [randomTokens(20, vocab: config.vocabSize, seed: 31)], slots: [0])
        let cache = decoder.cache
        func slot(_ s: Int, positions: Int) -> [[Float]] {
            (0..<config.layerCount).flatMap { l in
                (0..<config.keyValueHeadCount).flatMap { g in
                    (0..<positions).flatMap { p in
                        [cache.read(layer: l, slot: s, head: g, position: p), cache.read(layer: l, slot: s, head: g, position: p, value: true)]
                    }
                }
            }
        }
        let before = slot(0, positions: 20), capacity = cache.capacity
        #expect(before.joined().allSatisfy { float(bfloat16: bfloat16Bits($0)) == $0 || cache.precision == .float32 },
                "a bfloat16 cache holds bfloat16 values")
        cache.copy(slot: 0, to: 2, length: 12)
        cache.reserve(positions: capacity + 1)
        #expect(cache.capacity > capacity)
        #expect(slot(0, positions: 20) == before, "growth lost cached values")
        #expect(slot(2, positions: 12) == Array(slot(0, positions: 12)), "the copy differs from its source")
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
