/// The project's own record types (JSON Lines, one record per line; see DESIGN.md).
///
/// Field names on disk are snake_case as written in the coding keys; every writer sorts keys so
/// the same records always give the same bytes.

/// A difficulty-labelled problem: the unit of the easy/hard split.
///
/// `{id, problem, level, subject, answer, solution?}`. For MATH `solution` is the published prose
/// solution; for the built-in benchmark it is the steps joined by blank lines (see
/// ``SolutionFormat``).
public struct Problem: Codable, Equatable, Sendable {
    /// Stable identifier; MATH/PRM800K use the `unique_id` path, e.g. `test/algebra/1.json`.
    public var id: String
    /// The problem statement.
    public var problem: String
    /// Difficulty level 1...5 (MATH "Level N"); 0 when unknown.
    public var level: Int
    /// Subject (MATH `type`, e.g. "Algebra"; benchmark: "arithmetic" or "equation").
    public var subject: String
    /// Canonical answer string accepted by the grader.
    public var answer: String
    /// Reference solution, if known.
    public var solution: String?

    public init(id: String, problem: String, level: Int, subject: String, answer: String,
                solution: String? = nil) {
        self.id = id; self.problem = problem; self.level = level
        self.subject = subject; self.answer = answer; self.solution = solution
    }

    enum CodingKeys: String, CodingKey { case id, problem, level, subject, answer, solution }

    /// `id`, `problem` and `answer` are required; a file made by hand may leave out `subject`
    /// (then "") and `level` (then 0: unknown, in no easy or hard group, counted only in "all").
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        problem = try c.decode(String.self, forKey: .problem)
        level = try c.decodeIfPresent(Int.self, forKey: .level) ?? 0
        subject = try c.decodeIfPresent(String.self, forKey: .subject) ?? ""
        answer = try c.decode(String.self, forKey: .answer)
        solution = try c.decodeIfPresent(String.self, forKey: .solution)
    }
}

/// A demonstration for supervised fine-tuning: a problem with a solution split into steps.
///
/// Rendered for training by ``SolutionFormat/text(problem:steps:answer:)``.
public struct SolutionRecord: Codable, Equatable, Sendable {
    /// Identifier of the problem this solves (empty when the source has none).
    public var problemID: String
    /// The problem statement.
    public var problem: String
    /// Solution steps, without the trailing blank lines and without the answer section.
    public var steps: [String]
    /// The final answer.
    public var answer: String
    /// Difficulty level when known.
    public var level: Int?
    /// Subject when known.
    public var subject: String?

    public init(problemID: String, problem: String, steps: [String], answer: String,
                level: Int? = nil, subject: String? = nil) {
        self.problemID = problemID; self.problem = problem; self.steps = steps
        self.answer = answer; self.level = level; self.subject = subject
    }

    /// The demonstration of a problem whose `solution` holds blank-line separated steps
    /// (the built-in benchmark); nil when there is no solution.
    public init?(problem p: Problem) {
        guard let solution = p.solution else { return nil }
        self.init(problemID: p.id, problem: p.problem, steps: SolutionFormat.splitSteps(solution),
                  answer: p.answer, level: p.level, subject: p.subject)
    }

    /// The full training text (without EOS, which the tokenizer appends).
    public var text: String { SolutionFormat.text(problem: problem, steps: steps, answer: answer) }

    enum CodingKeys: String, CodingKey {
        case problemID = "problem_id", problem, steps, answer, level, subject
    }
}

/// One step-level training example of a process reward model, as in the paper's PRM800K recipe:
/// `{input: problem, output_prefix: earlier steps each + "\n\n", output: step + "\n\n", label}`.
public struct PRMRecord: Codable, Equatable, Sendable {
    /// The problem statement.
    public var input: String
    /// The earlier steps, each followed by a blank line.
    public var outputPrefix: String
    /// The labelled step followed by a blank line.
    public var output: String
    /// 1 if the step is acceptable (PRM800K rating >= 0), else 0.
    public var label: Int

    public init(input: String, outputPrefix: String, output: String, label: Int) {
        self.input = input; self.outputPrefix = outputPrefix; self.output = output; self.label = label
    }

    enum CodingKeys: String, CodingKey {
        case input, outputPrefix = "output_prefix", output, label
    }
}

/// A whole solution with one label per step (Math-Shepherd, the benchmark's step checker).
///
/// When the solution has an answer, its last step is the answer section `"# Answer\n\n{answer}"`,
/// as in PRM800K, so the answer carries a label like any other step.
public struct LabelledSolution: Codable, Equatable, Sendable {
    /// Identifier of the problem (empty when the source has none).
    public var problemID: String
    /// The problem statement.
    public var problem: String
    /// The steps, without separators.
    public var steps: [String]
    /// One label per step: true = correct.
    public var labels: [Bool]
    /// Difficulty level when known.
    public var level: Int?
    /// Subject when known.
    public var subject: String?

    public init(problemID: String, problem: String, steps: [String], labels: [Bool],
                level: Int? = nil, subject: String? = nil) {
        precondition(steps.count == labels.count, "one label per step")
        self.problemID = problemID; self.problem = problem; self.steps = steps
        self.labels = labels; self.level = level; self.subject = subject
    }

    /// One ``PRMRecord`` per step (the prefix holds the earlier steps, each + "\n\n").
    public var prmRecords: [PRMRecord] {
        var prefix = ""
        var out: [PRMRecord] = []
        for (step, label) in zip(steps, labels) {
            out.append(PRMRecord(input: problem, outputPrefix: prefix, output: step + "\n\n",
                                 label: label ? 1 : 0))
            prefix += step + "\n\n"
        }
        return out
    }

    /// The record in TRL's stepwise-supervision format.
    public var trl: TRLPRMRecord {
        TRLPRMRecord(prompt: problem, completions: steps, labels: labels)
    }

    enum CodingKeys: String, CodingKey {
        case problemID = "problem_id", problem, steps, labels, level, subject
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problemID = try c.decode(String.self, forKey: .problemID)
        problem = try c.decode(String.self, forKey: .problem)
        steps = try c.decode([String].self, forKey: .steps)
        labels = try c.decode([Bool].self, forKey: .labels)
        level = try c.decodeIfPresent(Int.self, forKey: .level)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        guard steps.count == labels.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .labels, in: c, debugDescription: "\(labels.count) labels for \(steps.count) steps")
        }
    }
}

/// TRL's PRM ("stepwise supervision") format: `{prompt, completions: [step], labels: [bool]}`.
public struct TRLPRMRecord: Codable, Equatable, Sendable {
    public var prompt: String
    public var completions: [String]
    public var labels: [Bool]

    public init(prompt: String, completions: [String], labels: [Bool]) {
        self.prompt = prompt; self.completions = completions; self.labels = labels
    }
}

/// One document of unlabelled text (the benchmark's pretraining corpus): `{text}`.
public struct TextDocument: Codable, Equatable, Sendable {
    public var text: String
    public init(text: String) { self.text = text }
}
