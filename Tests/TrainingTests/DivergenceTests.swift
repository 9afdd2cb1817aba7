import Foundation
import Testing
import Training
import Transformer

/// A NaN or infinite loss stops training with a message naming the step, and the last good
/// checkpoint is kept as it was (issue 18).
@Suite struct DivergenceTests {
    @Test func aNaNLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws {
        let builder = ExampleBuilder(tokenizer: vocabulary)
        let examples = try handful.enumerated().map {
            try builder.policyExample(prompt: $1.prompt, completion: $1.completion, source: "p\($0)")
        }
        var config = TrainerConfig()
        config.steps = 6
        config.batchSize = 2
        config.context = 96
        config.checkpointEvery = 2
        config.evaluateEvery = 0
        let directory = temporaryDirectory("diverged")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Three good steps: the checkpoint of step 2 is the last good one.
        try Trainer(model: try tinyPolicy(), config: config, training: examples, outputDirectory: directory,
                    padID: vocabulary.padID, quiet: true).run(stopAfter: 3)
        let pointer = directory.appendingPathComponent("latest_checkpoint")
        #expect(try String(contentsOf: pointer, encoding: .utf8) == "checkpoint-2")
        let checkpoint = directory.appendingPathComponent("checkpoint-2/model.safetensors")
        let good = try Data(contentsOf: checkpoint)

        // A model whose weights hold a NaN gives a NaN loss at its first step.
        let poisoned = try tinyPolicy()
        poisoned.parameters[0] = .nan
        do {
            try Trainer(model: poisoned, config: config, training: examples, outputDirectory: directory,
                        padID: vocabulary.padID, quiet: true).run(resume: false)
            Issue.record("expected training to stop")
        } catch let error as TrainingError {
            guard case .diverged = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("at step 1 of 6"), "\(error)")
            #expect(error.description.contains("loss is nan"), "\(error)")
            #expect(error.description.contains("checkpoint-2"), "\(error)")
        }
        #expect(try String(contentsOf: pointer, encoding: .utf8) == "checkpoint-2")
        #expect(try Data(contentsOf: checkpoint) == good)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path))
    }
}
