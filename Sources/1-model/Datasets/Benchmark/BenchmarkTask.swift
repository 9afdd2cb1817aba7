/// The subjects of the built-in benchmark.
public enum BenchmarkSubject: String, Codable, Sendable, CaseIterable {
    /// "Compute {expression}." Steps evaluate the expression, innermost operations first.
    case arithmetic
    /// "Solve {left side with x} = {number}." Steps undo the operations around `x`, outermost
    /// first, e.g. `Solve 3 * x + 7 = 25.` -> `25 - 7 = 18`, `18 / 3 = 6`.
    case equation
}

/// A benchmark problem read back from its text: what the steps must compute, the answer and
/// the canonical steps. Both the generator and the step checker go through this type, so the
/// checker needs nothing but the problem text.
public struct BenchmarkTask: Equatable, Sendable {
    /// The problem text, e.g. `Compute (347 + 28) * 6.`
    public let problem: String
    /// The subject, from the first word of the problem.
    public let subject: BenchmarkSubject
    /// The computation whose operations the steps perform (for an equation, `x` solved for).
    public let computation: Expression
    /// The answer (the expression's value, or `x`).
    public let answer: Int

    /// The canonical answer string, accepted by the grader.
    public var answerText: String { String(answer) }

    /// Parses a problem written as `Compute E.` or `Solve L = R.` (see ``BenchmarkSubject``).
    /// - Throws: ``BenchmarkParseError`` when the text is not a benchmark problem or its
    ///   computation leaves the domain (negative or fractional intermediate values).
    public init(problem: String) throws {
        self.problem = problem
        var body = Substring(problem.trimmingSpaces)
        var equation: (lhs: Expression, rhs: Expression)?
        guard body.hasSuffix(".") else {
            throw BenchmarkParseError(message: "a benchmark problem ends with '.': \"\(problem)\"")
        }
        body = body.dropLast()
        if body.hasPrefix("Compute ") {
            subject = .arithmetic
            computation = try Expression.parse(String(body.dropFirst("Compute ".count)))
            guard !computation.containsVariable else {
                throw BenchmarkParseError(message: "'Compute' problems have no x: \"\(problem)\"")
            }
        } else if body.hasPrefix("Solve ") {
            subject = .equation
            let sides = body.dropFirst("Solve ".count).split(separator: "=", omittingEmptySubsequences: false)
            guard sides.count == 2 else {
                throw BenchmarkParseError(message: "an equation has exactly one '=': \"\(problem)\"")
            }
            let lhs = try Expression.parse(String(sides[0])), rhs = try Expression.parse(String(sides[1]))
            computation = try Self.solve(lhs: lhs, rhs: rhs, problem: problem)
            equation = (lhs, rhs)
        } else {
            throw BenchmarkParseError(message: "a benchmark problem starts with 'Compute ' or 'Solve ': \"\(problem)\"")
        }
        guard let value = computation.value() else {
            throw BenchmarkParseError(
                message: "the computation of \"\(problem)\" leaves the non-negative integers")
        }
        answer = value
        if let (lhs, rhs) = equation, lhs.value(x: value) != rhs.value() {
            throw BenchmarkParseError(message: "\"\(problem)\" has no non-negative integer solution")
        }
    }

    /// The canonical steps `a op b = c`, left subtree before right subtree (post-order).
    public var canonicalSteps: [String] {
        var steps: [String] = []
        func walk(_ e: Expression) -> Int {
            switch e {
            case let .number(n): return n
            case .variable: return 0  // unreachable: computations contain no x
            case let .binary(op, l, r):
                let a = walk(l), b = walk(r)
                let c = op.apply(a, b) ?? 0
                steps.append(Self.stepText(a, op, b, c))
                return c
            }
        }
        _ = walk(computation)
        return steps
    }

    /// The canonical solution: the steps joined by blank lines (the `solution` of a ``Problem``).
    public var canonicalSolution: String { canonicalSteps.joined(separator: SolutionFormat.stepSeparator) }

    /// The text of one step: `"347 + 28 = 375"`.
    public static func stepText(_ a: Int, _ op: Operation, _ b: Int, _ c: Int) -> String {
        "\(a) \(op.rawValue) \(b) = \(c)"
    }

    /// Solves `lhs = rhs` for the single `x` of `lhs` by undoing its operations outermost first;
    /// the result is the computation tree of the solution steps.
    static func solve(lhs: Expression, rhs: Expression, problem: String) throws -> Expression {
        guard !rhs.containsVariable else {
            throw BenchmarkParseError(message: "x must be on the left of '=': \"\(problem)\"")
        }
        var side = lhs, acc = rhs
        while true {
            switch side {
            case .variable:
                return acc
            case .number:
                throw BenchmarkParseError(message: "the left side has no x: \"\(problem)\"")
            case let .binary(op, a, b):
                if a.containsVariable, b.containsVariable {
                    throw BenchmarkParseError(message: "x may appear only once: \"\(problem)\"")
                }
                if a.containsVariable {
                    // (A op K) = acc  ->  A = acc inv K
                    switch op {
                    case .add: acc = .binary(.subtract, acc, b)
                    case .subtract: acc = .binary(.add, acc, b)
                    case .multiply: acc = .binary(.divide, acc, b)
                    case .divide: acc = .binary(.multiply, acc, b)
                    }
                    side = a
                } else {
                    // (K op B) = acc  ->  B = ...
                    switch op {
                    case .add: acc = .binary(.subtract, acc, a)
                    case .subtract: acc = .binary(.subtract, a, acc)
                    case .multiply: acc = .binary(.divide, acc, a)
                    case .divide: acc = .binary(.divide, a, acc)
                    }
                    side = b
                }
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
