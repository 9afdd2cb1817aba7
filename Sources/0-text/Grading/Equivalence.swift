/// Structural equivalence of parsed answers (rung 5 of the ladder), dispatching scalars to exact or
/// random-point comparison (rungs 3 and 4, Equivalence+Scalars.swift) and intervals to
/// Intervals.swift.
///
/// Rules: tuples compare in order with the same brackets; sets and bare lists without order;
/// intervals by endpoints and bracket kinds (an infinite end is always open); equations `a = b` as
/// `a - b` up to a nonzero factor when both sides are equations; inequalities by direction; a leading
/// `x =` (or `x \in`) on a single answer is dropped.
struct EquivalenceChecker {
    var budget: WorkBudget
    /// Some comparison relied on doubles (rung 4) rather than exact arithmetic (rung 3).
    var usedApproximation = false
    /// The answers differed in shape (tuple vs set, lengths, brackets).
    var structureMismatch = false
    /// Seed of the random evaluation points (deterministic).
    var seed: UInt64 = 0x5EED_2403_0946
    /// At random points, evaluate the second side first (it was the one undefined at the last point).
    var bFirst = false

    init(budget: WorkBudget) {
        self.budget = budget
    }

    mutating func equivalent(_ a: Expr, _ b: Expr) throws -> Bool {
        try equivalent(a, b, topLevel: true)
    }

    mutating func equivalent(_ a0: Expr, _ b0: Expr, topLevel: Bool) throws -> Bool {
        try budget.spend(1)
        let a = Canonical.form(a0), b = Canonical.form(b0)

        // Text answers compare as lowercased words.
        if case .text(let x) = a, case .text(let y) = b { return x == y }
        if case .text = a { return mismatch() }
        if case .text = b { return mismatch() }

        // `x \in S` is S.
        if case .membership(let lhs, let s) = a, Canonical.isVariableLike(lhs) { return try equivalent(s, b, topLevel: topLevel) }
        if case .membership(let lhs, let s) = b, Canonical.isVariableLike(lhs) { return try equivalent(a, s, topLevel: topLevel) }

        if case .relation = a, case .relation = b { return try relationsEquivalent(a, b, matchNames: !topLevel) }
        if case .relation = a, let (_, v) = Canonical.assignment(a), !Canonical.isIntervalLike(b) {
            return try equivalent(v, b, topLevel: topLevel)
        }
        if case .relation = b, let (_, v) = Canonical.assignment(b), !Canonical.isIntervalLike(a) {
            return try equivalent(a, v, topLevel: topLevel)
        }

        if Canonical.isIntervalLike(a) || Canonical.isIntervalLike(b) {
            if let x = try IntervalSet.from(a, checker: &self), let y = try IntervalSet.from(b, checker: &self) {
                return try x.equals(y, checker: &self)
            }
        }

        switch (a, b) {
        case (.list(let xs), .list(let ys)):
            if Canonical.isAssignmentList(xs) && Canonical.isAssignmentList(ys) {
                return try unorderedEquivalent(xs, ys)
            }
            if Canonical.isAssignmentList(xs) || Canonical.isAssignmentList(ys) {
                return try orderedEquivalent(Canonical.values(xs), Canonical.values(ys))
            }
            return try unorderedEquivalent(xs, ys)
        case (.set(let xs), .set(let ys)), (.list(let xs), .set(let ys)), (.set(let xs), .list(let ys)),
             (.union(let xs), .union(let ys)):
            return try unorderedEquivalent(xs, ys)
        case (.bracket(let xs, let o1, let c1), .bracket(let ys, let o2, let c2)):
            guard xs.count == ys.count else { return mismatch() }
            if xs.count == 2 {
                // Interval ends at infinity are open whatever bracket was written.
                let (p1, q1) = Canonical.intervalBrackets(xs, o1, c1)
                let (p2, q2) = Canonical.intervalBrackets(ys, o2, c2)
                guard p1 == p2 && q1 == q2 else { return mismatch() }
            } else {
                guard o1 == o2 && c1 == c2 else { return mismatch() }
            }
            return try orderedEquivalent(xs, ys)
        case (.list(let xs), .bracket(let ys, .paren, .paren)), (.bracket(let xs, .paren, .paren), .list(let ys)):
            return try orderedEquivalent(Canonical.values(xs), Canonical.values(ys))
        case (.matrix(let r1), .matrix(let r2)):
            guard r1.count == r2.count, zip(r1, r2).allSatisfy({ $0.count == $1.count }) else { return mismatch() }
            return try orderedEquivalent(r1.flatMap { $0 }, r2.flatMap { $0 })
        case (.matrix(let rows), .bracket(let ys, .paren, .paren)), (.bracket(let ys, .paren, .paren), .matrix(let rows)):
            guard let v = Canonical.vector(rows) else { return mismatch() }
            return try orderedEquivalent(v, ys)
        default:
            break
        }
        if a.isScalar && b.isScalar { return try scalarsEquivalent(a, b) }
        // A one-element set against a scalar: compare the element. A set or bare list whose elements are
        // all equal is that element too (duplicates collapse: `\boxed{3}\boxed{3}`, `\frac12 \text{ or } 0.5`).
        if case .set(let xs) = a, xs.count == 1, b.isScalar { return try equivalent(xs[0], b, topLevel: false) }
        if case .set(let ys) = b, ys.count == 1, a.isScalar { return try equivalent(a, ys[0], topLevel: false) }
        if b.isScalar, let xs = Self.collection(a), (2...16).contains(xs.count) {
            for x in xs where !(try equivalent(x, b, topLevel: false)) { return mismatch() }
            return true
        }
        if a.isScalar, let ys = Self.collection(b), (2...16).contains(ys.count) {
            for y in ys where !(try equivalent(a, y, topLevel: false)) { return mismatch() }
            return true
        }
        return mismatch()
    }

    /// The elements of a set or bare list.
    static func collection(_ e: Expr) -> [Expr]? {
        switch e {
        case .set(let xs), .list(let xs): return xs
        default: return nil
        }
    }

    mutating func mismatch() -> Bool {
        structureMismatch = true
        return false
    }

    mutating func orderedEquivalent(_ xs: [Expr], _ ys: [Expr]) throws -> Bool {
        guard xs.count == ys.count else { return mismatch() }
        for (x, y) in zip(xs, ys) where !(try equivalent(x, y, topLevel: false)) { return false }
        return true
    }

    /// Set equality: every element has an equivalent on the other side (duplicates collapse).
    mutating func unorderedEquivalent(_ xs: [Expr], _ ys: [Expr]) throws -> Bool {
        guard xs.count * ys.count <= 4096 else { throw GradingFailure.bound("sets too large to compare") }
        var matchedY = [Bool](repeating: false, count: ys.count)
        for x in xs {
            var found = false
            for (j, y) in ys.enumerated() where try equivalent(x, y, topLevel: false) {
                matchedY[j] = true
                found = true
            }
            if !found { return false }
        }
        if !matchedY.allSatisfy({ $0 }) { return mismatchIfCounts(xs.count, ys.count) }
        return true
    }

    private mutating func mismatchIfCounts(_ n: Int, _ m: Int) -> Bool {
        if n != m { structureMismatch = true }
        return false
    }

    /// Equations up to a nonzero factor; inequalities by direction (a positive factor); chains pairwise.
    mutating func relationsEquivalent(_ a: Expr, _ b: Expr, matchNames: Bool) throws -> Bool {
        guard case .relation(let xs, let ops1) = a, case .relation(let ys, let ops2) = b else { return false }
        if ops1.count == 1 && ops2.count == 1 {
            let (op1, op2) = (ops1[0], ops2[0])
            if op1 == .eq && op2 == .eq {
                if let (n1, v1) = Canonical.assignment(a), let (n2, v2) = Canonical.assignment(b),
                   !matchNames || n1 == n2, try equivalent(v1, v2, topLevel: false) {
                    return true
                }
                return try proportional(.sum([xs[0], .negate(xs[1])]), .sum([ys[0], .negate(ys[1])]), positive: false)
            }
            if op1 == .ne && op2 == .ne {
                return try proportional(.sum([xs[0], .negate(xs[1])]), .sum([ys[0], .negate(ys[1])]), positive: false)
            }
            if op1.isInequality && op2.isInequality {
                if let x = try IntervalSet.from(a, checker: &self), let y = try IntervalSet.from(b, checker: &self) {
                    return try x.equals(y, checker: &self)
                }
                // Read both as `small < large` (or <=).
                let (s1, l1) = (op1 == .lt || op1 == .le) ? (xs[0], xs[1]) : (xs[1], xs[0])
                let (s2, l2) = (op2 == .lt || op2 == .le) ? (ys[0], ys[1]) : (ys[1], ys[0])
                guard op1.isStrict == op2.isStrict else { return mismatch() }
                return try proportional(.sum([l1, .negate(s1)]), .sum([l2, .negate(s2)]), positive: true)
            }
            return mismatch()
        }
        if let x = try IntervalSet.from(a, checker: &self), let y = try IntervalSet.from(b, checker: &self) {
            return try x.equals(y, checker: &self)
        }
        guard ops1 == ops2 else { return mismatch() }
        return try orderedEquivalent(xs, ys)
    }
}
