// Stages 3-6: reward-model data from easy samples, the reward models, test samples and their scores.

import Datasets
import Foundation
import Kernels
import Training
import Transformer

extension Experiment {
    /// Easy training problems used for reward data: the first `rewardProblemsPerLevel` of each easy level.
    func rewardProblems(levels: [Int]) throws -> [Problem] {
        let train = try problems("train")
        return levels.flatMap { level in train.filter { $0.level == level }.prefix(config.rewardProblemsPerLevel) }
    }

    /// Stage 3: sample the policy on easy training problems and label the steps with the checker,
    /// the method's only supervision. For the reference only, the same on hard training problems.
    public func buildRewardData() throws {
        guard !run.isDone("reward-data") else { return }
        try run.makeFolders("reward-data")
        let byID = Dictionary(uniqueKeysWithValues: try problems("train").map { ($0.id, $0) })
        log("[3/7] sampling \(config.rewardSamplesPerProblem) solutions per easy training problem and labelling their steps")
        let easy = try rewardProblems(levels: config.easyLevels)
        let easySamples = try labelSamples(sample(easy, samples: config.rewardSamplesPerProblem, seed: config.seed &+ 3,
                                                  label: "sample easy"),
                                           problems: byID, allowedLevels: Set(config.easyLevels))
        try RecordWriter.write(easySamples, to: run.path("reward-data/easy.jsonl"))
        log(labelStatistics(easySamples, name: "easy"))
        if config.fullSupervisionReference {
            log("      reference only: the same on hard training problems (never used by the method)")
            let hard = try rewardProblems(levels: config.hardLevels)
            let hardSamples = try labelSamples(sample(hard, samples: config.rewardSamplesPerProblem, seed: config.seed &+ 4,
                                                      label: "sample hard"),
                                               problems: byID, allowedLevels: Set(1...5))
            try RecordWriter.write(hardSamples, to: run.path("reward-data/hard-reference.jsonl"))
            log(labelStatistics(hardSamples, name: "hard (reference)"))
        }
        try run.markDone("reward-data")
    }

    func labelStatistics(_ samples: [SampleRecord], name: String) -> String {
        let steps = samples.flatMap { $0.stepLabels ?? [] }
        let correct = samples.filter { $0.correct == true }.count
        return String(format: "      %@: %d samples, %.1f%% with a correct answer, %.1f%% of %d steps correct", name,
                      samples.count, 100 * Double(correct) / Double(max(1, samples.count)),
                      100 * Double(steps.filter { $0 == 1 }.count) / Double(max(1, steps.count)), steps.count)
    }

    /// Where the reward models start and whose likelihood they read: the evaluator's language model
    /// (`reward/base`), or the SFT policy itself when ``ExperimentConfig/evaluatorSteps`` is 0.
    var evaluatorBase: URL { run.url(config.evaluatorSteps > 0 ? "reward/base" : "policy/sft") }

    /// The evaluator's language model: trained ``ExperimentConfig/evaluatorSteps`` steps on the same
    /// easy solutions (no labels, no hard problem), from the pretrained model with its own data order
    /// (``EvaluatorStart/pretrained``) or from the SFT policy (``EvaluatorStart/policy``).
    func trainEvaluatorBase() throws {
        guard config.evaluatorSteps > 0, !run.isDone("reward-base") else { return }
        let model: TransformerModel
        switch config.evaluatorStart {
        case .pretrained where config.pretrainSteps > 0:
            log("[4/7] training the evaluator's language model: the pretrained model, \(config.evaluatorSteps) steps on the easy solutions")
            model = try TransformerModel.load(from: run.url("policy/pretrain"))
        case .pretrained:
            log("[4/7] training the evaluator's language model: a new model, \(config.evaluatorSteps) steps on the easy solutions")
            model = try TransformerModel(config: modelConfig)
            model.initializeWeights(seed: config.seed &+ 9)
        case .policy:
            log("[4/7] training the evaluator's language model: the SFT policy, \(config.evaluatorSteps) more steps on the easy solutions")
            model = try TransformerModel.load(from: run.url("policy/sft"))
        }
        let (training, validation) = holdOut(try easySolutionExamples(), every: 20)
        try Trainer(model: model, config: trainerConfig(steps: config.evaluatorSteps, objective: .languageModel,
                                                        learningRate: config.evaluatorLearningRate, seed: config.seed &+ 9),
                    training: training, validation: validation,
                    outputDirectory: run.url("reward/base"), padID: vocabulary.padID, label: "evaluator", quiet: quiet).run()
        try run.markDone("reward-base")
    }

    /// Stage 4 (and 5 for the reference): train each reward model from the evaluator's language model.
    public func trainRewardModels() throws {
        guard !run.isDone("reward-models") else { return }
        try trainEvaluatorBase()
        let byID = Dictionary(uniqueKeysWithValues: try problems("train").map { ($0.id, $0) })
        let easy = try RecordReader.readAll(SampleRecord.self, from: run.path("reward-data/easy.jsonl"),
                                            options: ReadOptions(strict: true)).records
        var jobs: [(name: String, kind: RewardKind, samples: [SampleRecord])] = Self.methodModels.map { ($0.rawValue, $0, easy) }
        if config.fullSupervisionReference {
            let hard = try RecordReader.readAll(SampleRecord.self, from: run.path("reward-data/hard-reference.jsonl"),
                                                options: ReadOptions(strict: true)).records
            jobs.append((Self.referenceModel, .prm, easy + hard))
        }
        var logProbs: [String: [[Float]]] = [:]  // by training set: easy, easy+hard
        for (index, job) in jobs.enumerated() {
            guard !run.isDone("reward-\(job.name)") else { continue }
            let examples = try rewardExamples(kind: job.kind, samples: job.samples, problems: byID, builder: builder,
                                              seed: config.seed &+ 5)
            log("[\(job.name == Self.referenceModel ? 5 : 4)/7] training \(job.name.uppercased()) on \(examples.count) examples"
                + (job.name == Self.referenceModel ? " (reference: labels on all levels)" : " (easy levels only)"))
            let model = try TransformerModel.load(from: evaluatorBase)
            var generator = SeededGenerator(seed: config.seed &+ 6)
            let shuffled = examples.shuffled(using: &generator)
            let split = max(1, shuffled.count / 10)
            try Trainer(model: model, config: trainerConfig(steps: config.rewardSteps, objective: .scalarHead,
                                                            learningRate: config.rewardLearningRate,
                                                            seed: config.seed &+ 7 &+ UInt64(index), evaluations: 1),
                        training: Array(shuffled.dropFirst(split)), validation: Array(shuffled.prefix(split)),
                        outputDirectory: run.url("reward/\(job.name)"), padID: vocabulary.padID, label: job.name,
                        quiet: quiet).run()
            if config.likelihoodFeatures {
                // Four weights need few examples: at most `calibrationSamples`, spread over the set.
                let stride = max(1, (job.samples.count + Self.calibrationSamples - 1) / Self.calibrationSamples)
                let subset = job.samples.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
                let set = job.name == Self.referenceModel ? "all" : "easy"
                if logProbs[set] == nil {
                    logProbs[set] = try evaluatorLogProbs(subset, problems: byID, label: "evaluator log-probs")
                }
                try calibrate(name: job.name, kind: job.kind, samples: subset, logProbs: logProbs[set]!, problems: byID)
            }
            try run.markDone("reward-\(job.name)")
        }
        try run.markDone("reward-models")
    }

    /// Names of the reward models of this run.
    public var rewardModelNames: [String] {
        Self.methodModels.map(\.rawValue) + (config.fullSupervisionReference ? [Self.referenceModel] : [])
    }

    /// Names in the report: the reward models, and the PRM without likelihood features when they are used.
    public var reportedModelNames: [String] {
        rewardModelNames + (config.likelihoodFeatures
            && FileManager.default.fileExists(atPath: run.path("test/scored-\(Self.rawModel).jsonl")) ? [Self.rawModel] : [])
    }

    /// Stage 6: N samples per test problem, graded (for evaluation only) and scored by every reward model.
    public func sampleAndScoreTest() throws {
        guard !run.isDone("test-samples") else { return }
        try run.makeFolders("test")
        let test = try problems("test")
        let byID = Dictionary(uniqueKeysWithValues: test.map { ($0.id, $0) })
        if !FileManager.default.fileExists(atPath: run.path("test/samples.jsonl")) {
            log("[6/7] sampling \(config.testSamples) solutions per test problem (\(test.count) problems)")
            let samples = gradeSamples(try sample(test, samples: config.testSamples, seed: config.seed &+ 8, label: "sample test"),
                                       problems: byID)
            try RecordWriter.write(samples, to: run.path("test/samples.jsonl"))
        }
        let samples = try RecordReader.readAll(SampleRecord.self, from: run.path("test/samples.jsonl"),
                                               options: ReadOptions(strict: true)).records
        var logProbs: [[Float]]?
        for name in rewardModelNames where !FileManager.default.fileExists(atPath: run.path("test/scored-\(name).jsonl")) {
            log("[6/7] scoring test samples with \(name.uppercased())")
            let raw = try rawScores(samples, problems: byID, name: name)
            var scored = samples
            for i in scored.indices { scored[i].stepScores = raw[i] }
            if let calibrator = try calibration(name) {
                if name == RewardKind.prm.rawValue { try RecordWriter.write(scored, to: run.path("test/scored-\(Self.rawModel).jsonl")) }
                if logProbs == nil { logProbs = try evaluatorLogProbs(samples, problems: byID, label: "evaluator log-probs") }
                let calibrated = try calibrator.apply(scores: raw, completions: samples.map(\.output), logProbs: logProbs!, tokenizer: vocabulary)
                for i in scored.indices { scored[i].stepScores = calibrated[i] }
            }
            try RecordWriter.write(scored, to: run.path("test/scored-\(name).jsonl"))
        }
        try run.markDone("test-samples")
    }
}
