// `e2h run`: the whole easy-to-hard experiment on the built-in benchmark (DESIGN.md, "Data flow").
// Each stage reads and writes files in the run directory and is skipped when already done.

import Datasets
import Foundation
import GEMM
import Tokenizers
import Training
import Transformer

/// Runs the stages of the experiment in order.
public final class Experiment {
    public let config: ExperimentConfig
    public let run: RunDirectory
    let vocabulary: any Tokenizer
    /// The pretrained model of ``ExperimentConfig/baseModel``, if any (``PretrainedBase``).
    let base: PretrainedBase?
    let builder: ExampleBuilder
    let log: (String) -> Void
    let quiet: Bool

    /// The reward models the run trains: the method's three, and the reference.
    public static let methodModels: [RewardKind] = [.prm, .orm, .oprm]
    public static let referenceModel = "prm-full"
    /// The easy-trained PRM without likelihood features, reported for comparison when they are used.
    public static let rawModel = "prm-raw"
    /// Most labelled samples the likelihood calibration of one reward model reads.
    static let calibrationSamples = 1_000

    public init(config: ExperimentConfig, directory: URL, quiet: Bool = false, log: @escaping (String) -> Void) throws {
        self.config = config
        run = RunDirectory(directory)
        base = try config.baseModel.map(PretrainedBase.init(path:))
        vocabulary = base?.tokenizer ?? config.tokenizer.tokenizer
        builder = ExampleBuilder(tokenizer: vocabulary)
        self.log = log
        self.quiet = quiet
        try config.sampler?.validate(in: config)
        if let matmul = config.matmul {
            guard let precision = MatmulPrecision(rawValue: matmul) else {
                throw ExperimentError.invalid("config: matmul must be fp32 or bf16; found \(matmul)")
            }
            MatmulPrecision.processDefault = precision
        }
        try run.bind(config)
    }

    /// `bundle.json` of every model the run writes.
    var bundleManifest: BundleManifest { .benchmark(config.tokenizer) }

    var modelConfig: TransformerConfig { config.model.transformerConfig(vocabulary: vocabulary.vocabularySize) }

    /// Stage 1: the benchmark's train and test problems and the pretraining corpus.
    public func generateData() throws {
        guard !run.isDone(.data) else { return }
        log("\(RunStep.data.prefix) generating the benchmark")
        try run.makeFolders("data")
        let generator = BenchmarkGenerator(config: config.benchmark, seed: config.seed)
        // One pool of distinct problems per level, split at random: test follows training's distribution.
        let (train, test) = try generator.split(trainCountsByLevel: counts(config.trainProblemsPerLevel),
                                                testCountsByLevel: counts(config.testProblemsPerLevel))
        try RecordWriter.write(test, to: run.problems(.test).path)
        try RecordWriter.write(train, to: run.problems(.train).path)
        try RecordWriter.write(generator.pretrainingDocuments(count: config.pretrainingDocuments),
                               to: run.pretrainingCorpus.path)
        log("      \(train.count) train problems, \(test.count) test problems, \(config.pretrainingDocuments) pretraining documents")
        try run.markDone(.data)
    }

    func counts(_ perLevel: [Int]) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: perLevel.enumerated().map { ($0.offset + 1, $0.element) }.filter { $0.1 > 0 })
    }

    func problems(_ split: ProblemSplit) throws -> [Problem] {
        try RecordReader.readAll(Problem.self, from: run.problems(split).path, options: ReadOptions(strict: true)).records
    }

    /// A trainer's settings for a stage of this run (``stageTrainer(steps:batchSize:context:learningRate:seed:objective:evaluations:)``);
    /// reward models validate once, since each pass costs as much as a tenth of their training.
    func trainerConfig(steps: Int, objective: TrainingObjective, learningRate: Float, seed: UInt64,
                       batchSize: Int? = nil, evaluations: Int = 4) -> TrainerConfig {
        stageTrainer(steps: steps, batchSize: batchSize ?? config.batchSize, context: config.model.context,
                     learningRate: learningRate, seed: seed, objective: objective, evaluations: evaluations)
    }

    /// Pretraining's settings: `e2h train policy` with the same numbers reproduces them.
    var pretrainTrainer: TrainerConfig {
        trainerConfig(steps: config.pretrainSteps, objective: .languageModel, learningRate: config.learningRate,
                      seed: config.seed, batchSize: config.pretrainBatchSize, evaluations: 2)
    }

    /// SFT's settings (its data order is drawn from seed + 1, as `e2h train policy` does).
    var sftTrainer: TrainerConfig {
        trainerConfig(steps: config.sftSteps, objective: .languageModel, learningRate: config.sftLearningRate,
                      seed: config.seed &+ 1)
    }

    /// Stage 2: pretraining on the unlabelled corpus, then SFT on easy solutions only; the same
    /// stage functions as `e2h train policy` (``pretrainPolicyStage``, ``finetunePolicyStage``).
    public func trainPolicy() throws {
        guard !run.isDone(.policy) else { return }
        if let sampler = config.sampler { return try skipPolicyTraining(sampler) }
        let model = try initialPolicy()
        if config.pretrainSteps > 0 {
            log("\(RunStep.policy.prefix) pretraining the policy on \(config.pretrainingDocuments) unlabelled documents (\(model.parameterCount) parameters)")
            let documents = try RecordReader.readAll(TextDocument.self, from: run.pretrainingCorpus.path).records
            try pretrainPolicyStage(model: model, tokenizer: vocabulary, bundle: bundleManifest(writingInto: run.pretrainedPolicy), documents: documents,
                                    trainer: pretrainTrainer, out: run.pretrainedPolicy, quiet: quiet)
        }
        let solutions = try easySolutions()
        log("\(RunStep.policy.prefix) supervised fine-tuning: \(sftTrainer.steps) steps of \(sftTrainer.batchSize) sequences "
            + "drawn from \(solutions.count) easy solutions (levels \(config.easyLevels))")
        let manifest = try bundleManifest(writingInto: run.policy)
        let sft = { (quiet: Bool) in
            try finetunePolicyStage(model: model, tokenizer: self.vocabulary, bundle: manifest, solutions: solutions,
                                    trainer: self.sftTrainer, out: self.run.policy, quiet: quiet)
        }
        if trainsEvaluatorAlongside {
            if !run.isDone(.evaluatorBase) {
                log("      the evaluator's language model trains alongside from the pretrained model "
                    + "(\(config.evaluatorSteps) steps in its own order, one lane each)")
            }
            try inLanes([LaneJob(showsProgress: true, body: { _ = try sft($0) }), LaneJob { try self.trainEvaluatorBase(quiet: $0) }])
        } else {
            _ = try sft(quiet)
        }
        try run.markDone(.policy)
    }

    /// Whether the evaluator's language model trains during SFT: it starts from the pretrained
    /// model, so it need not wait for the policy (``inLanes(_:)``). Depends on the configuration
    /// only, so that a resumed SFT runs under the same core cap as an uninterrupted one.
    var trainsEvaluatorAlongside: Bool {
        config.evaluatorStart == .pretrained && config.pretrainSteps > 0 && config.evaluatorSteps > 0
    }

    /// The policy's SFT data: every easy training problem with its canonical solution.
    func easySolutions() throws -> [PolicySolution] {
        let easy = Set(config.easyLevels)
        return try problems(.train).filter { easy.contains($0.level) }.map {
            PolicySolution(id: $0.id, problem: $0.problem, steps: SolutionFormat.splitSteps($0.solution ?? ""),
                           answer: $0.answer, level: $0.level)
        }
    }

    func sampler(samples: Int, seed: UInt64) throws -> Sampler {
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = samples
        sampling.temperature = config.temperature
        sampling.topK = config.topK
        sampling.maxNewTokens = config.model.context
        sampling.seed = seed
        sampling.batchSlots = 128
        return Sampler(model: try TransformerModel.load(from: run.policy), tokenizer: vocabulary, config: sampling)
    }

    /// `quiet`: no progress bar (a job beside another, ``inLanes(_:)``).
    func sample(_ problems: [Problem], samples: Int, seed: UInt64, label: String, quiet: Bool) throws -> [SampleRecord] {
        if let sampler = config.sampler { return try sampleRemotely(sampler, problems, samples: samples, seed: seed, label: label, quiet: quiet) }
        let sampler = try sampler(samples: samples, seed: seed)
        let progress = ProgressReporter(label: label, total: problems.count * samples, quiet: quiet)
        let records = try sampler.sample(problems.map { SamplingJob(problemID: $0.id, prompt: SolutionFormat.prompt(problem: $0.problem)) },
                                         progress: progress)
        log(String(format: "      %@: %d samples, %.0f tokens/s", label, records.count, Double(sampler.lastTokenCount) / max(sampler.lastSeconds, 1e-9)))
        return records
    }
}
