/// The shape of a level's `Compute` expressions.
public enum ExpressionShape: String, Codable, Sendable {
    /// Random trees: any operation may come first, so a solver must parse precedence and
    /// parentheses to find the next step.
    case tree
    /// Left-to-right chains `((a op b) op c) op d`: every operation takes the previous result and
    /// the next number of the problem, so the steps follow the operators in reading order.
    case chain
}

/// How problems of one difficulty level are drawn. Hard levels differ in kind, not only in
/// length: more operations, larger leaves, multi-digit multipliers and divisors, larger values.
public struct LevelSpec: Codable, Equatable, Sendable {
    /// The level, 1 (easiest) ... 5.
    public var level: Int
    /// Number of operations (= solution steps), drawn uniformly.
    public var operationCount: ClosedRange<Int>
    /// Digit counts of the numbers in the problem (and of `x` in equations).
    public var leafDigits: ClosedRange<Int>
    /// The operations that may appear.
    public var operations: [Operation]
    /// Digit counts of the smaller factor of every multiplication.
    public var multiplierDigits: ClosedRange<Int>
    /// Digit counts of every divisor (divisors are at least 2).
    public var divisorDigits: ClosedRange<Int>
    /// Largest value any intermediate result may take (all values are positive integers).
    public var maxValue: Int
    /// Probability that a problem is an equation ("Solve ...") rather than "Compute ...".
    public var equationShare: Double
    /// Shape of the `Compute` expressions (equations are always chains of operations on `x`).
    /// Absent in JSON: `tree`.
    public var shape: ExpressionShape

    public init(level: Int, operationCount: ClosedRange<Int>, leafDigits: ClosedRange<Int>,
                operations: [Operation], multiplierDigits: ClosedRange<Int>,
                divisorDigits: ClosedRange<Int>, maxValue: Int, equationShare: Double, shape: ExpressionShape = .tree) {
        self.level = level; self.operationCount = operationCount; self.leafDigits = leafDigits
        self.operations = operations; self.multiplierDigits = multiplierDigits
        self.divisorDigits = divisorDigits; self.maxValue = maxValue; self.equationShare = equationShare
        self.shape = shape
    }

    enum CodingKeys: String, CodingKey {
        case level, operationCount, leafDigits, operations, multiplierDigits, divisorDigits, maxValue, equationShare, shape
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(level: try c.decode(Int.self, forKey: .level),
                  operationCount: try c.decode(ClosedRange<Int>.self, forKey: .operationCount),
                  leafDigits: try c.decode(ClosedRange<Int>.self, forKey: .leafDigits),
                  operations: try c.decode([Operation].self, forKey: .operations),
                  multiplierDigits: try c.decode(ClosedRange<Int>.self, forKey: .multiplierDigits),
                  divisorDigits: try c.decode(ClosedRange<Int>.self, forKey: .divisorDigits),
                  maxValue: try c.decode(Int.self, forKey: .maxValue),
                  equationShare: try c.decode(Double.self, forKey: .equationShare),
                  shape: try c.decodeIfPresent(ExpressionShape.self, forKey: .shape) ?? .tree)
    }
}

/// The single facts of the unlabelled pretraining corpus (`a op b = c`), at every size the
/// levels use, but never a problem or a solution.
public struct PretrainingSpec: Codable, Equatable, Sendable {
    /// Digit counts of both operands of `+` and `-`.
    public var sumDigits: ClosedRange<Int>
    /// Digit counts of the larger factor of `*`.
    public var multiplicandDigits: ClosedRange<Int>
    /// Digit counts of the smaller factor of `*`.
    public var multiplierDigits: ClosedRange<Int>
    /// Digit counts of the quotient of `/`.
    public var quotientDigits: ClosedRange<Int>
    /// Digit counts of the divisor of `/`.
    public var divisorDigits: ClosedRange<Int>
    /// Probability that a fact continues from the previous fact's result (uses it as an operand),
    /// as worked computations in real text do; the rest start afresh. Such chains are meant to teach
    /// copying a number from earlier in the text; they are still no benchmark problem or solution.
    public var continuationShare: Double

    public init(sumDigits: ClosedRange<Int>, multiplicandDigits: ClosedRange<Int>,
                multiplierDigits: ClosedRange<Int>, quotientDigits: ClosedRange<Int>,
                divisorDigits: ClosedRange<Int>, continuationShare: Double = 0) {
        self.sumDigits = sumDigits; self.multiplicandDigits = multiplicandDigits
        self.multiplierDigits = multiplierDigits; self.quotientDigits = quotientDigits
        self.divisorDigits = divisorDigits; self.continuationShare = continuationShare
    }
}

/// The whole built-in benchmark: five levels, the pretraining facts and the length budget.
public struct BenchmarkConfig: Codable, Equatable, Sendable {
    /// One spec per level, in level order.
    public var levels: [LevelSpec]
    /// The pretraining corpus.
    public var pretraining: PretrainingSpec
    /// Longest whole text (prompt + completion, Unicode scalars) of any problem or corpus
    /// document; 254 leaves room for BOS and EOS in a 256-token context.
    public var maxTextLength: Int

    public init(levels: [LevelSpec], pretraining: PretrainingSpec, maxTextLength: Int) {
        self.levels = levels; self.pretraining = pretraining; self.maxTextLength = maxTextLength
    }

    /// Checks the ranges the generator relies on (so no draw can overflow or be empty).
    /// - Throws: ``DataError/invalidArgument(_:)`` naming the first bad field.
    public func validate() throws {
        func bad(_ what: String) -> DataError { DataError.invalidArgument("benchmark config: \(what)") }
        func digits(_ r: ClosedRange<Int>, max: Int, _ name: String) throws {
            guard r.lowerBound >= 1, r.upperBound <= max else { throw bad("\(name) must lie in 1...\(max), found \(r)") }
        }
        guard Set(levels.map(\.level)).count == levels.count else { throw bad("a level appears twice") }
        guard maxTextLength > 0 else { throw bad("maxTextLength must be positive") }
        for l in levels {
            let name = "level \(l.level)"
            guard !l.operations.isEmpty else { throw bad("\(name): operations is empty") }
            guard l.operationCount.lowerBound >= 1 else { throw bad("\(name): operationCount must start at 1 or more") }
            try digits(l.leafDigits, max: 9, "\(name).leafDigits")
            try digits(l.multiplierDigits, max: 4, "\(name).multiplierDigits")
            try digits(l.divisorDigits, max: 4, "\(name).divisorDigits")
            guard (1...1_000_000_000_000).contains(l.maxValue) else { throw bad("\(name): maxValue must lie in 1...10^12") }
            guard (0...1).contains(l.equationShare) else { throw bad("\(name): equationShare must lie in 0...1") }
        }
        let p = pretraining
        try digits(p.sumDigits, max: 12, "pretraining.sumDigits")
        try digits(p.multiplicandDigits, max: 9, "pretraining.multiplicandDigits")
        try digits(p.multiplierDigits, max: 4, "pretraining.multiplierDigits")
        try digits(p.quotientDigits, max: 9, "pretraining.quotientDigits")
        try digits(p.divisorDigits, max: 4, "pretraining.divisorDigits")
        guard (0...1).contains(p.continuationShare) else { throw bad("pretraining.continuationShare must lie in 0...1") }
    }

    /// The spec of `level`, if configured.
    public func spec(level: Int) -> LevelSpec? { levels.first { $0.level == level } }

    /// The default benchmark (documented in docs/benchmark.md). Sized for what a 0.9M-parameter
    /// character-level model learns in a few CPU minutes: left-to-right chains (the policy fails
    /// to parse precedence trees at this size) on values below 100. Hard levels are harder in kind:
    /// every problem has four steps (easy: 1-4, mostly fewer), and level 5 has two-digit numbers
    /// throughout. Five-step chains are out: the policy, trained on at most four steps, solved
    /// none of them (docs/benchmark.md, "Measured").
    public static var standard: BenchmarkConfig {
        let all = Operation.allCases
        func level(_ level: Int, _ ops: ClosedRange<Int>, _ leaves: ClosedRange<Int>, _ operations: [Operation]) -> LevelSpec {
            LevelSpec(level: level, operationCount: ops, leafDigits: leaves, operations: operations,
                      multiplierDigits: 1...1, divisorDigits: 1...1, maxValue: 99, equationShare: 0, shape: .chain)
        }
        return BenchmarkConfig(
            levels: [
                level(1, 1...3, 1...1, [.add, .subtract]),
                level(2, 2...3, 1...1, all),
                level(3, 3...4, 1...2, all),
                level(4, 4...4, 1...2, all),
                level(5, 4...4, 2...2, all),
            ],
            pretraining: PretrainingSpec(sumDigits: 1...3, multiplicandDigits: 1...2, multiplierDigits: 1...1,
                                         quotientDigits: 1...2, divisorDigits: 1...1, continuationShare: 0.6),
            maxTextLength: 254)
    }
}
