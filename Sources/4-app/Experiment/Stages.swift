// Stage pieces written once and called by both `e2h run` and the stand-alone commands, so that a
// fix lands in both paths (DESIGN.md: "one implementation per stage").

import Datasets
import Foundation
import Support
import Tokenizers
import Training
import Transformer

/// The reward-model stage: examples from labelled samples (ORM and OPRM outcome examples balanced
/// per question with `exampleSeed`), a seeded split with a tenth held out for validation
/// (`splitSeed`), training from the model bundle `base`, and the bundle written beside the result.
///
/// - Returns: the validation metrics of the last report, and the number of examples.
@discardableResult
func trainRewardStage(kind: RewardKind, samples: [SampleRecord], problems: [String: Problem], base: URL, out: URL,
                      trainer: TrainerConfig, exampleSeed: UInt64, splitSeed: UInt64, label: String, quiet: Bool,
                      announce: (Int) -> Void = { _ in }) throws -> (metrics: TrainingMetrics?, examples: Int) {
    let bundle = try ModelBundle.load(from: base)
    let examples = try rewardExamples(kind: kind, samples: samples, problems: problems,
                                      builder: ExampleBuilder(tokenizer: bundle.tokenizer), seed: exampleSeed,
                                      format: bundle.prompt(problem:))
    let manifest = try bundle.writeTokenizer(into: out)
    announce(examples.count)
    var generator = SeededGenerator(seed: splitSeed)
    let shuffled = examples.shuffled(using: &generator)
    let split = max(1, shuffled.count / 10)
    var config = trainer
    config.objective = .scalarHead
    let metrics = try Trainer(model: bundle.model, config: config, training: Array(shuffled.dropFirst(split)),
                              validation: Array(shuffled.prefix(split)), outputDirectory: out,
                              padID: bundle.tokenizer.padID, bundle: manifest, label: label, quiet: quiet).run()
    return (metrics.last(where: { $0.validationLoss != nil }), examples.count)
}

/// The trainer settings of one stage of `e2h run` and the defaults of `e2h train`: warmup a tenth
/// of the steps (1 to 50), a checkpoint every quarter of the run (at least 50 steps apart), and
/// `evaluations` validation passes spread over the run (the last at the end; 1: at the end only).
public func stageTrainer(steps: Int, batchSize: Int, context: Int, learningRate: Float, seed: UInt64,
                         objective: TrainingObjective = .languageModel, evaluations: Int = 4) -> TrainerConfig {
    var t = TrainerConfig()
    t.objective = objective
    t.steps = steps
    t.batchSize = batchSize
    t.context = context
    t.learningRate = learningRate
    t.warmupSteps = max(1, min(50, steps / 10))
    t.seed = seed
    t.checkpointEvery = max(50, steps / 4)
    t.evaluateEvery = evaluations > 1 ? max(25, steps / evaluations) : 0
    return t
}

/// The pretraining half of the policy stage: next-token loss on every token of unlabelled
/// documents, every twentieth held out for validation; the model is trained in place and written
/// to `out` (resumes from `out`'s last checkpoint).
func pretrainPolicyStage(model: TransformerModel, tokenizer: any Tokenizer, bundle: BundleManifest,
                         documents: [TextDocument], trainer: TrainerConfig, out: URL, quiet: Bool) throws {
    let builder = ExampleBuilder(tokenizer: tokenizer)
    let examples = try documents.enumerated().map { try builder.documentExample($1.text, source: "doc\($0)") }
    let (training, validation) = holdOut(examples, every: 20)
    try Trainer(model: model, config: trainer, training: training, validation: validation, outputDirectory: out,
                padID: tokenizer.padID, bundle: bundle, label: "pretrain", quiet: quiet).run()
}

/// The supervised half of the policy stage: loss on the solution tokens of each (problem, worked
/// solution) in the paper's format, every twentieth held out for validation; the model is trained
/// in place and written to `out`.
/// - Returns: the training metrics, and the number of solutions trained on and held out.
@discardableResult
func finetunePolicyStage(model: TransformerModel, tokenizer: any Tokenizer, bundle: BundleManifest,
                         solutions: [PolicySolution], trainer: TrainerConfig, out: URL, label: String = "sft",
                         quiet: Bool) throws -> (metrics: [TrainingMetrics], training: Int, validation: Int) {
    let builder = ExampleBuilder(tokenizer: tokenizer)
    let examples = try solutions.map {
        try builder.policyExample(prompt: bundle.prompt(problem: $0.problem),
                                  completion: bundle.completion(steps: $0.steps, answer: $0.answer), source: $0.id)
    }
    let (training, validation) = holdOut(examples, every: 20)
    let metrics = try Trainer(model: model, config: trainer, training: training, validation: validation, outputDirectory: out,
                              padID: tokenizer.padID, bundle: bundle, label: label, quiet: quiet).run()
    return (metrics, training.count, validation.count)
}

/// A worked solution the policy is fine-tuned on.
struct PolicySolution {
    var id: String
    var problem: String
    var steps: [String]
    var answer: String
    var level: Int?
}
