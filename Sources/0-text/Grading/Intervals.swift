/// A subset of the reals as a union of intervals, for comparing `x > 3`, `(3, \infty)`,
/// `x \in (3, \infty)`, `(-\infty, 1) \cup (1, \infty)` and `x \ne 1` with one another.
struct IntervalSet {
    struct End {
        /// -1 for -infinity, +1 for +infinity, 0 for a finite end.
        var infinite: Int
        var value: Value
        var closed: Bool
        var position: Double { infinite != 0 ? Double(infinite) * .infinity : value.complex.re }
    }

    struct Piece {
        var lo: End
        var hi: End
    }

    var pieces: [Piece]

    /// Reads `e` as a set of reals; nil when it is not one (a point tuple, a relation in two variables, ...).
    static func from(_ e: Expr, checker: inout EquivalenceChecker) throws -> IntervalSet? {
        switch e {
        case .union(let parts), .list(let parts):
            var all: [Piece] = []
            for p in parts {
                if case .list = e, case .relation = p {} else if case .list = e { return nil }
                guard let s = try from(p, checker: &checker) else { return nil }
                all += s.pieces
            }
            return IntervalSet(pieces: all)
        case .constant(.reals):
            return IntervalSet(pieces: [Piece(lo: End(infinite: -1, value: .real(.zero), closed: false),
                                              hi: End(infinite: 1, value: .real(.zero), closed: false))])
        case .constant(.emptySet):
            return IntervalSet(pieces: [])
        case .set(let items):
            var all: [Piece] = []
            for x in items {
                guard let end = try end(x, closed: true, checker: &checker), end.infinite == 0 else { return nil }
                all.append(Piece(lo: end, hi: end))
            }
            return IntervalSet(pieces: all)
        case .bracket(let xs, let open, let close):
            guard xs.count == 2, let lo = try end(xs[0], closed: open == .square, checker: &checker),
                  let hi = try end(xs[1], closed: close == .square, checker: &checker),
                  lo.position <= hi.position else { return nil }
            return IntervalSet(pieces: [Piece(lo: lo, hi: hi)])
        case .difference(let a, let b):
            guard let x = try from(a, checker: &checker), let y = try from(b, checker: &checker) else { return nil }
            return x.subtracting(y)
        case .membership(let v, let s):
            guard Canonical.isVariableLike(v) else { return nil }
            return try from(s, checker: &checker)
        case .relation(let xs, let ops):
            return try fromRelation(xs, ops, checker: &checker)
        default:
            return nil
        }
    }

    private static func end(_ e: Expr, closed: Bool, checker: inout EquivalenceChecker) throws -> End? {
        if Canonical.isInfinite(e) {
            var sign = 1
            var x = e
            while case .negate(let inner) = x { sign = -sign; x = inner }
            return End(infinite: sign, value: .real(.zero), closed: false)
        }
        guard e.isScalar, e.freeSymbols.isEmpty else { return nil }
        var ev = Evaluator(budget: checker.budget)
        defer { checker.budget = ev.budget }
        do {
            let v = try ev.evaluate(e)
            if case .approx = v { checker.usedApproximation = true }
            let z = v.complex
            guard z.isFinite, abs(z.im) <= 1e-12 * max(1, abs(z.re)) else { return nil }
            return End(infinite: 0, value: v, closed: closed)
        } catch let f as GradingFailure where !f.isBound {
            return nil
        }
    }

    private static func fromRelation(_ xs: [Expr], _ ops: [RelationOp], checker: inout EquivalenceChecker) throws -> IntervalSet? {
        let minusInf = End(infinite: -1, value: .real(.zero), closed: false)
        let plusInf = End(infinite: 1, value: .real(.zero), closed: false)
        if let set = try absoluteValueBounds(xs, ops, checker: &checker) { return set }
        if xs.count == 2 {
            // Put the variable on the left: `3 < x` is `x > 3`.
            var op = ops[0], v = xs[0], c = xs[1]
            if !Canonical.isVariableLike(v) { (v, c) = (c, v); op = op.flipped }
            guard Canonical.isVariableLike(v), !Canonical.isVariableLike(c) else { return nil }
            switch op {
            case .lt, .le:
                guard let e = try end(c, closed: op == .le, checker: &checker) else { return nil }
                return IntervalSet(pieces: [Piece(lo: minusInf, hi: e)])
            case .gt, .ge:
                guard let e = try end(c, closed: op == .ge, checker: &checker) else { return nil }
                return IntervalSet(pieces: [Piece(lo: e, hi: plusInf)])
            case .ne:
                guard let e = try end(c, closed: false, checker: &checker) else { return nil }
                return IntervalSet(pieces: [Piece(lo: minusInf, hi: e), Piece(lo: e, hi: plusInf)])
            case .eq:
                guard let e = try end(c, closed: true, checker: &checker) else { return nil }
                return IntervalSet(pieces: [Piece(lo: e, hi: e)])
            }
        }
        if xs.count == 3, Canonical.isVariableLike(xs[1]) {
            let ascending = ops.allSatisfy { $0 == .lt || $0 == .le }
            let descending = ops.allSatisfy { $0 == .gt || $0 == .ge }
            guard ascending || descending else { return nil }
            let (loExpr, hiExpr, loOp, hiOp) = ascending ? (xs[0], xs[2], ops[0], ops[1]) : (xs[2], xs[0], ops[1], ops[0])
            guard let lo = try end(loExpr, closed: loOp == .le || loOp == .ge, checker: &checker),
                  let hi = try end(hiExpr, closed: hiOp == .le || hiOp == .ge, checker: &checker) else { return nil }
            return IntervalSet(pieces: [Piece(lo: lo, hi: hi)])
        }
        return nil
    }

    /// Bounds on `|x|`: `|x| < 3` is `(-3, 3)`, `|x| \ge 1` is `(-\infty, -1] \cup [1, \infty)`,
    /// `1 < |x| < 3` is `(-3, -1) \cup (1, 3)`.
    private static func absoluteValueBounds(_ xs: [Expr], _ ops: [RelationOp], checker: inout EquivalenceChecker) throws -> IntervalSet? {
        func isAbs(_ e: Expr) -> Bool {
            if case .function(.abs, let args) = e, args.count == 1, Canonical.isVariableLike(args[0]) { return true }
            return false
        }
        let whole = IntervalSet(pieces: [Piece(lo: End(infinite: -1, value: .real(.zero), closed: false),
                                               hi: End(infinite: 1, value: .real(.zero), closed: false))])
        // |x| below c (closed when `le`) and |x| above c, as sets of reals.
        func below(_ c: Expr, closed: Bool) throws -> IntervalSet? {
            guard let hi = try end(c, closed: closed, checker: &checker), hi.infinite == 0,
                  let lo = try end(.negate(c), closed: closed, checker: &checker) else { return nil }
            if hi.value.complex.re < 0 { return IntervalSet(pieces: []) }
            return IntervalSet(pieces: [Piece(lo: lo, hi: hi)])
        }
        func above(_ c: Expr, closed: Bool) throws -> IntervalSet? {
            guard let b = try below(c, closed: !closed) else { return nil }
            return whole.subtracting(b)
        }
        if xs.count == 2 {
            var op = ops[0], c = xs[1]
            if isAbs(xs[1]) { c = xs[0]; op = op.flipped } else if !isAbs(xs[0]) { return nil }
            switch op {
            case .lt, .le: return try below(c, closed: op == .le)
            case .gt, .ge: return try above(c, closed: op == .ge)
            default: return nil
            }
        }
        guard xs.count == 3, isAbs(xs[1]) else { return nil }
        let ascending = ops.allSatisfy { $0 == .lt || $0 == .le }
        let descending = ops.allSatisfy { $0 == .gt || $0 == .ge }
        guard ascending || descending else { return nil }
        let (loExpr, hiExpr, loOp, hiOp) = ascending ? (xs[0], xs[2], ops[0], ops[1]) : (xs[2], xs[0], ops[1], ops[0])
        guard let upper = try below(hiExpr, closed: hiOp == .le || hiOp == .ge),
              let cut = try below(loExpr, closed: !(loOp == .le || loOp == .ge)) else { return nil }
        return upper.subtracting(cut)
    }

    /// This set without the points and intervals of `other`.
    func subtracting(_ other: IntervalSet) -> IntervalSet {
        var current = normalized()
        for cut in other.normalized() {
            var next: [Piece] = []
            for p in current {
                // The part of p below the cut, and the part above it.
                if cut.lo.position > p.lo.position || (cut.lo.position == p.lo.position && p.lo.closed && !cut.lo.closed) {
                    var below = p
                    if cut.lo.position < p.hi.position || (cut.lo.position == p.hi.position && p.hi.closed && cut.lo.closed) {
                        below.hi = End(infinite: cut.lo.infinite, value: cut.lo.value, closed: !cut.lo.closed)
                    }
                    next.append(below)
                }
                if cut.hi.position < p.hi.position || (cut.hi.position == p.hi.position && p.hi.closed && !cut.hi.closed) {
                    var above = p
                    if cut.hi.position > p.lo.position || (cut.hi.position == p.lo.position && p.lo.closed && cut.hi.closed) {
                        above.lo = End(infinite: cut.hi.infinite, value: cut.hi.value, closed: !cut.hi.closed)
                    }
                    next.append(above)
                }
            }
            current = IntervalSet(pieces: next).normalized()
        }
        return IntervalSet(pieces: current)
    }

    /// Sorted, with empty pieces dropped and overlapping or touching pieces merged.
    func normalized() -> [Piece] {
        var ps = pieces.filter { p in
            p.lo.position < p.hi.position || (p.lo.infinite == 0 && p.hi.infinite == 0 && p.lo.closed && p.hi.closed
                                               && ValueComparison.equal(p.lo.value, p.hi.value))
        }
        ps.sort { $0.lo.position < $1.lo.position || ($0.lo.position == $1.lo.position && $0.lo.closed && !$1.lo.closed) }
        var out: [Piece] = []
        for p in ps {
            guard var last = out.last else { out.append(p); continue }
            let touching = last.hi.infinite == 0 && p.lo.infinite == 0 && ValueComparison.equal(last.hi.value, p.lo.value)
            if last.hi.position > p.lo.position || last.hi.infinite == 1 || (touching && (last.hi.closed || p.lo.closed)) {
                let sameHi = last.hi.infinite == p.hi.infinite && (p.hi.infinite != 0 || ValueComparison.equal(last.hi.value, p.hi.value))
                if sameHi {
                    last.hi.closed = last.hi.closed || p.hi.closed
                } else if p.hi.position > last.hi.position {
                    last.hi = p.hi
                }
                out[out.count - 1] = last
            } else {
                out.append(p)
            }
        }
        return out
    }

    func equals(_ other: IntervalSet, checker: inout EquivalenceChecker) throws -> Bool {
        let a = normalized(), b = other.normalized()
        guard a.count == b.count else { return checker.mismatch() }
        for (p, q) in zip(a, b) {
            try checker.budget.spend(1)
            for (x, y) in [(p.lo, q.lo), (p.hi, q.hi)] {
                if x.infinite != y.infinite { return false }
                if x.infinite == 0 {
                    if !ValueComparison.equal(x.value, y.value) { return false }
                    if x.closed != y.closed { return checker.mismatch() }
                }
            }
        }
        return true
    }
}
