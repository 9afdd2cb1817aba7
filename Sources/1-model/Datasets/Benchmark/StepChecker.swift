import Grading

/// The judgement of one step of a solution.
public enum StepVerdict: String, Codable, Sendable {
    /// True arithmetic on values available at this point (problem numbers or results of earlier
    /// correct steps) that performs a pending operation of the problem.
    case correct
    /// `a op b = c` with `c` not equal to `a op b`.
    case wrongArithmetic
    /// True arithmetic, but not a pending operation of the problem: operands not yet computed
    /// (a skipped step), taken from a wrong earlier result, repeated, or unrelated.
    case notApplicable
    /// Not of the form `a op b = c` with non-negative integers.
    case unparseable

    /// Whether this step counts as correct (the label a PRM learns).
    public var isCorrect: Bool { self == .correct }
}

/// The checker's judgement of a whole solution.
public struct StepCheckResult: Equatable, Sendable {
    /// The steps as parsed (trimmed, answer section excluded).
    public var steps: [String]
    /// One verdict per step.
    public var verdicts: [StepVerdict]
    /// The answer found in the answer section, if any.
    public var answer: String?
    /// The correct answer of the problem.
    public var expectedAnswer: String
    /// Whether `answer` is graded equal to the correct answer (false when there is none).
    public var answerCorrect: Bool
    /// Whether the correct steps performed every operation of the problem.
    public var isComplete: Bool

    /// One label per step, then one for the answer section when there is an answer (the
    /// PRM800K convention: the answer is rated like a step).
    public var labels: [Bool] {
        verdicts.map(\.isCorrect) + (answer == nil ? [] : [answerCorrect])
    }

    /// Index of the first incorrect step (counting the answer as the last step), or nil.
    public var firstErrorIndex: Int? { labels.firstIndex(of: false) }

    /// Every step correct, every operation done and the answer right.
    public var isFullyCorrect: Bool {
        isComplete && answerCorrect && !verdicts.contains { !$0.isCorrect }
    }

    /// The solution with its labels (steps + `"# Answer\n\n{answer}"` when there is an answer).
    public func labelledSolution(problemID: String, problem: String, level: Int? = nil,
                                 subject: String? = nil) -> LabelledSolution {
        LabelledSolution(problemID: problemID, problem: problem,
                         steps: steps + (answer.map { [SolutionFormat.answerStep($0)] } ?? []),
                         labels: labels, level: level, subject: subject)
    }
}

/// Decides, for any text, whether each step of a solution of a benchmark problem is correct:
/// the role of the human labeller. The pipeline may use it only on easy problems; on hard ones
/// it is for evaluation only.
///
/// Rules (docs/benchmark.md): a step must read `a op b = c` (spaces optional). It is correct
/// when `a op b` really is `c` and `a op b` is a pending operation of the problem whose operands
/// are already known (numbers of the problem, or results of earlier correct steps); operands of
/// `+` and `*` may come in either order, and pending operations may be done in any order. A
/// correct step makes its result known; an incorrect step changes nothing, so later steps that
/// build on a wrong value are incorrect too, while independent correct work stays correct.
public struct StepChecker: Sendable {
    public init() {}

    /// Checks a completion (the text after the prompt, as sampled) of `problem`.
    /// - Throws: ``BenchmarkParseError`` when `problem` is not a benchmark problem.
    public func check(problem: String, completion: String) throws -> StepCheckResult {
        check(task: try BenchmarkTask(problem: problem), completion: SolutionFormat.parseCompletion(completion))
    }

    /// Checks a whole text (prompt + completion); the problem is read from its `# Question`.
    /// - Throws: ``BenchmarkParseError`` when there is no `# Solution` line or the question is
    ///   not a benchmark problem.
    public func check(text: String) throws -> StepCheckResult {
        guard let parsed = SolutionFormat.parse(text) else {
            throw BenchmarkParseError(message: "no '# Solution' line in the text")
        }
        return check(task: try BenchmarkTask(problem: parsed.question), completion: parsed.completion)
    }

    /// Checks a parsed completion of a parsed problem.
    public func check(task: BenchmarkTask, completion: ParsedCompletion) -> StepCheckResult {
        var state = PendingOperations(task.computation)
        let verdicts = completion.steps.map { state.apply(step: $0) }
        let expected = task.answerText
        let answerCorrect = completion.answer.map { Self.isCorrectAnswer($0, expected: expected) } ?? false
        return StepCheckResult(steps: completion.steps, verdicts: verdicts, answer: completion.answer,
                               expectedAnswer: expected, answerCorrect: answerCorrect,
                               isComplete: state.isDone)
    }

    /// Whether `answer` equals the integer `expected`: plain decimal integers are compared
    /// directly, anything else (e.g. `\boxed{42}`, `42.0`) goes to the grader.
    static func isCorrectAnswer(_ answer: String, expected: String) -> Bool {
        if let a = Int(answer), let e = Int(expected) { return a == e }
        return grade(gold: expected, predicted: answer).isEqual
    }

    /// Reads a step `a op b = c`; nil when it has another form.
    public static func parseStep(_ step: String) -> (a: Int, op: Operation, b: Int, c: Int)? {
        let s = Array(step.filter { $0 != " " })
        var i = 0
        func number() -> Int? {
            let start = i
            while i < s.count, s[i].isASCII, s[i].isNumber { i += 1 }
            return i > start ? Int(String(s[start..<i])) : nil
        }
        guard let a = number(), i < s.count, let op = Operation(rawValue: String(s[i])) else { return nil }
        i += 1
        guard let b = number(), i < s.count, s[i] == "=" else { return nil }
        i += 1
        guard let c = number(), i == s.count else { return nil }
        return (a, op, b, c)
    }
}

/// The operations of a computation tree that are still to be done, and the known values.
struct PendingOperations {
    private struct Node {
        var op: Operation?
        var left = -1, right = -1
        var value: Int?
    }

    private var nodes: [Node] = []

    init(_ e: Expression) {
        _ = add(e)
    }

    private mutating func add(_ e: Expression) -> Int {
        switch e {
        case let .number(n):
            nodes.append(Node(value: n))
        case .variable:
            nodes.append(Node(value: nil))  // never in a computation; stays unknown
        case let .binary(op, l, r):
            let li = add(l), ri = add(r)
            nodes.append(Node(op: op, left: li, right: ri))
        }
        return nodes.count - 1
    }

    /// Whether every operation is done.
    var isDone: Bool { nodes.allSatisfy { $0.value != nil } }

    /// Judges one step and, when it is correct, records its result.
    mutating func apply(step: String) -> StepVerdict {
        guard let (a, op, b, c) = StepChecker.parseStep(step) else { return .unparseable }
        guard op.apply(a, b) == c else { return .wrongArithmetic }
        for i in nodes.indices {
            guard nodes[i].value == nil, nodes[i].op == op,
                  let x = nodes[nodes[i].left].value, let y = nodes[nodes[i].right].value else { continue }
            if (x == a && y == b) || (op.isCommutative && x == b && y == a) {
                nodes[i].value = c
                return .correct
            }
        }
        return .notApplicable
    }
}
