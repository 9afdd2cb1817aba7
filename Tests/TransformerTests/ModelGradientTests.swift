// Whole-model checks that need no external fixture: the backward pass against finite differences
// of the forward (LM loss and scalar head), and the incremental decoder against the full forward.

import Kernels
import TestSupport
import Testing
import Transformer

/// A tiny config with grouped-query attention, untied embeddings.
let tinyConfig = TransformerConfig(vocabSize: 13, hiddenSize: 16, intermediateSize: 24, layerCount: 2,
                                   headCount: 4, keyValueHeadCount: 2, maxPositions: 16)

func makeModel(_ config: TransformerConfig = tinyConfig, seed: UInt64 = 1) throws -> TransformerModel {
    let model = try TransformerModel(config: config)
    model.initializeWeights(seed: seed)
    // Larger weights than the 0.02 init so every path carries signal into the finite differences.
    var generator = SeededGenerator(seed: seed + 100)
    for i in 0..<model.parameterCount { model.parameters[i] += 0.2 * generator.nextNormal() }
    return model
}

func randomTokens(_ count: Int, vocab: Int, seed: UInt64) -> [Int32] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Int32(generator.next() % UInt64(vocab)) }
}

@Suite("Transformer gradients")
struct ModelGradientTests {
    /// Loss = mean CE + Σ values·r (both heads at once), returned in Double.
    func loss(_ model: TransformerModel, tokens: [Int32], targets: [Int32], valueWeights: [Float],
              batch: Int, time: Int, activations: Activations) throws -> Double {
        try tokens.withUnsafeBufferPointer { t in
            try model.forward(tokens: t, batch: batch, time: time, activations: activations, outputs: [.logits, .values])
        }
        let ce = targets.withUnsafeBufferPointer {
            model.crossEntropyLoss(targets: $0, rows: batch * time, activations: activations)
        }
        var total = Double(ce)
        for n in 0..<(batch * time) { total += Double(activations.values[n]) * Double(valueWeights[n]) }
        return total
    }

    /// The architecture variants the finite differences run on.
    static let variants: [String: TransformerConfig] = {
        var tied = tinyConfig
        tied.tieEmbeddings = true
        // Qwen2: q/k/v biases, tied.
        let qwen2 = TransformerConfig(vocabSize: 13, hiddenSize: 16, intermediateSize: 24, layerCount: 2,
                                      headCount: 4, keyValueHeadCount: 2, maxPositions: 16, tieEmbeddings: true,
                                      modelType: .qwen2)
        // Llama with attention_bias (q/k/v and o_proj biases), llama3 RoPE scaling whose three
        // frequency regimes all occur at D = 6 (wavelengths 6.3, 136, 2900 against 64 and 256), and
        // head_dim 6 != C/H = 4.
        let llama3 = TransformerConfig(vocabSize: 13, hiddenSize: 16, intermediateSize: 24, layerCount: 2,
                                       headCount: 4, keyValueHeadCount: 2, maxPositions: 64, headDim: 6,
                                       ropeScaling: .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4,
                                                            originalMaxPositions: 256),
                                       qkvBias: true, outputBias: true)
        var linear = tinyConfig
        linear.ropeScaling = .linear(factor: 4)
        return ["untied": tinyConfig, "tied": tied, "qwen2": qwen2, "llama3": llama3, "linear": linear]
    }()

    @Test(arguments: ["untied", "tied", "qwen2", "llama3", "linear"])
    func backwardMatchesFiniteDifferences(variant: String) throws {
        let config = Self.variants[variant]!
        let tied = config.tieEmbeddings
        let model = try makeModel(config)
        let B = 2, T = 5
        let tokens = randomTokens(B * T, vocab: config.vocabSize, seed: 2)
        var targets = randomTokens(B * T, vocab: config.vocabSize, seed: 3)
        targets[4] = -1
        let valueWeights = randomArray(B * T, seed: 4, scale: 0.3)
        let activations = Activations(config: config, maxBatch: B, maxTime: 8)

        _ = try loss(model, tokens: tokens, targets: targets, valueWeights: valueWeights, batch: B, time: T,
                     activations: activations)
        for n in 0..<(B * T) { activations.valuesGrad[n] = valueWeights[n] }
        model.zeroGradients()
        tokens.withUnsafeBufferPointer {
            model.backward(tokens: $0, batch: B, time: T, activations: activations, outputs: [.logits, .values])
        }
        let analytic = Array(model.gradients)

        // Check a few entries of every tensor, perturbing in place.
        for tensor in model.layout.tensors where !(tied && tensor.name == "lm_head.weight") {
            let picks = Swift.stride(from: tensor.offset, to: tensor.offset + tensor.count,
                                     by: max(1, tensor.count / 4))
            for i in picks {
                let saved = model.parameters[i]
                let h: Float = 1e-2
                model.parameters[i] = saved + h
                let plus = try loss(model, tokens: tokens, targets: targets, valueWeights: valueWeights,
                                    batch: B, time: T, activations: activations)
                model.parameters[i] = saved - h
                let minus = try loss(model, tokens: tokens, targets: targets, valueWeights: valueWeights,
                                     batch: B, time: T, activations: activations)
                model.parameters[i] = saved
                let numeric = Float((plus - minus) / Double(2 * h))
                #expect(abs(numeric - analytic[i]) <= 3e-3 + 3e-2 * abs(numeric),
                        "\(tensor.name)[\(i - tensor.offset)]: numeric \(numeric) analytic \(analytic[i])")
            }
        }
    }

    @Test func rejectsBadInput() throws {
        let model = try makeModel()
        let activations = Activations(config: tinyConfig, maxBatch: 1, maxTime: 4)
        let bad: [Int32] = [1, 2, 99, 3]
        #expect(throws: TransformerError.self) {
            try bad.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: 1, time: 4, activations: activations) }
        }
        let tooLong = [Int32](repeating: 1, count: 5)
        #expect(throws: TransformerError.self) {
            try tooLong.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: 1, time: 5, activations: activations) }
        }
        var badConfig = tinyConfig
        badConfig.keyValueHeadCount = 3
        #expect(throws: TransformerError.self) { try TransformerModel(config: badConfig) }
    }
}

@Suite("Incremental decoding")
struct DecoderTests {
    @Test func cachedStepsMatchTheFullForward() throws {
        let model = try makeModel()
        let V = tinyConfig.vocabSize
        // Three sequences of different lengths decoded together.
        let sequences: [[Int32]] = [randomTokens(9, vocab: V, seed: 5), randomTokens(4, vocab: V, seed: 6),
                                    randomTokens(7, vocab: V, seed: 7)]
        let decoder = IncrementalDecoder(model: model, slots: 4)
        // Prompts of lengths 3, 1, 5 into slots 2, 0, 3; then the rest one token at a time.
        let promptLengths = [3, 1, 5], slots = [2, 0, 3]
        try decoder.prefill(prompts: sequences.indices.map { Array(sequences[$0].prefix(promptLengths[$0])) },
                            slots: slots)
        var stepLogits = sequences.indices.map { i in [[Float]](repeating: [], count: sequences[i].count) }
        for i in sequences.indices {
            stepLogits[i][promptLengths[i] - 1] = Array(decoder.logits[(i * V)..<((i + 1) * V)])
        }
        var position = promptLengths
        while sequences.indices.contains(where: { position[$0] < sequences[$0].count }) {
            let rows = sequences.indices.filter { position[$0] < sequences[$0].count }
            try decoder.step(tokens: rows.map { sequences[$0][position[$0]] }, slots: rows.map { slots[$0] })
            for (r, i) in rows.enumerated() {
                stepLogits[i][position[i]] = Array(decoder.logits[(r * V)..<((r + 1) * V)])
                position[i] += 1
            }
        }
        for (i, sequence) in sequences.enumerated() {
            let activations = Activations(config: tinyConfig, maxBatch: 1, maxTime: sequence.count)
            try sequence.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: 1, time: sequence.count, activations: activations)
            }
            for t in 0..<sequence.count {
                let full = Array(UnsafeBufferPointer(start: activations.logits + t * V, count: V))
                #expect(maxRelativeError(stepLogits[i][t], full) < 1e-4, "sequence \(i) position \(t)")
            }
        }
        // Copying a slot's prefix gives the copy the same continuation.
        decoder.cache.copy(slot: 2, to: 1)
        try decoder.step(tokens: [5, 5], slots: [2, 1])
        #expect(maxRelativeError(Array(decoder.logits[0..<V]), Array(decoder.logits[V..<(2 * V)])) < 1e-6)
    }
}
