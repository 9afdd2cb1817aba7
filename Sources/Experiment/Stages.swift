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
