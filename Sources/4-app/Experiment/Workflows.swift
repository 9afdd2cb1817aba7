// The stages of the method as stand-alone commands on files (`e2h train policy`, `e2h sample`,
// `e2h label`, `e2h train reward`, `e2h score`), so any stage can be rerun or fed from outside.

import Datasets
import Foundation
import Grading
import Tokenizers
import Training
import Transformer

/// A supervised solution as the SFT reader accepts it: a problem record with a `solution` (steps
/// separated by blank lines, as the built-in benchmark writes) and an `answer`, or a solution
/// record with `steps` and `answer` (as `e2h data convert` writes); `level` when it has one.
struct SolutionInput: Decodable {
    var solution: PolicySolution

    enum CodingKeys: String, CodingKey { case id, problemID = "problem_id", problem, steps, solution, answer, level }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let problem = try c.decode(String.self, forKey: .problem)
        let answer = try c.decode(String.self, forKey: .answer)
        let id = try c.decodeIfPresent(String.self, forKey: .id) ?? c.decodeIfPresent(String.self, forKey: .problemID) ?? ""
        let steps: [String]
        if let given = try c.decodeIfPresent([String].self, forKey: .steps) {
            steps = given
        } else if let text = try c.decodeIfPresent(String.self, forKey: .solution) {
            steps = SolutionFormat.splitSteps(text)
        } else {
            throw DecodingError.keyNotFound(CodingKeys.steps, .init(codingPath: [], debugDescription: "needs `steps` or `solution`"))
        }
        solution = PolicySolution(id: id, problem: problem, steps: steps, answer: answer,
                                  level: try c.decodeIfPresent(Int.self, forKey: .level))
    }
}

/// Reads every record of a JSONL file, failing at the first bad line with its file, line and field.
func readStrict<T: Decodable>(_ type: T.Type, _ path: String) throws -> [T] {
    try RecordReader.readAll(type, from: path, options: ReadOptions(strict: true)).records
}

/// Loads a model bundle (config, weights, `bundle.json`): the tokenizer is the one the model was
/// written with, never guessed.
func loadBundle(_ directory: URL) throws -> (model: TransformerModel, tokenizer: any Tokenizer, manifest: BundleManifest) {
    let bundle = try ModelBundle.load(from: directory)
    return (bundle.model, bundle.tokenizer, bundle.manifest)
}

/// Completes the samples of a chat-format model: no `# Answer` line, so the answer is the grader's
/// extraction from the prose (`\boxed{}` or the last value). Paper-format samples are unchanged.
func withChatAnswers(_ samples: [SampleRecord], format: PromptFormat) -> [SampleRecord] {
    guard format != .paper else { return samples }
    return samples.map { sample in
        var s = sample
        // A sample cut at its token limit keeps only an answer stated before the cut (its last number may be cut too).
        if s.answer == nil { s.answer = extractAnswer(from: s.output, cutAtTokenLimit: s.finishReason == FinishReason.length.rawValue)?.text }
        return s
    }
}

/// `e2h train policy`: optional pretraining on documents (written to `out/pretrain`), then SFT on
/// the solutions of `levels` (all when nil); writes the model to `out`. The same stage functions as
/// `e2h run`'s policy stage, so the run's settings and inputs give the run's checkpoint bytes.
/// A new model uses `tokenizer` and is initialised from `seed`; a model from `initialModel` keeps
/// its own tokenizer.
public func trainPolicy(solutions: String, levels: Set<Int>? = nil, pretrainDocuments: String?, pretraining: TrainerConfig?,
                        out: URL, initialModel: URL?, size: ModelSize, tokenizer: TokenizerKind = .numbers, seed: UInt64,
                        trainer: TrainerConfig, quiet: Bool = false, log: (String) -> Void) throws {
    let model: TransformerModel, vocabulary: any Tokenizer, manifest: BundleManifest
    if let initialModel {
        let bundle = try ModelBundle.load(from: initialModel)
        (model, vocabulary) = (bundle.model, bundle.tokenizer)
        manifest = try bundle.writeTokenizer(into: out)
    } else {
        vocabulary = tokenizer.tokenizer
        manifest = .benchmark(tokenizer)
        model = try TransformerModel(config: size.transformerConfig(vocabulary: vocabulary.vocabularySize))
        model.initializeWeights(seed: seed)
    }
    log("policy: \(model.parameterCount) parameters, context \(model.config.maxPositions)")
    var inputs = try readStrict(SolutionInput.self, solutions).map(\.solution)
    if let levels {
        if let unlevelled = inputs.first(where: { $0.level == nil }) {
            throw ExperimentError.invalid("\(solutions): solution \(unlevelled.id) has no `level`, so --levels cannot select it")
        }
        inputs = inputs.filter { levels.contains($0.level!) }
        guard !inputs.isEmpty else {
            throw ExperimentError.invalid("\(solutions): no solution of levels \(levels.sorted())")
        }
    }
    if let pretrainDocuments, let pretraining, pretraining.steps > 0 {
        let documents = try readStrict(TextDocument.self, pretrainDocuments)
        log("pretraining on \(documents.count) documents for \(pretraining.steps) steps (every 20th held out)")
        try pretrainPolicyStage(model: model, tokenizer: vocabulary, bundle: manifest, documents: documents,
                                trainer: pretraining, out: out.appendingPathComponent("pretrain"), quiet: quiet)
    }
    log("fine-tuning on \(inputs.count) solutions (every 20th held out) for \(trainer.steps) steps")
    try finetunePolicyStage(model: model, tokenizer: vocabulary, bundle: manifest, solutions: inputs, trainer: trainer,
                            out: out, quiet: quiet)
    log("saved \(out.path)/\(TransformerModel.weightsFileName)")
}

/// `e2h sample`: N samples per problem; writes a samples JSONL (graded when problems have answers).
/// A model in a chat format (`promptFormat`, or its chat template) gets chat prompts, stops at
/// the end of its turn (the paper's answer-line rule is dropped) and its answers are extracted
/// from the prose. With `keepQuantized` (the default), a GGUF file's Q4_0 / Q4_1 / Q8_0 matrices
/// are computed on as stored (as `e2h generate`); false dequantizes them to Float at load.
public func sampleProblems(model: URL, problems: String, out: String, sampling: SamplingConfig,
                           promptFormat: PromptFormat? = nil, keepQuantized: Bool = true, quiet: Bool = false,
                           log: (String) -> Void) throws {
    let records = try readStrict(Problem.self, problems)
    let bundle = try ModelBundle.load(from: model, promptFormat: promptFormat, keepQuantized: keepQuantized)
    if let weights = bundle.model.quantizedWeights {
        log(String(format: "computing on the file's quantized blocks (%d matrices, %.0f MB; --float-weights loads float32)",
                   weights.names.count, Double(weights.byteCount) / 1e6))
    }
    var config = sampling
    if bundle.promptFormat != .paper { config.stopRules.removeAll { $0 == .answerLine } }
    let sampler = Sampler(model: bundle.model, tokenizer: bundle.tokenizer, config: config, stopTokenIDs: bundle.stopTokenIDs)
    let progress = ProgressReporter(label: "sample", total: records.count * sampling.samplesPerProblem, quiet: quiet)
    let samples = withChatAnswers(try sampler.sample(records.map { SamplingJob(problemID: $0.id, prompt: bundle.prompt(problem: $0.problem)) },
                                                     progress: progress), format: bundle.promptFormat)
    let graded = gradeSamples(samples, problems: Dictionary(records.map { ($0.id, $0) }) { a, _ in a })
    try RecordWriter.write(graded, to: out)
    log(String(format: "wrote %d samples to %@ (%.0f tokens/s)", graded.count, out,
               Double(sampler.lastTokenCount) / max(sampler.lastSeconds, 1e-9)))
}

/// `e2h label`: the built-in benchmark's step checker on samples of allowed levels.
public func labelSampleFile(problems: String, samples: String, out: String, levels: Set<Int>, log: (String) -> Void) throws {
    let byID = Dictionary(try readStrict(Problem.self, problems).map { ($0.id, $0) }) { a, _ in a }
    let labelled = try labelSamples(try readStrict(SampleRecord.self, samples), problems: byID, allowedLevels: levels)
    try RecordWriter.write(labelled, to: out)
    log("labelled \(labelled.count) samples (levels \(levels.sorted())) into \(out)")
}

/// `e2h label --method mc`: Monte-Carlo step labels from the policy `model` (``monteCarloLabels``);
/// with `compareChecker`, also the checker's labels of the same samples and how the two agree
/// (built-in benchmark problems only). `keepQuantized`: as ``sampleProblems(model:problems:out:sampling:promptFormat:keepQuantized:quiet:log:)``.
/// - Returns: the agreement with the checker when it was asked for.
@discardableResult
public func monteCarloLabelFile(problems: String, samples: String, out: String, levels: Set<Int>, model: URL,
                                sampling: SamplingConfig, compareChecker: Bool, keepQuantized: Bool = true, quiet: Bool = false,
                                log: (String) -> Void) throws -> LabelAgreement? {
    let byID = Dictionary(try readStrict(Problem.self, problems).map { ($0.id, $0) }) { a, _ in a }
    let records = try readStrict(SampleRecord.self, samples)
    let bundle = try ModelBundle.load(from: model, promptFormat: nil, keepQuantized: keepQuantized)
    var sampling = sampling
    if bundle.promptFormat != .paper { sampling.stopRules.removeAll { $0 == .answerLine } }
    let sampler = Sampler(model: bundle.model, tokenizer: bundle.tokenizer, config: sampling, stopTokenIDs: bundle.stopTokenIDs)
    let prefixes = records.reduce(0) { $0 + $1.steps.count }
    log("Monte-Carlo labels: \(sampling.samplesPerProblem) completions from each of \(prefixes) step prefixes of \(records.count) samples")
    let labelled = try monteCarloLabels(records, problems: byID, allowedLevels: levels, sampler: sampler,
                                        prompt: bundle.prompt(problem:), answersInProse: bundle.promptFormat != .paper,
                                        progress: ProgressReporter(label: "rollouts", total: prefixes * sampling.samplesPerProblem,
                                                                   quiet: quiet))
    try RecordWriter.write(labelled, to: out)
    log(String(format: "labelled %d samples (levels %@) into %@ (%.0f tokens/s)", labelled.count, "\(levels.sorted())", out,
               Double(sampler.lastTokenCount) / max(sampler.lastSeconds, 1e-9)))
    guard compareChecker else { return nil }
    let agreement = LabelAgreement(labels: labelled, reference: try labelSamples(records, problems: byID, allowedLevels: levels))
    log(String(format: "against the checker: first wrong step precision %.3f, recall %.3f (%d samples: checker flags %d, "
               + "Monte-Carlo %d, same first step %d, both clean %d); step labels agree on %.3f of %d steps",
               agreement.precision, agreement.recall, agreement.samples, agreement.referenceFlagged, agreement.flagged,
               agreement.sameFirstError, agreement.bothClean, agreement.stepAgreement, agreement.steps))
    return agreement
}

/// `e2h train reward`: a PRM, ORM or OPRM from labelled samples, initialised from a policy.
public func trainRewardModel(kind: RewardKind, samples: String, problems: String, initialModel: URL, out: URL,
                             trainer: TrainerConfig, quiet: Bool = false, log: (String) -> Void) throws {
    let byID = Dictionary(try readStrict(Problem.self, problems).map { ($0.id, $0) }) { a, _ in a }
    let labelled = try readStrict(SampleRecord.self, samples)
    if let unlabelled = labelled.first(where: { $0.stepLabels == nil && kind != .orm || $0.correct == nil }) {
        throw ExperimentError.invalid("\(samples): sample \(unlabelled.problemID)#\(unlabelled.sampleIndex) has no labels; run `e2h label` first")
    }
    if let unknown = labelled.first(where: { byID[$0.problemID] == nil }) {
        throw ExperimentError.invalid("\(samples): sample of problem \(unknown.problemID), which is not in \(problems)")
    }
    try trainRewardStage(kind: kind, samples: labelled, problems: byID, base: initialModel, out: out, trainer: trainer,
                         exampleSeed: trainer.seed, splitSeed: trainer.seed &+ 1, label: kind.rawValue, quiet: quiet) { count in
        log("\(kind.rawValue.uppercased()): \(count) examples, a tenth held out for validation")
    }
    log("saved \(out.path)/\(TransformerModel.weightsFileName)")
}

/// `e2h score`: adds `step_scores` to every sample.
/// With `featuresFrom` (the language model whose log-probabilities the run's likelihood layer read:
/// its `reward/base`), a reward model that has a `calibration.json` (from `e2h run` with likelihood
/// features) gives calibrated scores; without it such a model gives its raw logits, and says so.
public func scoreSampleFile(model: URL, problems: String, samples: String, out: String, featuresFrom: URL? = nil,
                            quiet: Bool = false, log: (String) -> Void) throws {
    let byID = Dictionary(try readStrict(Problem.self, problems).map { ($0.id, $0) }) { a, _ in a }
    var records = try readStrict(SampleRecord.self, samples)
    let rewardBundle = try ModelBundle.load(from: model)
    let (rewardModel, tokenizer, rewardManifest) = (rewardBundle.model, rewardBundle.tokenizer, rewardBundle.manifest)
    if let head = rewardModel.layout.tensor(named: "score.weight"),
       !rewardModel.parameters[head.offset..<(head.offset + head.count)].contains(where: { $0 != 0 }) {
        // A GGUF or Hugging Face language model loads with a zero scalar head: every score would be 0.
        throw ExperimentError.invalid("\(model.path) has no reward head (its score weights are all zero): it is a language "
                                      + "model, not a reward model; train one with e2h train reward --init-from \(model.path)")
    }
    let items = try records.map { sample -> (String, String) in
        guard let problem = byID[sample.problemID] else {
            throw ExperimentError.invalid("\(samples): sample of problem \(sample.problemID), which is not in \(problems)")
        }
        return (rewardBundle.prompt(problem: problem.problem), sample.output)
    }
    let scorer = Scorer(model: rewardModel, tokenizer: tokenizer)
    let scores = try scorer.scores(items, progress: ProgressReporter(label: "score", total: items.count, quiet: quiet))
    for i in records.indices { records[i].stepScores = scores[i] }
    let calibrationFile = model.appendingPathComponent("calibration.json")
    if FileManager.default.fileExists(atPath: calibrationFile.path) {
        if let featuresFrom {
            let calibrator = try JSONDecoder().decode(StepCalibrator.self, from: Data(contentsOf: calibrationFile))
            let (base, baseTokenizer, baseManifest) = try loadBundle(featuresFrom)
            guard baseManifest.tokenizer == rewardManifest.tokenizer else {
                throw ExperimentError.invalid("\(featuresFrom.path) and \(model.path) use different tokenizers; pass the run's reward/base")
            }
            let logProbs = try TokenLogProbs(model: base, tokenizer: baseTokenizer)
                .logProbs(items, progress: ProgressReporter(label: "log-probs", total: items.count, quiet: quiet))
            let calibrated = try calibrator.apply(scores: scores, completions: records.map(\.output), logProbs: logProbs,
                                              tokenizer: baseTokenizer)
            for i in records.indices { records[i].stepScores = calibrated[i] }
        } else {
            log("note: \(calibrationFile.path) exists; pass --features-from <run>/reward/base for the calibrated scores e2h run uses (these are raw logits)")
        }
    }
    try RecordWriter.write(records, to: out)
    log("scored \(records.count) samples into \(out)")
}
