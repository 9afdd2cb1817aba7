/// The expression tree that both sides of a comparison are parsed into.
///
/// Scalars (numbers, symbols, arithmetic, functions) can be evaluated; the structural cases (tuples,
/// sets, intervals, matrices, relations, text) are compared by the rules in Equivalence.swift.
indirect enum Expr: Hashable, Sendable {
    /// An exact literal: integer, fraction, repeating decimal.
    case number(Rational)
    /// A decimal literal as stated (`0.333`): its value, decimal places and significant digits,
    /// kept so a rounded decimal can match an exact value to its own precision.
    case decimal(Rational, places: Int, significant: Int)
    /// A free variable (`x`, `\alpha`, `x_1`).
    case symbol(String)
    case constant(MathConstant)
    case sum([Expr])
    case product([Expr])
    case negate(Expr)
    case quotient(Expr, Expr)
    case power(Expr, Expr)
    case function(MathFunction, [Expr])
    /// `p\%`: compared both as `p` and as `p/100`.
    case percent(Expr)
    /// `a^\circ`: compared both as `a` and as `a*pi/180`.
    case degrees(Expr)
    /// `a \pm b` (`a` is zero for a leading `\pm`): stands for the two values `a+b`, `a-b`.
    case plusMinus(Expr, Expr)
    /// A bracketed comma list: tuple `(a,b)`, list `[a,b]`, or interval with any bracket pair.
    case bracket([Expr], open: Bracket, close: Bracket)
    /// `\{a, b\}`: unordered.
    case set([Expr])
    /// A bare comma list `a, b` (all solutions): unordered.
    case list([Expr])
    case union([Expr])
    /// `A \setminus B` (sets of reals).
    case difference(Expr, Expr)
    /// Rows of a `pmatrix`/`bmatrix`/...
    case matrix([[Expr]])
    /// A chain `a op b op c`; `operands.count == ops.count + 1`.
    case relation([Expr], [RelationOp])
    /// `x \in S`.
    case membership(Expr, Expr)
    /// Words that are not mathematics (`\text{Monday}`), lowercased.
    case text(String)
    /// A numeral in another base (`1011_2`): its digits and base.
    case based(String, Int)
}

/// Named constants.
enum MathConstant: String, Hashable, Sendable {
    case pi, e, i, infinity, reals, emptySet
}

/// Bracket kinds of a bracketed list.
enum Bracket: Hashable, Sendable {
    case paren, square
}

/// Relation operators.
enum RelationOp: String, Hashable, Sendable {
    case eq = "=", ne = "\\ne", lt = "<", le = "\\le", gt = ">", ge = "\\ge"

    /// Mirror image (`<` becomes `>`), for reading `b > a` as `a < b`.
    var flipped: RelationOp {
        switch self {
        case .eq, .ne: return self
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        }
    }

    var isInequality: Bool { self == .lt || self == .le || self == .gt || self == .ge }
    var isStrict: Bool { self == .lt || self == .gt }
}

/// Functions the evaluator knows.
enum MathFunction: String, Hashable, Sendable {
    case sin, cos, tan, cot, sec, csc
    case asin, acos, atan, acot, asec, acsc
    case sinh, cosh, tanh, coth
    case exp, ln
    /// `log(x, b)`: logarithm to base b (the parser supplies base 10 for a bare `\log`).
    case log
    /// `sqrt(x)` or `sqrt(x, n)` for the n-th root.
    case sqrt
    case abs, floor, ceil, factorial, binomial, max, min, gcd, lcm, sign
}

extension Expr {
    /// True for values that evaluate to a number (not structure, relation or text).
    var isScalar: Bool {
        switch self {
        case .bracket, .set, .list, .union, .difference, .matrix, .relation, .membership, .text, .plusMinus:
            return false
        default:
            return true
        }
    }

    /// Visits every sub-expression (pre-order); stops early when `body` returns false.
    @discardableResult
    func visit(_ body: (Expr) -> Bool) -> Bool {
        if !body(self) { return false }
        switch self {
        case .number, .decimal, .symbol, .constant, .text, .based:
            return true
        case .negate(let a), .percent(let a), .degrees(let a):
            return a.visit(body)
        case .quotient(let a, let b), .power(let a, let b), .plusMinus(let a, let b), .membership(let a, let b),
             .difference(let a, let b):
            return a.visit(body) && b.visit(body)
        case .sum(let xs), .product(let xs), .function(_, let xs), .bracket(let xs, _, _), .set(let xs),
             .list(let xs), .union(let xs), .relation(let xs, _):
            for x in xs where !x.visit(body) { return false }
            return true
        case .matrix(let rows):
            for row in rows { for x in row where !x.visit(body) { return false } }
            return true
        }
    }

    /// Names of the free variables, sorted.
    var freeSymbols: [String] {
        var names = Set<String>()
        visit { e in
            if case .symbol(let s) = e { names.insert(s) }
            return true
        }
        return names.sorted()
    }

    /// True when any node satisfies `predicate`.
    func contains(_ predicate: (Expr) -> Bool) -> Bool {
        var found = false
        visit { e in
            if predicate(e) { found = true; return false }
            return true
        }
        return found
    }

    /// Number of nodes (for bounding work).
    var nodeCount: Int {
        var n = 0
        visit { _ in n += 1; return true }
        return n
    }
}

extension Expr {
    /// Rebuilds the tree top-down: where `replace` returns a value it is used, else children are mapped.
    func replacing(_ replace: (Expr) -> Expr?) -> Expr {
        if let r = replace(self) { return r }
        func m(_ x: Expr) -> Expr { x.replacing(replace) }
        switch self {
        case .number, .decimal, .symbol, .constant, .text, .based: return self
        case .negate(let a): return .negate(m(a))
        case .percent(let a): return .percent(m(a))
        case .degrees(let a): return .degrees(m(a))
        case .quotient(let a, let b): return .quotient(m(a), m(b))
        case .power(let a, let b): return .power(m(a), m(b))
        case .plusMinus(let a, let b): return .plusMinus(m(a), m(b))
        case .membership(let a, let b): return .membership(m(a), m(b))
        case .difference(let a, let b): return .difference(m(a), m(b))
        case .sum(let xs): return .sum(xs.map(m))
        case .product(let xs): return .product(xs.map(m))
        case .function(let f, let xs): return .function(f, xs.map(m))
        case .bracket(let xs, let o, let c): return .bracket(xs.map(m), open: o, close: c)
        case .set(let xs): return .set(xs.map(m))
        case .list(let xs): return .list(xs.map(m))
        case .union(let xs): return .union(xs.map(m))
        case .relation(let xs, let ops): return .relation(xs.map(m), ops)
        case .matrix(let rows): return .matrix(rows.map { $0.map(m) })
        }
    }
}
