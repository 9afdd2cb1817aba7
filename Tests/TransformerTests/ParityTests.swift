// The model against PyTorch: fixtures written by scripts/make_parity_fixtures.py hold the weights,
// a batch, and PyTorch's logits, loss, scalar-head values, every gradient, and the parameters after
// 10 AdamW steps (with clipping). Tolerances are relative to each tensor's scale.

import Foundation
import Kernels
import SafeTensors
import TestSupport
import Testing
import Transformer

struct ParityFixture {
    let config: TransformerConfig
    let file: SafeTensorsFile
    let batch: Int, time: Int
    let optimizer: AdamWConfig

    init(_ name: String) throws {
        let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let json = try Data(contentsOf: directory.appendingPathComponent("parity_\(name).json"))
        config = try JSONDecoder().decode(TransformerConfig.self, from: json)
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        batch = object["B"] as! Int
        time = object["T"] as! Int
        var optimizer = AdamWConfig()
        optimizer.learningRate = Float(object["learning_rate"] as! Double)
        optimizer.beta1 = Float(object["adam_beta1"] as! Double)
        optimizer.beta2 = Float(object["adam_beta2"] as! Double)
        optimizer.epsilon = Float(object["adam_epsilon"] as! Double)
        optimizer.weightDecay = Float(object["weight_decay"] as! Double)
        optimizer.gradientClip = Float(object["max_grad_norm"] as! Double)
        self.optimizer = optimizer
        file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("parity_\(name).safetensors"))
    }
}

/// max |ours − theirs| / max |theirs| over a tensor.
func scaledError(_ ours: [Float], _ theirs: [Float]) -> Float {
    let scale = max(theirs.map(abs).max() ?? 0, 1e-12)
    return zip(ours, theirs).map { abs($0 - $1) }.max()! / scale
}

@Suite("Parity with PyTorch")
struct ParityTests {
    @Test(arguments: ["untied_gqa", "tied", "qwen2", "llama3_rope"])
    func matchesPyTorch(fixtureName: String) throws {
        let fixture = try ParityFixture(fixtureName)
        let config = fixture.config, B = fixture.batch, T = fixture.time, N = B * T
        let model = try TransformerModel(config: config)
        try model.loadWeights(from: fixture.file, ignoringUnknown: true)
        let tokens = try fixture.file.int32s("tokens"), targets = try fixture.file.int32s("targets")
        let activations = Activations(config: config, maxBatch: B, maxTime: T)

        func forwardLoss() throws -> Float {
            try tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: B, time: T, activations: activations, outputs: [.logits, .values])
            }
            return targets.withUnsafeBufferPointer { model.crossEntropyLoss(targets: $0, rows: N, activations: activations) }
        }
        let loss = try forwardLoss()
        let logits = Array(UnsafeBufferPointer(start: activations.logits, count: N * config.vocabSize))
        let values = Array(UnsafeBufferPointer(start: activations.values, count: N))
        #expect(scaledError(logits, try fixture.file.floats("logits")) < 1e-4)
        #expect(scaledError(values, try fixture.file.floats("values")) < 1e-4)
        #expect(abs(loss - (try fixture.file.floats("loss"))[0]) < 1e-4)

        model.zeroGradients()
        tokens.withUnsafeBufferPointer {
            model.backward(tokens: $0, batch: B, time: T, activations: activations, outputs: [.logits])
        }
        for tensor in model.layout.tensors where !model.layout.scoreHeadNames.contains(tensor.name) {
            let ours = Array(model.gradients[tensor.range])
            let error = scaledError(ours, try fixture.file.floats("grad." + tensor.name))
            #expect(error < 1e-4, "gradient of \(tensor.name): scaled error \(error)")
        }

        // 10 AdamW steps on the same batch, clipping included; the score head is not trained.
        try model.loadWeights(from: fixture.file, ignoringUnknown: true)
        let optimizer = AdamWOptimizer(model: model, config: fixture.optimizer)
        let expectedLosses = try fixture.file.floats("losses")
        for step in 0..<expectedLosses.count {
            let stepLoss = try forwardLoss()
            #expect(abs(stepLoss - expectedLosses[step]) < 2e-4, "loss before step \(step + 1)")
            model.zeroGradients()
            tokens.withUnsafeBufferPointer {
                model.backward(tokens: $0, batch: B, time: T, activations: activations, outputs: [.logits])
            }
            optimizer.update(model: model, learningRate: fixture.optimizer.learningRate,
                             frozen: model.layout.scoreHeadNames)
        }
        for tensor in model.layout.tensors {
            let ours = Array(model.parameters[tensor.range])
            let error = scaledError(ours, try fixture.file.floats("after10." + tensor.name))
            #expect(error < 1e-4, "\(tensor.name) after 10 steps: scaled error \(error)")
        }
    }

    /// The cached decoder, fed the fixture's sequences one token at a time (the second after a
    /// prefill of 3), gives PyTorch's logits at every position.
    @Test(arguments: ["untied_gqa", "qwen2", "llama3_rope"])
    func cachedDecodingMatchesPyTorch(fixtureName: String) throws {
        let fixture = try ParityFixture(fixtureName)
        let config = fixture.config, B = fixture.batch, T = fixture.time, V = config.vocabSize
        let model = try TransformerModel(config: config)
        try model.loadWeights(from: fixture.file, ignoringUnknown: true)
        let tokens = try fixture.file.int32s("tokens"), expected = try fixture.file.floats("logits")
        let decoder = IncrementalDecoder(model: model, slots: B)
        var ours = [Float](repeating: 0, count: B * T * V)
        let prompt = 3
        try decoder.prefill(prompts: [Array(tokens[0..<1]), Array(tokens[T..<(T + prompt)])], slots: [0, 1])
        for v in 0..<V {
            ours[v] = decoder.logits[v]
            ours[(T + prompt - 1) * V + v] = decoder.logits[V + v]
        }
        for t in 1..<T {
            let rows = t < prompt ? [0] : [0, 1]
            try decoder.step(tokens: rows.map { tokens[$0 * T + t] }, slots: rows)
            for (r, b) in rows.enumerated() {
                for v in 0..<V { ours[(b * T + t) * V + v] = decoder.logits[r * V + v] }
            }
        }
        #expect(decoder.cache.lengths == [T, T])
        #expect(!model.hasGradients, "decoding must not allocate gradients")
        for b in 0..<B {
            for t in 0..<T where b == 0 || t >= prompt - 1 {  // a prefill returns its last logits only
                let range = ((b * T + t) * V)..<((b * T + t + 1) * V)
                let error = scaledError(Array(ours[range]), Array(expected[range]))
                #expect(error < 1e-4, "sequence \(b) position \(t): scaled error \(error)")
            }
        }
    }
}
