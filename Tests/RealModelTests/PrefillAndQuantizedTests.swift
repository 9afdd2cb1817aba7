import Foundation
import GEMM
import Support
import Testing
import Training
import Transformer

/// The largest |a - b| over two equally long rows, and the largest |b|.
func worstDifference(_ a: [Float], _ b: [Float]) -> (difference: Float, scale: Float) {
    (zip(a, b).map { abs($0 - $1) }.max() ?? 0, b.map(abs).max() ?? 0)
}

/// Last-token logits of each prompt after `decoder.prefill` with the given chunk (1: one token per
/// step, the path before batched prefill), on fresh decoders of `slots` slots.
func prefillLogits(_ model: TransformerModel, _ prompts: [[Int32]], chunk: Int) throws -> [[Float]] {
    let decoder = IncrementalDecoder(model: model, slots: prompts.count)
    try decoder.prefill(prompts: prompts, slots: Array(prompts.indices), chunk: chunk)
    let V = model.config.vocabSize
    return prompts.indices.map { Array(decoder.logits[($0 * V)..<($0 * V + V)]) }
}

/// Batched prefill (a prompt in one causal pass per chunk) against feeding it one token per step,
/// and SmolLM2 computed on its quantized blocks against its float32 load.
struct PrefillAndQuantizedTests {
    @Test(arguments: TinyCheckpointTests.models) func batchedPrefillMatchesTokenByToken(name: String) throws {
        let bundle = try ModelBundle.load(from: fixtureURL(name))
        let V = bundle.model.config.vocabSize
        var generator = SeededGenerator(seed: 3)
        let prompts = [5, 17, 1, 40].map { n in (0..<n).map { _ in Int32(generator.below(V)) } }
        let base = try prefillLogits(bundle.model, prompts, chunk: 1)
        for chunk in [3, 256] {
            let batched = try prefillLogits(bundle.model, prompts, chunk: chunk)
            for (found, expected) in zip(batched, base) {
                let (difference, scale) = worstDifference(found, expected)
                #expect(difference <= 1e-5 * max(1, scale), "\(name) chunk \(chunk): \(difference)")
            }
        }
        let reference = try fixtureJSON("\(name)/reference.json")
        for case let c as [String: Any] in reference["cases"] as! [Any] {
            let ids = c["ids"] as! [Int]
            #expect(try greedy(bundle, ids, count: 16, prefillChunk: 1) == greedy(bundle, ids, count: 16, prefillChunk: 256))
            #expect(try greedy(bundle, ids, count: 16, prefillChunk: 2) == c["greedy"] as! [Int])
        }
    }

    /// The built-in architecture at the reference config's shape (random weights), many slots at
    /// once, prompts longer than a chunk.
    @Test func batchedPrefillOnTheBuiltInModel() throws {
        var config = TransformerConfig.reference
        config.layerCount = 2
        let model = try TransformerModel(config: config)
        model.initializeWeights(seed: 5)
        var generator = SeededGenerator(seed: 4)
        let prompts = [1, 9, 70, 33, 2].map { n in (0..<n).map { _ in Int32(generator.below(config.vocabSize)) } }
        let base = try prefillLogits(model, prompts, chunk: 1)
        for chunk in [8, 64] {
            for (found, expected) in zip(try prefillLogits(model, prompts, chunk: chunk), base) {
                let (difference, scale) = worstDifference(found, expected)
                #expect(difference <= 1e-5 * max(1, scale), "chunk \(chunk): \(difference)")
            }
        }
    }
}

@Suite(.enabled(if: smolLM2Present || modelsRequired,
                "SmolLM2 GGUF not found at the cache path: run scripts/fetch-models.sh (E2H_REQUIRE_MODELS=1 makes this fail)"),
       .serialized)
struct SmolLM2QuantizedTests {
    func load(quantized: Bool) throws -> ModelBundle? {
        guard smolLM2Present else {
            Issue.record("E2H_REQUIRE_MODELS=1 but \(smolLM2Path) is missing: run scripts/fetch-models.sh")
            return nil
        }
        return try ModelBundle.load(from: URL(fileURLWithPath: smolLM2Path), promptFormat: nil, keepQuantized: quantized)
    }

    @Test func quantizedBlocksMatchTheFloatLoad() throws {
        guard let quantized = try load(quantized: true), let float = SmolLM2ModelTests.bundle else { return }
        let weights = try #require(quantized.model.quantizedWeights)
        // Q4_1 layers and the Q8_0 tied embedding stay in blocks: about 100 MB, not 540 MB of floats.
        #expect(weights.qkv.allSatisfy { $0 != nil } && weights.down.allSatisfy { $0 != nil })
        #expect(weights.embedding != nil && weights.lmHead?.base == weights.embedding?.base)
        #expect(weights.byteCount < 110_000_000)
        // Float activations here: equal to the float load up to rounding (int8 ones: the next test).
        weights.activations = .float
        let cases = try fixtureJSON("smollm2.json")["cases"] as! [[String: Any]]
        for c in cases {
            let ids = c["ids"] as! [Int]
            // Full forward (scoring) and the decoder (prefill) on the blocks against the float load.
            let expected = try logits(float.model, ids).last!
            let found = try logits(quantized.model, ids).last!
            let (difference, scale) = worstDifference(found, expected)
            #expect(difference <= 1e-4 * max(1, scale), "\(c["question"]!): forward logits differ by \(difference)")
            let decoded = try prefillLogits(quantized.model, [ids.map(Int32.init)], chunk: 256)[0]
            #expect(worstDifference(decoded, expected).difference <= 1e-4 * max(1, scale))
            // Greedy continuations (batched prefill, then decoding on the blocks) as transformers'.
            let chat = !(c["question"] as! String).isEmpty
            let greedyIDs = try greedy(quantized, ids, count: 64, stops: chat ? quantized.stopTokenIDs : [])
            #expect(greedyIDs == c["greedy"] as! [Int], "\(c["question"]!)")
        }
    }

    /// Decoding with int8 activations (llama.cpp's way, opt-in): next-token logits within 10% of
    /// their scale of the float load's (the activations' rounding through 30 layers, not float
    /// rounding: the worst of the four prompts measured 5.3%) and the same next token. Greedy
    /// continuations then leave transformers' after 8-63 tokens on three of the four prompts
    /// (docs/models.md), as llama.cpp's own does on the raw-text prompt.
    @Test func int8ActivationsStayCloseToTheFloatLoad() throws {
        guard let quantized = try load(quantized: true), let float = SmolLM2ModelTests.bundle else { return }
        let weights = try #require(quantized.model.quantizedWeights)
        weights.activations = .int8
        let cases = try fixtureJSON("smollm2.json")["cases"] as! [[String: Any]]
        for c in cases {
            let ids = c["ids"] as! [Int]
            let expected = try logits(float.model, ids).last!
            // Prefill in one chunk (panels, floats), then the last token's LM head on the rows path.
            let decoded = try prefillLogits(quantized.model, [ids.map(Int32.init)], chunk: 256)[0]
            let (difference, scale) = worstDifference(decoded, expected)
            #expect(difference <= 0.1 * max(1, scale), "\(c["question"]!): int8 logits differ by \(difference) (scale \(scale))")
            func top(_ row: [Float]) -> Int { row.indices.max { row[$0] < row[$1] }! }
            #expect(top(decoded) == top(expected), "\(c["question"]!)")
            let first = try greedy(quantized, ids, count: 1, stops: [])
            #expect(first == Array((c["greedy"] as! [Int]).prefix(1)), "\(c["question"]!)")
        }
    }

    /// Its float buffer lacks the quantized matrices: training it or saving it is refused with an
    /// error saying so, before anything is written.
    @Test func quantizedLoadRefusesTrainingAndSaving() throws {
        guard let bundle = try load(quantized: true) else { return }
        let model = bundle.model
        let expected = TransformerError.quantizedWeights(purpose: "save", tensors: model.quantizedWeights!.names.count)
        #expect(expected.description.contains("loaded with quantized weights for inference; load with float weights to train or save"))
        try withTemporaryFolder { folder in
            let target = folder.appendingPathComponent("saved")
            #expect(throws: expected) { try model.save(to: target) }
            #expect(!FileManager.default.fileExists(atPath: target.path))
            let example = try ExampleBuilder(tokenizer: bundle.tokenizer).policyExample(prompt: "1+1=", completion: "2", source: "test")
            var config = TrainerConfig()
            config.steps = 1; config.batchSize = 1; config.context = 16
            #expect(throws: TransformerError.quantizedWeights(purpose: "train", tensors: model.quantizedWeights!.names.count)) {
                try Trainer(model: model, config: config, training: [example], outputDirectory: folder, padID: bundle.tokenizer.padID)
            }
        }
        #expect(!model.hasGradients)
        // The float load of the same file trains and saves as before.
        try SmolLM2ModelTests.bundle?.model.requireFloatWeights(for: "train")
    }

    /// In bfloat16 a decoder dequantizes the blocks into bfloat16 tiles once, at its first step of
    /// `PackedWeights.tileRows` rows or more: its many-row steps then equal the float load's
    /// bfloat16 decoder (the same tiles, the same bfloat16 KV cache) and stay close to float32.
    @Test func bfloat16TilesFromTheBlocks() throws {
        guard let quantized = try load(quantized: true), let float = SmolLM2ModelTests.bundle,
              MatmulPrecision.amxAvailable else { return }
        let slots = PackedWeights.tileRows, V = float.model.config.vocabSize
        let small = IncrementalDecoder(model: quantized.model, slots: 1, precision: .bfloat16)
        try small.prefill(prompts: [Array(repeating: 1, count: slots - 1)], slots: [0])
        #expect(small.packedWeights == nil, "a step of fewer rows uses the blocks")
        let fromBlocks = IncrementalDecoder(model: quantized.model, slots: slots, precision: .bfloat16)
        #expect(fromBlocks.packedWeights == nil, "no tiles before a step needs them")
        let fromFloats = IncrementalDecoder(model: float.model, slots: slots, precision: .bfloat16)
        let reference = IncrementalDecoder(model: float.model, slots: slots, precision: .float32)
        let cases = try fixtureJSON("smollm2.json")["cases"] as! [[String: Any]]
        let prompts = (0..<slots).map { (cases[$0 % cases.count]["ids"] as! [Int]).prefix(20 + $0).map(Int32.init) }
        var next = [Int32](repeating: 0, count: slots)
        for step in 0..<4 {
            for decoder in [fromBlocks, fromFloats, reference] {
                if step == 0 {
                    try decoder.prefill(prompts: prompts, slots: Array(0..<slots))
                } else {
                    try decoder.step(tokens: next, slots: Array(0..<slots))
                }
            }
            let tiles = try #require(fromBlocks.packedWeights)
            #expect(tiles.fromQuantized && tiles.precision == .bfloat16 && fromBlocks.cache.precision == .bfloat16)
            let a = Array(fromBlocks.logits[0..<(slots * V)]), b = Array(fromFloats.logits[0..<(slots * V)])
            let (difference, scale) = worstDifference(a, b)
            #expect(difference <= 1e-5 * max(1, scale), "step \(step): tiles from blocks and from floats differ by \(difference)")
            let exact = Array(reference.logits[0..<(slots * V)])
            let drift = worstDifference(a, exact)
            #expect(drift.difference <= 0.1 * max(1, drift.scale), "step \(step): bf16 logits differ from fp32 by \(drift.difference)")
            next = (0..<slots).map { s in Int32((0..<V).max { exact[s * V + $0] < exact[s * V + $1] }!) }
        }
    }

    @Test func batchedPrefillMatchesTokenByToken() throws {
        guard let bundle = SmolLM2ModelTests.bundle else { _ = try load(quantized: false); return }
        let cases = try fixtureJSON("smollm2.json")["cases"] as! [[String: Any]]
        for c in cases.prefix(2) {
            let ids = (c["ids"] as! [Int]).map(Int32.init)
            let base = try prefillLogits(bundle.model, [ids], chunk: 1)[0]
            let batched = try prefillLogits(bundle.model, [ids], chunk: 256)[0]
            let (difference, scale) = worstDifference(batched, base)
            #expect(difference <= 1e-4 * max(1, scale), "\(c["question"]!): \(difference)")
        }
    }
}
