// Validation loss and accuracy, and the metrics file.

import Foundation
import Kernels
import Objectives
import Transformer

extension Trainer {
    /// Mean loss and accuracy over up to `config.validationLimit` validation examples, spread evenly
    /// over the validation set (files are often ordered, e.g. by level, so a prefix would be biased).
    func evaluateValidation() throws -> (Float, Float) {
        let count = min(config.validationLimit, validation.count)
        let examples = (0..<count).map { validation[$0 * validation.count / count] }
        var lossSum: Double = 0, weightSum: Double = 0, correct = 0, counted = 0
        for start in stride(from: 0, to: examples.count, by: config.batchSize) {
            let batch = Batch(Array(examples[start..<min(start + config.batchSize, examples.count)]),
                              context: config.context, padID: padID)
            let N = batch.batch * batch.time
            try batch.tokens.withUnsafeBufferPointer { tokenBuffer in
                switch config.objective {
                case .languageModel:
                    try model.forward(tokens: tokenBuffer, batch: batch.batch, time: batch.time, activations: activations)
                    batch.targets.withUnsafeBufferPointer { targets in
                        crossEntropyForward(losses: activations.tokenLosses, logits: activations.logits,
                                            targets: targets.baseAddress!, rows: N, vocab: model.config.vocabSize)
                    }
                    let V = model.config.vocabSize
                    for n in 0..<N where batch.targets[n] >= 0 {
                        lossSum += Double(activations.tokenLosses[n]); weightSum += 1
                        let row = activations.logits + n * V
                        var best = 0
                        for v in 1..<V where row[v] > row[best] { best = v }
                        if best == Int(batch.targets[n]) { correct += 1 }
                        counted += 1
                    }
                case .scalarHead:
                    try model.forward(tokens: tokenBuffer, batch: batch.batch, time: batch.time, activations: activations,
                                      outputs: [.values])
                    let (loss, weight) = binaryCrossEntropyWithLogits(
                        gradient: activations.valuesGrad, logits: activations.values, labels: batch.labels,
                        weights: batch.labelWeights, count: N)
                    lossSum += Double(loss) * Double(weight); weightSum += Double(weight)
                    for n in 0..<N where batch.labelWeights[n] > 0 {
                        if (activations.values[n] > 0) == (batch.labels[n] > 0.5) { correct += 1 }
                        counted += 1
                    }
                }
            }
        }
        return (Float(lossSum / max(weightSum, 1e-9)), Float(correct) / Float(max(counted, 1)))
    }

    func appendMetrics(_ metrics: TrainingMetrics) throws {
        let url = outputDirectory.appendingPathComponent("metrics.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(metrics)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: url.path) {
            FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }
}
