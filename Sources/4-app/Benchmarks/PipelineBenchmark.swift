// Speed of the method's stages at the built-in benchmark's default model size (`e2h bench
// --pipeline`): policy and reward-model training tokens/s, sampling tokens/s at batch 64 with the
// KV cache, scoring tokens/s, and peak memory.

import Experiment
import Datasets
import Foundation
import Tokenizers
import Training
import Transformer

/// Figures of `benchmarkPipeline`. Rates are real (non-padding) tokens per second.
public struct PipelineBenchmarkResult: Codable, Sendable {
    public var model: ModelSize
    public var parameters: Int
    public var policyTrainTokensPerSecond: Double
    public var rewardTrainTokensPerSecond: Double
    public var samplingBatch: Int
    public var samplingTokensPerSecond: Double
    public var scoringTokensPerSecond: Double
    public var peakMemoryMiB: Double

    enum CodingKeys: String, CodingKey {
        case model, parameters
        case policyTrainTokensPerSecond = "policy_train_tokens_per_s"
        case rewardTrainTokensPerSecond = "reward_train_tokens_per_s"
        case samplingBatch = "sampling_batch"
        case samplingTokensPerSecond = "sampling_tokens_per_s"
        case scoringTokensPerSecond = "scoring_tokens_per_s"
        case peakMemoryMiB = "peak_rss_mib"
    }
}

/// Times each stage on generated level 1-5 problems with a freshly initialised model of `size`.
public func benchmarkPipeline(size: ModelSize = ExperimentConfig().model, steps: Int = 10, batch: Int = 32,
                              samplingBatch: Int = 64) throws -> PipelineBenchmarkResult {
    let vocabulary = CharacterVocabulary.benchmark
    let builder = ExampleBuilder(tokenizer: vocabulary)
    let problems = try BenchmarkGenerator(seed: 7).problems(countsByLevel: [1: 40, 2: 40, 3: 40, 4: 40, 5: 40])
    let completions = problems.map { SolutionFormat.completion(steps: SolutionFormat.splitSteps($0.solution ?? ""), answer: $0.answer) }
    let prompts = problems.map { SolutionFormat.prompt(problem: $0.problem) }
    let model = try TransformerModel(config: size.transformerConfig(vocabulary: vocabulary.vocabularySize))
    model.initializeWeights(seed: 1)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }

    func trainingRate(_ examples: [TrainingExample], objective: TrainingObjective) throws -> Double {
        var config = TrainerConfig()
        config.objective = objective
        config.steps = steps
        config.batchSize = batch
        config.context = size.context
        config.checkpointEvery = 0
        config.evaluateEvery = 0
        try? FileManager.default.removeItem(at: directory)
        let history = try Trainer(model: model, config: config, training: examples, outputDirectory: directory,
                                  padID: vocabulary.padID, quiet: true).run(resume: false)
        let rates = history.map(\.tokensPerSecond)
        return rates.reduce(0, +) / Double(max(1, rates.count))
    }
    let policyRate = try trainingRate(zip(prompts, completions).map {
        try builder.policyExample(prompt: $0, completion: $1, source: "bench")
    }, objective: .languageModel)
    let rewardRate = try trainingRate(zip(prompts, completions).map {
        try builder.rewardExample(prompt: $0, completion: $1, stepLabels: SolutionFormat.splitSteps($1).map { _ in true },
                                  outcome: true, source: "bench")
    }, objective: .scalarHead)

    var sampling = SamplingConfig()
    sampling.samplesPerProblem = 8
    sampling.batchSlots = samplingBatch
    sampling.maxNewTokens = 128
    let sampler = Sampler(model: model, tokenizer: vocabulary, config: sampling)
    _ = try sampler.sample(zip(problems, prompts).prefix(samplingBatch / 2).map { SamplingJob(problemID: $0.id, prompt: $1) })
    let samplingRate = Double(sampler.lastTokenCount) / max(sampler.lastSeconds, 1e-9)

    let scorer = Scorer(model: model, tokenizer: vocabulary, batchSize: batch)
    let items = Array(zip(prompts, completions)).map { (prompt: $0, completion: $1) }
    let start = Date()
    _ = try scorer.scores(items + items)
    let scoredTokens = 2 * items.reduce(0) { $0 + $1.prompt.unicodeScalars.count + $1.completion.unicodeScalars.count + 2 }
    let scoringRate = Double(scoredTokens) / Date().timeIntervalSince(start)

    return PipelineBenchmarkResult(model: size, parameters: model.parameterCount, policyTrainTokensPerSecond: policyRate,
                                   rewardTrainTokensPerSecond: rewardRate, samplingBatch: samplingBatch,
                                   samplingTokensPerSecond: samplingRate, scoringTokensPerSecond: scoringRate,
                                   peakMemoryMiB: peakResidentMemoryMiB())
}
