/// The deterministic generator of the built-in benchmark: problems of five levels with
/// step-format solutions, and the unlabelled pretraining corpus.
///
/// Same configuration and seed, same problems, byte for byte. Every level draws from its own
/// random stream, so asking for more level-1 problems never changes the level-5 ones.

import Support
public struct BenchmarkGenerator: Sendable {
    /// The levels, the corpus and the length budget.
    public var config: BenchmarkConfig
    /// The seed of every stream.
    public var seed: UInt64

    public init(config: BenchmarkConfig = .standard, seed: UInt64) {
        self.config = config
        self.seed = seed
    }

    /// `count` distinct problems of `level`, none of whose text is in `excluding`.
    ///
    /// Each problem's `solution` is its canonical steps joined by blank lines and its `answer`
    /// the canonical answer; its whole text fits in ``BenchmarkConfig/maxTextLength``. Ids are
    /// `s{seed}-L{level}-{index}`.
    /// - Throws: ``DataError/invalidArgument(_:)`` for an invalid configuration or unknown level,
    ///   or when the level has too few distinct problems for `count`.
    public func problems(level: Int, count: Int, excluding: Set<String> = []) throws -> [Problem] {
        try config.validate()
        guard let spec = config.spec(level: level) else {
            throw DataError.invalidArgument("level \(level) is not configured (levels: \(config.levels.map(\.level)))")
        }
        var rng = SeededGenerator(seed: seed, stream: UInt64(level))
        var seen = excluding
        var out: [Problem] = []
        var attempts = 0
        let maxAttempts = 1_000 + 200 * count
        while out.count < count {
            attempts += 1
            guard attempts <= maxAttempts else {
                throw DataError.invalidArgument(
                    "level \(level): only \(out.count) distinct problems found after \(maxAttempts) draws; ask for fewer")
            }
            guard let text = drawProblemText(spec, &rng), !seen.contains(text),
                  let task = try? BenchmarkTask(problem: text) else { continue }
            let steps = task.canonicalSteps
            let whole = SolutionFormat.text(problem: text, steps: steps, answer: task.answerText)
            guard whole.unicodeScalars.count <= config.maxTextLength else { continue }
            seen.insert(text)
            out.append(Problem(id: "s\(seed)-L\(level)-\(Self.padded(out.count))", problem: text, level: level,
                               subject: task.subject.rawValue, answer: task.answerText,
                               solution: task.canonicalSolution))
        }
        return out
    }

    /// Problems for several levels, in level order (see ``problems(level:count:excluding:)``).
    public func problems(countsByLevel: [Int: Int], excluding: Set<String> = []) throws -> [Problem] {
        var out: [Problem] = []
        for level in countsByLevel.keys.sorted() {
            out += try problems(level: level, count: countsByLevel[level] ?? 0, excluding: excluding)
        }
        return out
    }

    /// Train and test problems drawn as one pool of distinct problems per level and split at
    /// random, so both splits follow the same distribution and share no text. (Drawing the test
    /// split first and the training split after would not: a level with few distinct problems of
    /// some kind, such as level 1's two hundred or so one-operation sums, gives the first draws
    /// many of them and the later ones few, so the test split would ask mostly what training rarely
    /// showed.) Ids are those of ``problems(level:count:excluding:)``, unique within the pool; no
    /// text of `excluding` is drawn.
    public func split(trainCountsByLevel: [Int: Int], testCountsByLevel: [Int: Int],
                      excluding: Set<String> = []) throws -> (train: [Problem], test: [Problem]) {
        var train: [Problem] = [], test: [Problem] = []
        for level in Set(trainCountsByLevel.keys).union(testCountsByLevel.keys).sorted() {
            let testCount = testCountsByLevel[level] ?? 0
            let pool = try problems(level: level, count: (trainCountsByLevel[level] ?? 0) + testCount,
                                    excluding: excluding)
            // A Fisher-Yates shuffle by hand, not the standard library's `shuffled(using:)`, whose
            // algorithm may change between Swift versions: the split must be the same bytes everywhere.
            var order = Array(pool.indices)
            var rng = SeededGenerator(seed: seed, stream: 2_000 + UInt64(level))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.below(UInt64(i + 1))))
            }
            let testIndices = Set(order.prefix(testCount))
            for (i, problem) in pool.enumerated() {
                if testIndices.contains(i) { test.append(problem) } else { train.append(problem) }
            }
        }
        return (train, test)
    }

    // MARK: - Drawing problems

    /// One problem text, or nil when the draw broke a constraint (the caller draws again).
    func drawProblemText(_ spec: LevelSpec, _ rng: inout SeededGenerator) -> String? {
        let ops = rng.int(in: spec.operationCount)
        if rng.chance(spec.equationShare) {
            guard let (lhs, rhs) = drawEquation(spec, operations: ops, &rng) else { return nil }
            return "Solve \(lhs.text) = \(rhs)."
        }
        let drawn = spec.shape == .chain ? drawChain(spec, operations: ops, &rng) : drawExpression(spec, operations: ops, &rng)
        guard let (e, _) = drawn else { return nil }
        return "Compute \(e.text)."
    }

    /// A random expression tree with `operations` operations and its value; multiplications have
    /// a leaf factor of ``LevelSpec/multiplierDigits`` digits, divisions a leaf divisor, every
    /// value is positive and at most ``LevelSpec/maxValue``.
    func drawExpression(_ spec: LevelSpec, operations ops: Int, _ rng: inout SeededGenerator) -> (Expression, Int)? {
        if ops == 0 {
            let n = rng.number(digits: spec.leafDigits)
            return (.number(n), n)
        }
        let op = rng.element(of: spec.operations)
        var result: (Expression, Int)?
        switch op {
        case .add, .subtract:
            let leftOps = rng.int(in: 0...(ops - 1))
            guard var (l, a) = drawExpression(spec, operations: leftOps, &rng),
                  var (r, b) = drawExpression(spec, operations: ops - 1 - leftOps, &rng) else { return nil }
            if op == .subtract, a < b { swap(&l, &r); swap(&a, &b) }
            result = op.apply(a, b).map { (.binary(op, l, r), $0) }
        case .multiply:
            let k = max(2, rng.number(digits: spec.multiplierDigits))
            guard let (e, v) = drawExpression(spec, operations: ops - 1, &rng) else { return nil }
            let leafFirst = rng.chance(0.5)
            result = op.apply(v, k).map { (leafFirst ? .binary(.multiply, .number(k), e) : .binary(.multiply, e, .number(k)), $0) }
        case .divide:
            if ops == 1 {
                let d = max(2, rng.number(digits: spec.divisorDigits))
                let q = rng.number(digits: spec.leafDigits)
                guard d * q <= spec.maxValue else { return nil }  // the dividend is a value too
                result = (.binary(.divide, .number(d * q), .number(d)), q)
            } else {
                guard let (e, v) = drawExpression(spec, operations: ops - 1, &rng),
                      let d = drawDivisor(of: v, digits: spec.divisorDigits, &rng) else { return nil }
                result = (.binary(.divide, e, .number(d)), v / d)
            }
        }
        guard let r = result, r.1 > 0, r.1 <= spec.maxValue else { return nil }
        return r
    }

    /// A left-to-right chain `((a op b) op c) ...` with `operations` operations and its value: each
    /// operation applies a new number (a multiplier, divisor or leaf) to the previous result, with
    /// the same value rules as ``drawExpression(_:operations:_:)``.
    func drawChain(_ spec: LevelSpec, operations ops: Int, _ rng: inout SeededGenerator) -> (Expression, Int)? {
        var v = rng.number(digits: spec.leafDigits)
        var e = Expression.number(v)
        for _ in 0..<ops {
            let op = rng.element(of: spec.operations)
            let k: Int
            switch op {
            case .add: k = rng.number(digits: spec.leafDigits)
            case .subtract: k = rng.number(digits: spec.leafDigits)
            case .multiply: k = max(2, rng.number(digits: spec.multiplierDigits))
            case .divide:
                guard let d = drawDivisor(of: v, digits: spec.divisorDigits, &rng) else { return nil }
                k = d
            }
            guard let next = op.apply(v, k), next > 0, next <= spec.maxValue else { return nil }
            e = .binary(op, e, .number(k)); v = next
        }
        return (e, v)
    }

    /// A uniformly chosen divisor of `v` (at least 2) with a digit count in `digits`, if any.
    func drawDivisor(of v: Int, digits: ClosedRange<Int>, _ rng: inout SeededGenerator) -> Int? {
        let lo = max(2, pow10(digits.lowerBound - 1)), hi = pow10(digits.upperBound) - 1
        guard v > 0, lo <= hi else { return nil }
        let candidates = (lo...hi).filter { v % $0 == 0 }
        return candidates.isEmpty ? nil : rng.element(of: candidates)
    }

    /// A random equation `lhs = rhs` whose left side applies `operations` operations to `x`
    /// one after another (each with a number on a random side), and whose solution `x` is a
    /// positive integer with every intermediate value positive and at most the level's maximum.
    func drawEquation(_ spec: LevelSpec, operations ops: Int, _ rng: inout SeededGenerator) -> (Expression, Int)? {
        var v = rng.number(digits: spec.leafDigits)
        var e = Expression.variable
        for _ in 0..<ops {
            switch rng.element(of: spec.operations) {
            case .add:
                let k = rng.number(digits: spec.leafDigits)
                e = rng.chance(0.5) ? .binary(.add, e, .number(k)) : .binary(.add, .number(k), e)
                v += k
            case .subtract:
                let k = rng.number(digits: spec.leafDigits)
                if rng.chance(0.5), k < v {
                    e = .binary(.subtract, e, .number(k)); v -= k
                } else {
                    guard v + k <= spec.maxValue else { return nil }
                    e = .binary(.subtract, .number(v + k), e); v = k
                }
            case .multiply:
                let k = max(2, rng.number(digits: spec.multiplierDigits))
                e = rng.chance(0.5) ? .binary(.multiply, e, .number(k)) : .binary(.multiply, .number(k), e)
                v *= k
            case .divide:
                if rng.chance(0.7) {
                    guard let d = drawDivisor(of: v, digits: spec.divisorDigits, &rng) else { return nil }
                    e = .binary(.divide, e, .number(d)); v /= d
                } else {
                    // K / e = q  (so e = K / q): q is a divisor-sized number.
                    let q = max(2, rng.number(digits: spec.divisorDigits))
                    guard v * q <= spec.maxValue else { return nil }
                    e = .binary(.divide, .number(v * q), e); v = q
                }
            }
            guard v > 0, v <= spec.maxValue else { return nil }
        }
        return (e, v)
    }

    static func padded(_ i: Int) -> String {
        let s = String(i)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }
}
