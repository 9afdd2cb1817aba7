// Stages 3-6: reward-model data from easy samples, the reward models, test samples and their scores.

import Datasets
import Foundation
import Kernels
import Training
import Transformer

extension Experiment {
    /// Easy training problems used for reward data: the first `rewardProblemsPerLevel` of each easy level.
    func rewardProblems(levels: [Int]) throws -> [Problem] {
        let train = try problems(.train)
        return levels.flatMap { level in train.filter { $0.level == level }.prefix(config.rewardProblemsPerLevel) }
    }

    /// Stage 3: sample the policy on easy training problems and label the steps with the checker,
    /// the method's only supervision. For the reference only, the same on hard training problems.
    /// Beside it (``inLanes(_:)``), the jobs that need only the policy: the evaluator's language
    /// model and the test samples of stage 6. Lanes: the evaluator, then the reference samples;
    /// the easy samples, then the test samples (about the same time each).
    public func buildRewardData() throws {
        guard !run.isDone(.rewardData) else { return }
        try run.makeFolders("reward-data")
        let byID = Dictionary(uniqueKeysWithValues: try problems(.train).map { ($0.id, $0) })
        let evaluatorPending = config.evaluatorSteps > 0 && !run.isDone(.evaluatorBase)
        log("\(RunStep.rewardData.prefix) reward data; beside it" + (evaluatorPending ? " the evaluator's language model \(RunStep.rewardModels.prefix) and" : "")
            + " the test samples \(RunStep.test.prefix), which need only the policy")
        try inLanes([
            LaneJob(showsProgress: true) { quiet in
                try self.trainEvaluatorBase(quiet: quiet)
                if self.config.fullSupervisionReference {
                    try self.sampleRewardData(levels: self.config.hardLevels, allowedLevels: Set(1...5), seed: self.config.seed &+ 4,
                                              file: self.run.hardReferenceSamples, name: "hard (reference)",
                                              problems: byID, quiet: quiet)
                }
            },
            LaneJob { quiet in
                try self.sampleRewardData(levels: self.config.easyLevels, allowedLevels: Set(self.config.easyLevels),
                                          seed: self.config.seed &+ 3, file: self.run.easyRewardSamples, name: "easy",
                                          problems: byID, quiet: quiet)
                try self.sampleTest(quiet: quiet)
            },
        ])
        try run.markDone(.rewardData)
    }

    /// Samples the policy on the reward problems of `levels` and labels every step with the checker
    /// (which refuses levels outside `allowedLevels`); skipped when `file` exists.
    func sampleRewardData(levels: [Int], allowedLevels: Set<Int>, seed: UInt64, file: URL, name: String,
                          problems byID: [String: Problem], quiet: Bool) throws {
        guard !FileManager.default.fileExists(atPath: file.path) else { return }
        log("\(RunStep.rewardData.prefix) sampling \(config.rewardSamplesPerProblem) solutions per \(name) training problem and labelling their steps"
            + (name == "easy" ? "" : " (never used by the method)"))
        let samples = try labelSamples(sample(rewardProblems(levels: levels), samples: config.rewardSamplesPerProblem,
                                              seed: seed, label: "sample \(name)", quiet: quiet),
                                       problems: byID, allowedLevels: allowedLevels)
        try RecordWriter.write(samples, to: file.path)
        log(labelStatistics(samples, name: name))
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
    var evaluatorBase: URL { config.evaluatorSteps > 0 ? run.evaluatorBase : run.policy }

    /// The evaluator's language model: trained ``ExperimentConfig/evaluatorSteps`` steps on the same
    /// easy solutions (no labels, no hard problem), from the pretrained model with its own data order
    /// (``EvaluatorStart/pretrained``) or from the SFT policy (``EvaluatorStart/policy``).
    /// `quiet`: no progress bar (a job beside another, ``inLanes(_:)``).
    func trainEvaluatorBase(quiet: Bool) throws {
        guard config.evaluatorSteps > 0, !run.isDone(.evaluatorBase) else { return }
        let model: TransformerModel
        switch config.evaluatorStart {
        case .pretrained where base != nil && config.pretrainSteps == 0:
            log("\(RunStep.rewardModels.prefix) training the evaluator's language model: the base model, \(config.evaluatorSteps) steps on the easy solutions")
            model = try base!.model()
        case .pretrained where config.pretrainSteps > 0:
            log("\(RunStep.rewardModels.prefix) training the evaluator's language model: the pretrained model, \(config.evaluatorSteps) steps on the easy solutions")
            model = try TransformerModel.load(from: run.pretrainedPolicy)
        case .pretrained:
            log("\(RunStep.rewardModels.prefix) training the evaluator's language model: a new model, \(config.evaluatorSteps) steps on the easy solutions")
            model = try TransformerModel(config: modelConfig)
            model.initializeWeights(seed: config.seed &+ 9)
        case .policy:
            log("\(RunStep.rewardModels.prefix) training the evaluator's language model: the SFT policy, \(config.evaluatorSteps) more steps on the easy solutions")
            model = try TransformerModel.load(from: run.policy)
        }
        let metrics = try finetunePolicyStage(
            model: model, tokenizer: vocabulary, bundle: bundleManifest(writingInto: run.evaluatorBase), solutions: try easySolutions(),
            trainer: trainerConfig(steps: config.evaluatorSteps, objective: .languageModel,
                                   learningRate: config.evaluatorLearningRate, seed: config.seed &+ 9),
            out: run.evaluatorBase, label: "evaluator", quiet: quiet).metrics
        if quiet, let last = metrics.last(where: { $0.validationLoss != nil }) {
            log(String(format: "      the evaluator's language model is trained: validation loss %.4f", last.validationLoss ?? .nan))
        }
        try run.markDone(.evaluatorBase)
    }

    /// Stage 4 (and 5 for the reference): train each reward model from the evaluator's language
    /// model, two at a time (``inLanes(_:)``).
    public func trainRewardModels() throws {
        guard !run.isDone(.rewardModels) else { return }
        try trainEvaluatorBase(quiet: quiet)
        let byID = Dictionary(uniqueKeysWithValues: try problems(.train).map { ($0.id, $0) })
        let easy = try RecordReader.readAll(SampleRecord.self, from: run.easyRewardSamples.path,
                                            options: ReadOptions(strict: true)).records
        var jobs: [(name: String, kind: RewardKind, samples: [SampleRecord], set: String)] =
            Self.methodModels.map { ($0.rawValue, $0, easy, "easy") }
        if config.fullSupervisionReference {
            let hard = try RecordReader.readAll(SampleRecord.self, from: run.hardReferenceSamples.path,
                                                options: ReadOptions(strict: true)).records
            jobs.append((Self.referenceModel, .prm, easy + hard, "all"))
        }
        let seeds = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.name, config.seed &+ 7 &+ UInt64($0)) })
        jobs.removeAll { run.isDone(.rewardModel($0.name)) }
        // The evaluator's log-probs of each training set's calibration subset, read by every model of that set.
        var calibrationSets: [String: (samples: [SampleRecord], logProbs: [[Float]])] = [:]
        if config.likelihoodFeatures {
            for job in jobs where calibrationSets[job.set] == nil {
                // Four weights need few examples: at most `calibrationSamples`, spread over the set.
                let stride = max(1, (job.samples.count + Self.calibrationSamples - 1) / Self.calibrationSamples)
                let subset = job.samples.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
                calibrationSets[job.set] = (subset, try evaluatorLogProbs(subset, problems: byID, label: "evaluator log-probs",
                                                                           quiet: quiet))
            }
        }
        if jobs.count > 1 { log("\(RunStep.rewardModels.prefix) training \(jobs.map { $0.name.uppercased() }.joined(separator: ", ")), two at a time") }
        try inLanes(jobs.map { job in
            LaneJob { quiet in
                let reference = job.name == Self.referenceModel
                let (last, _) = try trainRewardStage(
                    kind: job.kind, samples: job.samples, problems: byID, base: self.evaluatorBase,
                    out: self.run.rewardModel(job.name),
                    trainer: self.trainerConfig(steps: self.config.rewardSteps, objective: .scalarHead,
                                                learningRate: self.config.rewardLearningRate, seed: seeds[job.name]!, evaluations: 1),
                    exampleSeed: self.config.seed &+ 5, splitSeed: self.config.seed &+ 6, label: job.name, quiet: quiet) { count in
                    self.log("\((reference ? RunStep.reference : RunStep.rewardModels).prefix) training \(job.name.uppercased()) on \(count) examples"
                             + (reference ? " (reference: labels on all levels)" : " (easy levels only)"))
                }
                if quiet, let last {
                    self.log(String(format: "      %@ trained: validation loss %.4f, accuracy %.3f", job.name.uppercased(),
                                    last.validationLoss ?? .nan, last.validationAccuracy ?? .nan))
                }
                if let set = calibrationSets[job.set] {
                    try self.calibrate(name: job.name, kind: job.kind, samples: set.samples, logProbs: set.logProbs,
                                       problems: byID, quiet: quiet)
                }
                try self.run.markDone(.rewardModel(job.name))
            }
        })
        try run.markDone(.rewardModels)
    }

    /// Names of the reward models of this run.
    public var rewardModelNames: [String] {
        Self.methodModels.map(\.rawValue) + (config.fullSupervisionReference ? [Self.referenceModel] : [])
    }

    /// Names in the report: the reward models, and the PRM without likelihood features when they are used.
    public var reportedModelNames: [String] {
        rewardModelNames + (config.likelihoodFeatures
            && FileManager.default.fileExists(atPath: run.scoredSamples(Self.rawModel).path) ? [Self.rawModel] : [])
    }

    /// The test samples of stage 6, graded for evaluation only (drawn in stage 3, beside the
    /// evaluator's training, since they need only the policy).
    func sampleTest(quiet: Bool) throws {
        guard !FileManager.default.fileExists(atPath: run.testSamples.path) else { return }
        try run.makeFolders("test")
        let test = try problems(.test)
        log("\(RunStep.test.prefix) sampling \(config.testSamples) solutions per test problem (\(test.count) problems)")
        let samples = gradeSamples(try sample(test, samples: config.testSamples, seed: config.seed &+ 8, label: "sample test",
                                              quiet: quiet),
                                   problems: Dictionary(uniqueKeysWithValues: test.map { ($0.id, $0) }))
        try RecordWriter.write(samples, to: run.testSamples.path)
    }

    /// Stage 6: N samples per test problem, graded (for evaluation only) and scored by every reward
    /// model, two models at a time (``inLanes(_:)``).
    public func sampleAndScoreTest() throws {
        guard !run.isDone(.testSamples) else { return }
        try sampleTest(quiet: quiet)
        let test = try problems(.test)
        let byID = Dictionary(uniqueKeysWithValues: test.map { ($0.id, $0) })
        let samples = try RecordReader.readAll(SampleRecord.self, from: run.testSamples.path,
                                               options: ReadOptions(strict: true)).records
        let names = rewardModelNames.filter { !FileManager.default.fileExists(atPath: run.scoredSamples($0).path) }
        let calibrators = try Dictionary(uniqueKeysWithValues: names.map { ($0, try calibration($0)) })
        // The evaluator's log-probs of the test samples, read by every calibrated model.
        let logProbs = calibrators.values.contains { $0 != nil }
            ? try evaluatorLogProbs(samples, problems: byID, label: "evaluator log-probs", quiet: quiet) : nil
        if !names.isEmpty { log("\(RunStep.test.prefix) scoring test samples with \(names.map { $0.uppercased() }.joined(separator: ", "))") }
        try inLanes(names.map { name in
            LaneJob { quiet in
                let raw = try self.rawScores(samples, problems: byID, name: name, quiet: quiet)
                var scored = samples
                for i in scored.indices { scored[i].stepScores = raw[i] }
                if let calibrator = calibrators[name] ?? nil, let logProbs {
                    if name == RewardKind.prm.rawValue {
                        try RecordWriter.write(scored, to: self.run.scoredSamples(Self.rawModel).path)
                    }
                    let calibrated = try calibrator.apply(scores: raw, completions: samples.map(\.output), logProbs: logProbs,
                                                          tokenizer: self.vocabulary)
                    for i in scored.indices { scored[i].stepScores = calibrated[i] }
                }
                try RecordWriter.write(scored, to: self.run.scoredSamples(name).path)
                if quiet { self.log("      scored with \(name.uppercased())") }
            }
        })
        try run.markDone(.testSamples)
    }
}
