// A self-contained demonstration that the engine learns: a small decoder trained from scratch on
// arithmetic sequences (start s, stride d: s, s+d, s+2d, ... mod V). The first two tokens of a
// sequence are unpredictable; every later token follows from them, so the loss falls from ln V
// towards (2/T)·ln V as the model discovers the rule in context.

import Transformer
import Kernels

/// One line of demo progress.
public struct DemoProgress: Sendable {
    public var step: Int
    public var loss: Float
    public var learningRate: Float
    public var tokensPerSecond: Double
}

/// Trains a fresh model on arithmetic sequences and reports progress every `reportEvery` steps.
///
/// - Returns: (first loss, last loss).
@discardableResult
public func runEngineDemo(
    config: TransformerConfig, batch: Int, steps: Int, learningRate: Float = 3e-3, seed: UInt64 = 1,
    reportEvery: Int = 10, report: (DemoProgress) -> Void
) throws -> (first: Float, last: Float) {
    let T = config.maxPositions, N = batch * T, V = config.vocabSize
    // Strides are drawn from 1..<V and every sequence needs a token to predict.
    guard V >= 2 else { throw TransformerError.invalidInput("the demo needs a vocabulary of at least 2 tokens, got \(V)") }
    guard T >= 2 else { throw TransformerError.invalidInput("the demo needs a context of at least 2 tokens, got \(T)") }
    guard batch >= 1, steps >= 1 else { throw TransformerError.invalidInput("the demo needs batch >= 1 and steps >= 1") }
    let model = try TransformerModel(config: config)
    model.initializeWeights(seed: seed)
    let optimizer = AdamWOptimizer(model: model)
    let schedule = LearningRateSchedule(peak: learningRate, warmupSteps: max(1, steps / 10), totalSteps: steps)
    let activations = Activations(config: config, maxBatch: batch, maxTime: T)
    var generator = SeededGenerator(seed: seed + 1)
    var tokens = [Int32](repeating: 0, count: N), targets = tokens
    var first: Float = .nan, last: Float = .nan
    var start = seconds(since: .init(uptimeNanoseconds: 0))
    for step in 0..<steps {
        for b in 0..<batch {
            let offset = Int(generator.next() % UInt64(V)), stride = 1 + Int(generator.next() % UInt64(V - 1))
            for t in 0..<T { tokens[b * T + t] = Int32((offset + stride * t) % V) }
            for t in 0..<T { targets[b * T + t] = t + 1 < T ? tokens[b * T + t + 1] : -1 }
        }
        let rate = schedule.rate(at: step)
        let loss = try tokens.withUnsafeBufferPointer { tokenBuffer -> Float in
            try model.forward(tokens: tokenBuffer, batch: batch, time: T, activations: activations)
            let loss = targets.withUnsafeBufferPointer {
                model.crossEntropyLoss(targets: $0, rows: N, activations: activations)
            }
            model.zeroGradients()
            model.backward(tokens: tokenBuffer, batch: batch, time: T, activations: activations, outputs: [.logits])
            optimizer.update(model: model, learningRate: rate, frozen: model.layout.scoreHeadNames)
            return loss
        }
        if step == 0 { first = loss }
        last = loss
        if (step + 1) % reportEvery == 0 || step == 0 || step == steps - 1 {
            let now = seconds(since: .init(uptimeNanoseconds: 0))
            let done = step == 0 ? 1 : min(reportEvery, step + 1)
            report(DemoProgress(step: step + 1, loss: loss, learningRate: rate,
                                tokensPerSecond: Double(N * done) / max(1e-9, now - start)))
            start = now
        }
    }
    return (first, last)
}
