// Step labels without a step checker (Math-Shepherd; REFERENCE.md section 5): from the prefix that
// ends with each step, the policy writes N completions; the step's hard label is 1 when any of them
// reaches the gold answer (by the grader), its soft label the fraction that do. What this estimates
// is "the answer can still be reached from here", not "this step is right" (Qwen's lesson), which
// ``LabelAgreement`` measures against the checker on the built-in benchmark.

import Datasets
import Grading
import Training

/// Adds Monte-Carlo step labels to samples of problems of `allowedLevels`.
///
/// - Parameters:
///   - sampler: the policy; its `samplesPerProblem` is N, the completions per step prefix.
///   - prompt: a problem's prompt in the policy's format (the paper's by default).
///   - answersInProse: take a rollout's answer from its prose (a chat model writes no `# Answer` line).
/// - Returns: the samples with `step_labels` (per step the hard label, then the sample's own answer
///   by the grader), `step_soft_labels` (per step the fraction of completions that reach the gold
///   answer, then the answer's 0/1) and `correct`.
/// - Throws: `ExperimentError.leakedLabels` for a sample of another level, as ``labelSamples(_:problems:allowedLevels:)``.
public func monteCarloLabels(_ samples: [SampleRecord], problems: [String: Problem], allowedLevels: Set<Int>,
                             sampler: Sampler, prompt: (String) -> String = SolutionFormat.prompt(problem:),
                             answersInProse: Bool = false, progress: ProgressReporter? = nil) throws -> [SampleRecord] {
    // One sampling job per (sample, step): the prompt followed by the steps up to and including it.
    var jobs: [SamplingJob] = [], owner: [(sample: Int, step: Int)] = []
    for (i, sample) in samples.enumerated() {
        guard let problem = problems[sample.problemID] else {
            throw ExperimentError.invalid("sample of unknown problem \(sample.problemID)")
        }
        guard allowedLevels.contains(problem.level) else {
            throw ExperimentError.leakedLabels(
                "problem \(problem.id) is level \(problem.level); labels are allowed only on levels \(allowedLevels.sorted())")
        }
        let prompt = prompt(problem.problem)
        for k in sample.steps.indices {
            let prefix = sample.steps[...k].joined(separator: SolutionFormat.stepSeparator) + SolutionFormat.stepSeparator
            jobs.append(SamplingJob(problemID: sample.problemID, prompt: prompt + prefix))
            owner.append((i, k))
        }
    }
    let rollouts = sampler.config.samplesPerProblem
    let completions = jobs.isEmpty ? [] : try sampler.sample(jobs, progress: progress)
    // Completions come in (job, sample index) order: job j's are j*N ..< (j+1)*N.
    var reached = samples.map { [Int](repeating: 0, count: $0.steps.count) }
    for (j, (i, k)) in owner.enumerated() {
        let gold = problems[samples[i].problemID]!.answer
        reached[i][k] = completions[(j * rollouts)..<((j + 1) * rollouts)].filter { completion in
            let answer = completion.answer ?? (answersInProse ? extractAnswer(from: completion.output, cutAtTokenLimit: completion.finishReason == FinishReason.length.rawValue)?.text : nil)
            return answer.map { Grading.grade(gold: gold, predicted: $0).isEqual } ?? false
        }.count
    }
    return samples.enumerated().map { i, sample in
        let gold = problems[sample.problemID]!.answer
        let correct = sample.answer.map { Grading.grade(gold: gold, predicted: $0).isEqual } ?? false
        var labelled = sample
        labelled.stepLabels = reached[i].map { $0 > 0 ? 1 : 0 } + [correct ? 1 : 0]
        labelled.stepSoftLabels = reached[i].map { Float($0) / Float(rollouts) } + [correct ? 1 : 0]
        labelled.correct = correct
        return labelled
    }
}

/// How one source of step labels agrees with a reference source (the checker) on the same samples:
/// the first wrong step as ProcessBench scores it (-1 when every step is right; the answer label
/// is not a step).
public struct LabelAgreement: Codable, Sendable, Equatable {
    /// Samples compared.
    public var samples: Int
    /// Samples in which the reference finds a wrong step, and in which the labels under test do.
    public var referenceFlagged: Int
    public var flagged: Int
    /// Samples flagged by both at the same first wrong step.
    public var sameFirstError: Int
    /// Samples with every step right by both.
    public var bothClean: Int
    /// Steps compared, and those with the same label.
    public var steps: Int
    public var sameSteps: Int

    /// Of the samples the labels flag, the share whose first wrong step is the reference's.
    public var precision: Double { flagged == 0 ? 0 : Double(sameFirstError) / Double(flagged) }
    /// Of the samples the reference flags, the share the labels flag at the same step.
    public var recall: Double { referenceFlagged == 0 ? 0 : Double(sameFirstError) / Double(referenceFlagged) }
    /// Share of steps with the same label.
    public var stepAgreement: Double { steps == 0 ? 0 : Double(sameSteps) / Double(steps) }

    /// Compares `labels` with `reference`, sample by sample (same problem and sample index; samples
    /// missing from either side or without labels are skipped).
    public init(labels: [SampleRecord], reference: [SampleRecord]) {
        var byKey: [String: [Int]] = [:]
        for r in reference { if let l = r.stepLabels { byKey["\(r.problemID)#\(r.sampleIndex)"] = l } }
        samples = 0; referenceFlagged = 0; flagged = 0; sameFirstError = 0; bothClean = 0; steps = 0; sameSteps = 0
        for sample in labels {
            guard let mine = sample.stepLabels, let theirs = byKey["\(sample.problemID)#\(sample.sampleIndex)"] else { continue }
            let n = min(mine.count, theirs.count) - 1  // the last label is the answer's
            guard n >= 1 else { continue }  // a sample without steps has nothing to compare
            samples += 1
            let a = Self.firstError(mine, steps: n), b = Self.firstError(theirs, steps: n)
            if b >= 0 { referenceFlagged += 1 }
            if a >= 0 { flagged += 1 }
            if a >= 0 && a == b { sameFirstError += 1 }
            if a < 0 && b < 0 { bothClean += 1 }
            steps += n
            sameSteps += (0..<n).filter { mine[$0] == theirs[$0] }.count
        }
    }

    /// The index of the first step labelled 0 among the first `steps` labels; -1 when none.
    static func firstError(_ labels: [Int], steps: Int) -> Int {
        labels.prefix(steps).firstIndex(of: 0) ?? -1
    }
}
