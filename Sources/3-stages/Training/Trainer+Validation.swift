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
        var tally = ValidationTally()
        for start in stride(from: 0, to: examples.count, by: config.batchSize) {
            let batch = Batch(Array(examples[start..<min(start + config.batchSize, examples.count)]),
                              context: config.context, padID: padID)
            try batch.tokens.withUnsafeBufferPointer { tokenBuffer in
                try model.forward(tokens: tokenBuffer, batch: batch.batch, time: batch.time, activations: activations,
                                  outputs: objective.outputs)
            }
            tally.add(objective.validate(batch: batch, activations: activations, model: model))
        }
        return tally.means
    }

    func appendMetrics(_ metrics: TrainingMetrics) throws {
        let url = outputDirectory.appendingPathComponent("metrics.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(metrics)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }
}
