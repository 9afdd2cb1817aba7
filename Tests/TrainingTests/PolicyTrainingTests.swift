import Datasets
import Foundation
import Tokenizers
import Testing
import Training
import Transformer

let vocabulary = CharacterVocabulary.benchmark

func temporaryDirectory(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("e2h-\(name)-\(UUID().uuidString)")
}

func tinyPolicy(seed: UInt64 = 3, context: Int = 96) throws -> TransformerModel {
    let config = TransformerConfig(vocabSize: 64, hiddenSize: 64, intermediateSize: 160, layerCount: 2,
                                   headCount: 4, maxPositions: context)
    let model = try TransformerModel(config: config)
    model.initializeWeights(seed: seed)
    return model
}

/// `policy` fine-tuned `steps` steps on the handful (batch 4, lr 3e-3, 10 warmup steps), its
/// trainer files in `directory`: 150 steps overfit it, 100 leave it writing answers, about half right.
func fineTuneOnHandful(_ policy: TransformerModel, steps: Int, directory: URL) throws -> [TrainingMetrics] {
    let builder = ExampleBuilder(tokenizer: vocabulary)
    let examples = try handful.enumerated().map { try builder.policyExample(prompt: $1.prompt, completion: $1.completion, source: "p\($0)") }
    var config = TrainerConfig()
    config.steps = steps
    config.batchSize = 4
    config.context = 96
    config.learningRate = 3e-3
    config.warmupSteps = 10
    config.checkpointEvery = 0
    config.evaluateEvery = 0
    return try Trainer(model: policy, config: config, training: examples, outputDirectory: directory, padID: vocabulary.padID,
                       quiet: true).run()
}

/// Four problems with fixed solutions.
let handful: [(prompt: String, completion: String)] = [
    ("12 + 7", ["12 + 7 = 19"], "19"), ("30 - 4", ["30 - 4 = 26"], "26"),
    ("6 * 3", ["6 * 3 = 18"], "18"), ("9 + 9 - 5", ["9 + 9 = 18", "18 - 5 = 13"], "13"),
].map { (SolutionFormat.prompt(problem: $0.0), SolutionFormat.completion(steps: $0.1, answer: $0.2)) }

@Suite("Policy training and sampling")
struct PolicyTrainingTests {
    @Test func overfitsAHandfulAndSamplesThemBackGreedily() throws {
        let model = try tinyPolicy()
        let directory = temporaryDirectory("overfit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let history = try fineTuneOnHandful(model, steps: 150, directory: directory)
        #expect(history.last!.loss < 0.05, "final loss \(history.last!.loss)")

        var sampling = SamplingConfig()
        sampling.temperature = 0
        sampling.samplesPerProblem = 2
        sampling.batchSlots = 3  // fewer slots than sequences: exercises slot reuse and prompt copies
        let sampler = Sampler(model: model, tokenizer: vocabulary, config: sampling)
        let jobs = handful.enumerated().map { SamplingJob(problemID: "p\($0)", prompt: $1.prompt) }
        let samples = try sampler.sample(jobs)
        #expect(samples.count == 8)
        for (i, sample) in samples.enumerated() {
            #expect(sample.problemID == "p\(i / 2)" && sample.sampleIndex == i % 2)
            #expect(sample.output == handful[i / 2].completion, "sample \(i): \(sample.output.debugDescription)")
            #expect(sample.finishReason == "eos" || sample.finishReason == "stop")
        }
        // The trained model was saved and loads back.
        let loaded = try TransformerModel.load(from: directory)
        #expect(Array(loaded.parameters) == Array(model.parameters))
    }

    @Test func resumeEqualsUninterruptedTraining() throws {
        let builder = ExampleBuilder(tokenizer: vocabulary)
        let examples = try handful.enumerated().map {
            try builder.policyExample(prompt: $1.prompt, completion: $1.completion, source: "p\($0)")
        }
        var config = TrainerConfig()
        config.steps = 8
        config.batchSize = 3  // not a divisor of 4: batches straddle epochs
        config.context = 96
        config.checkpointEvery = 3
        config.evaluateEvery = 4
        let straight = try tinyPolicy()
        let a = temporaryDirectory("straight"), b = temporaryDirectory("resumed")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        try Trainer(model: straight, config: config, training: examples, validation: examples, outputDirectory: a,
                    padID: vocabulary.padID, quiet: true).run()

        // Interrupted after 5 steps (the last checkpoint is at step 3), then resumed in a new process-like state.
        try Trainer(model: try tinyPolicy(), config: config, training: examples, validation: examples, outputDirectory: b,
                    padID: vocabulary.padID, quiet: true).run(stopAfter: 5)
        let resumedModel = try tinyPolicy(seed: 99)  // different init: everything must come from the checkpoint
        let resumed = try Trainer(model: resumedModel, config: config, training: examples, validation: examples,
                                  outputDirectory: b, padID: vocabulary.padID, quiet: true)
        try resumed.run()
        #expect(Array(resumedModel.parameters) == Array(straight.parameters))
        let metricsA = try String(contentsOf: a.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let metricsB = try String(contentsOf: b.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let strip = { (text: String) in text.split(separator: "\n").map { $0.replacingOccurrences(
            of: #""tokens_per_s":[0-9.e+-]+"#, with: "", options: .regularExpression) } }
        #expect(strip(metricsA) == strip(metricsB))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent("latest_checkpoint").path))
    }

    @Test func rejectsBadSettings() throws {
        let model = try tinyPolicy()
        let example = try ExampleBuilder(tokenizer: vocabulary).policyExample(prompt: "a", completion: "b", source: "x")
        var config = TrainerConfig()
        config.context = 1000
        #expect(throws: TrainingError.self) {
            try Trainer(model: model, config: config, training: [example], outputDirectory: temporaryDirectory("bad"),
                        padID: 0, quiet: true)
        }
        config.context = 64
        #expect(throws: TrainingError.self) {
            try Trainer(model: model, config: config, training: [], outputDirectory: temporaryDirectory("bad"),
                        padID: 0, quiet: true)
        }
        #expect(throws: (any Error).self) {
            try ExampleBuilder(tokenizer: vocabulary).policyExample(prompt: "ü", completion: "b", source: "x")
        }
    }
}
