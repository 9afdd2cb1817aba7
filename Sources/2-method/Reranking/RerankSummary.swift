import Foundation

/// The result of a re-ranking run: what `summary.json` holds (schema in docs/rerank.md).

/// One curve: accuracy (a fraction in 0...1) against N for one method, aggregation and group.
public struct Curve: Codable, Sendable, Equatable {
    public var method: RerankMethod
    /// The aggregation of step scores; nil for majority voting and pass@N.
    public var aggregation: Aggregation?
    /// The problem group: "all", "easy", "hard", or "level_<n>" ("level_unknown").
    public var group: String
    public var n: [Int]
    /// Mean over trials of the group's accuracy at each N.
    public var mean: [Double]
    /// Standard deviation over trials (divisor = trials; 0 where there is one trial).
    public var std: [Double]

    public init(method: RerankMethod, aggregation: Aggregation?, group: String, n: [Int], mean: [Double], std: [Double]) {
        self.method = method; self.aggregation = aggregation; self.group = group
        self.n = n; self.mean = mean; self.std = std
    }

    enum CodingKeys: String, CodingKey { case method, aggregation, group, n, mean, std }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(aggregation, forKey: .aggregation) // explicit null for majority and pass@N
        try c.encode(group, forKey: .group)
        try c.encode(n, forKey: .n)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
    }
}

/// A group of problems the curves are broken down by.
public struct ProblemGroup: Codable, Sendable, Equatable {
    /// "all", "easy", "hard", "level_<n>" or "level_unknown".
    public var name: String
    /// The levels it contains (empty for "level_unknown").
    public var levels: [Int]
    /// Problems with samples in the group (the denominator of its accuracy).
    public var problems: Int
}

/// Counts about the input: everything that was read, used, or dropped.
public struct InputSummary: Codable, Sendable, Equatable {
    /// Problems read, and those with at least one valid sample (only these enter the curves).
    public var problems: Int
    public var problemsWithSamples: Int
    public var problemsWithoutSamples: Int
    /// Sample records read, and those used.
    public var samples: Int
    public var samplesUsed: Int
    /// Used samples with no extractable answer (they count as wrong and never win a vote).
    public var samplesWithoutAnswer: Int
    /// Used samples whose answer is equivalent to the gold answer.
    public var samplesCorrect: Int
    /// Smallest and largest pool (samples per problem).
    public var poolSizeMin: Int
    public var poolSizeMax: Int
    /// Distinct answer strings and answer groups, summed over problems.
    public var distinctAnswers: Int
    public var answerGroups: Int
    /// Full equivalence checks made while grouping (answers with equal keys need none).
    public var graderComparisons: Int
    public var hasStepScores: Bool
    public var hasStepLabels: Bool
    /// Records dropped as invalid (only with skip_invalid), by reason, and the first messages.
    public var skipped: [String: Int]
    public var skippedExamples: [String]

    enum CodingKeys: String, CodingKey {
        case problems, problemsWithSamples = "problems_with_samples", problemsWithoutSamples = "problems_without_samples"
        case samples, samplesUsed = "samples_used", samplesWithoutAnswer = "samples_without_answer"
        case samplesCorrect = "samples_correct", poolSizeMin = "pool_size_min", poolSizeMax = "pool_size_max"
        case distinctAnswers = "distinct_answers", answerGroups = "answer_groups", graderComparisons = "grader_comparisons"
        case hasStepScores = "has_step_scores", hasStepLabels = "has_step_labels"
        case skipped, skippedExamples = "skipped_examples"
    }
}

/// Seconds of each stage, wall clock and process CPU time (not written to summary.json, which
/// stays deterministic). On a busy machine wall time overstates the cost; CPU time / threads is
/// the wall time an idle machine would show for well-parallel stages.
public struct RerankTiming: Sendable, Equatable {
    /// One stage: wall-clock and CPU seconds (all threads).
    public struct Stage: Sendable, Equatable {
        public var wall = 0.0
        public var cpu = 0.0
        public init(wall: Double = 0, cpu: Double = 0) { self.wall = wall; self.cpu = cpu }
        public static func + (a: Stage, b: Stage) -> Stage { Stage(wall: a.wall + b.wall, cpu: a.cpu + b.cpu) }
    }
    public var validation = Stage()
    public var grouping = Stage()
    public var aggregation = Stage()
    public var curves = Stage()
    public var diagnostics = Stage()
    public var total: Stage { validation + grouping + aggregation + curves + diagnostics }
    public init() {}
}

/// Measures consecutive stages.
struct StageClock {
    private var wall = ContinuousClock.now
    private var cpu = StageClock.processCPUSeconds()

    /// The stage since the previous lap.
    mutating func lap() -> RerankTiming.Stage {
        let w = ContinuousClock.now, c = StageClock.processCPUSeconds()
        let d = w - wall
        defer { wall = w; cpu = c }
        return RerankTiming.Stage(wall: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, cpu: c - cpu)
    }

    /// CPU time of the whole process (all threads).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// Everything a run computes.
public struct RerankSummary: Codable, Sendable, Equatable {
    /// Version of this schema (docs/rerank.md); bumped on incompatible changes.
    public var schemaVersion: Int = 1
    public var options: RerankOptions
    public var input: InputSummary
    /// The N of every curve, and the trials at each N.
    public var nValues: [Int]
    public var trials: [Int]
    public var methods: [RerankMethod]
    public var aggregations: [Aggregation]
    public var groups: [ProblemGroup]
    public var curves: [Curve]
    public var diagnostics: RerankDiagnostics
    /// Stage timings of this run (not encoded).
    public var timing = RerankTiming()

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", options, input, nValues = "n_values", trials, methods, aggregations
        case groups, curves, diagnostics
    }

    /// Equal results (timings are ignored).
    public static func == (a: RerankSummary, b: RerankSummary) -> Bool {
        a.schemaVersion == b.schemaVersion && a.options == b.options && a.input == b.input && a.nValues == b.nValues
            && a.trials == b.trials && a.methods == b.methods && a.aggregations == b.aggregations
            && a.groups == b.groups && a.curves == b.curves && a.diagnostics == b.diagnostics
    }

    /// The curve of a method, aggregation (nil for majority and pass@N) and group, if computed.
    public func curve(_ method: RerankMethod, _ aggregation: Aggregation? = nil, group: String = "all") -> Curve? {
        curves.first { $0.method == method && $0.aggregation == aggregation && $0.group == group }
    }
}
