/// The records re-ranking reads: problems with gold answers and levels, and scored samples.
///
/// File formats (JSON Lines, DESIGN.md): problems `{id, level, answer, ...}` and samples
/// `{problem_id, sample_index, output?, answer?, step_scores?, step_labels?, ...}`; other fields are
/// ignored. `RerankReader` reads them; the pipeline (`e2h run`) builds them in memory.

/// A problem: its id, difficulty level and gold answer.
public struct RerankProblem: Sendable, Equatable {
    /// Identifier that samples refer to by `problem_id`.
    public var id: String
    /// Difficulty level (MATH 1...5); nil when unknown (then the problem counts only in "all").
    public var level: Int?
    /// The gold answer (a bare answer; `\boxed{}` and `$...$` wrappers are accepted).
    public var answer: String
    /// The line of the problems file it came from (for messages); nil when built in memory.
    public var line: Int?

    public init(id: String, level: Int?, answer: String, line: Int? = nil) {
        self.id = id; self.level = level; self.answer = answer; self.line = line
    }
}

/// Re-ranking's view of one line of a samples file (the format is ``SampleRecord``, Datasets):
/// the fields voting needs, scores in double precision, labels as booleans, and the line it came
/// from. Files from other tools may carry only these fields; `output` or `answer` must be present.
public struct RerankSample: Sendable, Equatable {
    /// The `id` of its problem.
    public var problemID: String
    /// Its index in the problem's pool; unique per problem. Pools are ordered by it, so results do
    /// not depend on the order of lines in the file.
    public var sampleIndex: Int
    /// The solution text; its final answer is extracted when `answer` is nil.
    public var output: String?
    /// The final answer, when the producer extracted it already (takes precedence over `output`).
    public var answer: String?
    /// Raw reward-model logits, one per step and the final answer's last (PAPER.md); nil if unscored.
    public var stepScores: [Double]?
    /// Step correctness labels (true = correct), one per score or one per score but the last.
    public var stepLabels: [Bool]?
    /// The line of the samples file it came from (for messages); nil when built in memory.
    public var line: Int?
    /// Generation stopped at its token limit (`finish_reason` "length"): an answer extracted from `output`
    /// must have been stated before the cut (docs/grading.md, "The finish reason").
    public var cutAtTokenLimit = false

    public init(problemID: String, sampleIndex: Int, output: String? = nil, answer: String? = nil,
                stepScores: [Double]? = nil, stepLabels: [Bool]? = nil, line: Int? = nil) {
        self.problemID = problemID; self.sampleIndex = sampleIndex; self.output = output
        self.answer = answer; self.stepScores = stepScores; self.stepLabels = stepLabels; self.line = line
    }
}

/// Everything re-ranking needs, in memory.
public struct RerankInput: Sendable {
    public var problems: [RerankProblem]
    public var samples: [RerankSample]
    /// Names of the sources, used in messages (file paths when read from files).
    public var problemsSource: String
    public var samplesSource: String
    /// Records the reader dropped (only with `skipInvalid`), by reason; carried into the summary.
    public var skipped: [String: Int]
    /// The first messages of dropped records (at most ``RerankInput/maxExamples``).
    public var skippedExamples: [String]

    /// How many example messages of dropped records are kept.
    public static let maxExamples = 20

    public init(problems: [RerankProblem], samples: [RerankSample], problemsSource: String = "problems",
                samplesSource: String = "samples", skipped: [String: Int] = [:], skippedExamples: [String] = []) {
        self.problems = problems; self.samples = samples
        self.problemsSource = problemsSource; self.samplesSource = samplesSource
        self.skipped = skipped; self.skippedExamples = skippedExamples
    }
}

/// Reasons a record is invalid; the raw values are the keys of `input.skipped` in summary.json.
public enum InputIssue: String, CaseIterable, Codable, Sendable {
    case malformedJSON = "malformed_json"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case duplicateProblem = "duplicate_problem"
    case unknownProblem = "unknown_problem"
    case duplicateSample = "duplicate_sample"
    case noAnswerField = "no_answer_field"
    case emptyStepScores = "empty_step_scores"
    case nonFiniteScore = "non_finite_score"
    case missingStepScores = "missing_step_scores"
    case badStepLabels = "bad_step_labels"
}

/// Collects invalid records: throws on the first one (strict), or counts them (skipInvalid).
struct IssueLog {
    var skipInvalid: Bool
    var counts: [String: Int] = [:]
    var examples: [String] = []

    mutating func report(_ issue: InputIssue, file: String, line: Int, _ message: String) throws {
        if !skipInvalid { throw RerankError.invalidRecord(file: file, line: line, message: message) }
        counts[issue.rawValue, default: 0] += 1
        if examples.count < RerankInput.maxExamples { examples.append("\(file):\(line): \(message)") }
    }

    /// Adds the counts and examples of a later part of the input.
    mutating func merge(_ other: IssueLog) {
        for (k, v) in other.counts { counts[k, default: 0] += v }
        examples += other.examples.prefix(Swift.max(0, RerankInput.maxExamples - examples.count))
    }
}
