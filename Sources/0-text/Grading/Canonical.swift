/// Canonical shapes used before comparing: `\pm` expanded into a list of values, one-element lists
/// unwrapped, assignments `x = v` recognised, infinite interval ends opened.
enum Canonical {
    /// The form compared by EquivalenceChecker.
    static func form(_ e: Expr) -> Expr {
        switch e {
        case .list(let items):
            var out: [Expr] = []
            let assignments = items.map(assignment)
            let allAssign = assignments.allSatisfy { $0 != nil }
            let names = Set(assignments.compactMap { $0?.0 })
            let keepAssignments = allAssign && names.count == items.count && items.count > 1
            for (k, item) in items.enumerated() {
                // `x = 2, -2` or `x = 2, x = -2`: the values of one variable.
                var v = item
                if !keepAssignments, let (_, value) = assignments[k], allAssign || k == 0 { v = value }
                if v.contains({ if case .plusMinus = $0 { return true }; return false }), v.isScalar || isPlusMinusRoot(v) {
                    out.append(contentsOf: expand(v))
                } else {
                    out.append(v)
                }
            }
            return out.count == 1 ? out[0] : .list(out)
        case .relation(let xs, let ops) where ops == [.eq] && xs.count == 2:
            // `x = \pm 2` is the list x = 2, x = -2 (kept as a relation whose value is a list).
            return e
        case .relation(let xs, let ops) where xs.count > 2 && ops.allSatisfy({ $0 == .eq }):
            // A chain `x = 5+5+1 = 11`: its first and last sides.
            return .relation([xs[0], xs[xs.count - 1]], [.eq])
        default:
            if e.isScalar || isPlusMinusRoot(e), e.contains({ if case .plusMinus = $0 { return true }; return false }) {
                let values = expand(e)
                return values.count == 1 ? values[0] : .list(values)
            }
            return e
        }
    }

    private static func isPlusMinusRoot(_ e: Expr) -> Bool {
        if case .plusMinus = e { return true }
        return false
    }

    /// All sign choices of the `\pm` nodes in a scalar expression (at most 16 values).
    static func expand(_ e: Expr) -> [Expr] {
        func combine(_ parts: [[Expr]], _ build: ([Expr]) -> Expr) -> [Expr] {
            var acc: [[Expr]] = [[]]
            for p in parts {
                var next: [[Expr]] = []
                for prefix in acc { for x in p { next.append(prefix + [x]) } }
                acc = Array(next.prefix(16))
            }
            return acc.map(build)
        }
        switch e {
        case .plusMinus(let a, let b):
            var out: [Expr] = []
            for x in expand(a) {
                for y in expand(b) {
                    let isZero = x == .number(.zero)
                    out.append(isZero ? y : .sum([x, y]))
                    out.append(isZero ? .negate(y) : .sum([x, .negate(y)]))
                }
            }
            return Array(out.prefix(16))
        case .sum(let xs): return combine(xs.map(expand)) { .sum($0) }
        case .product(let xs): return combine(xs.map(expand)) { .product($0) }
        case .negate(let a): return expand(a).map { .negate($0) }
        case .quotient(let a, let b): return combine([expand(a), expand(b)]) { .quotient($0[0], $0[1]) }
        case .power(let a, let b): return combine([expand(a), expand(b)]) { .power($0[0], $0[1]) }
        case .function(let f, let xs): return combine(xs.map(expand)) { .function(f, $0) }
        case .percent(let a): return expand(a).map { .percent($0) }
        case .degrees(let a): return expand(a).map { .degrees($0) }
        default: return [e]
        }
    }

    /// A name that an answer can be assigned to: a symbol or word (`x`, `x_1`, `ABC`), a function-call
    /// left side (`f(x)`), a product of symbols (`AB`), a ratio of names (`V_1:V_2`), a tuple of names
    /// (`(p,q)`), a sum or difference of two to four names (`m + n`, `a - b`).
    static func isVariableLike(_ e: Expr) -> Bool {
        switch e {
        case .symbol, .text: return true
        case .product(let xs):
            if isFunctionCall(e) { return true }
            return xs.count <= 4 && xs.allSatisfy { if case .symbol = $0 { return true }; return false }
        case .quotient(let a, let b): return isName(a) && isName(b)
        case .bracket(let xs, .paren, .paren): return xs.count >= 2 && xs.count <= 8 && xs.allSatisfy(isName)
        case .sum(let xs):
            // `m + n = 41`, `a - b = 3`: the value of a combination of names that the question asks for.
            return (2...4).contains(xs.count) && xs.allSatisfy { t in
                if case .negate(let u) = t { return isName(u) }
                return isName(t)
            }
        default: return false
        }
    }

    /// A symbol, word or product of symbols (a name inside a ratio or tuple of names).
    private static func isName(_ e: Expr) -> Bool {
        switch e {
        case .symbol, .text: return true
        case .product(let xs): return xs.count <= 4 && xs.allSatisfy { if case .symbol = $0 { return true }; return false }
        default: return false
        }
    }

    /// `f(x)`: a function letter applied to an argument.
    static func isFunctionCall(_ e: Expr) -> Bool {
        guard case .product(let xs) = e, xs.count == 2 else { return false }
        return functionLetter(xs[0]) != nil
    }

    /// The name of a function letter `f` or of an inverse `f^{-1}`; nil for other factors.
    private static func functionLetter(_ e: Expr) -> String? {
        let letters: Set<String> = ["f", "g", "h", "p", "q", "P", "Q", "F", "G"]
        if case .symbol(let f) = e, letters.contains(f) { return f }
        if case .power(.symbol(let f), .negate(.number(let one))) = e, one == .one, letters.contains(f) { return f + "^{-1}" }
        return nil
    }

    private static func name(_ e: Expr) -> String {
        switch e {
        case .symbol(let s): return s
        case .text(let s): return s
        case .product(let xs):
            if isFunctionCall(e), let f = functionLetter(xs[0]) { return f + "()" }
            return xs.map(name).joined()
        case .quotient(let a, let b): return name(a) + ":" + name(b)
        case .bracket(let xs, _, _): return "(" + xs.map(name).joined(separator: ",") + ")"
        case .sum(let xs): return xs.map { t in if case .negate(let u) = t { return "-" + name(u) }; return "+" + name(t) }.joined()
        default: return ""
        }
    }

    /// `(name, value)` for `x = v` (or `v = x`) with a variable-like side not occurring in the other; the
    /// last side of a chain `x = 5+5+1 = 11`; the right side of an equation between constants
    /// (`\frac{10}{2} = 5`, named "").
    static func assignment(_ e: Expr) -> (String, Expr)? {
        guard case .relation(let xs, let ops) = e, ops.allSatisfy({ $0 == .eq }), xs.count >= 2 else { return nil }
        if xs.count > 2 {
            guard let last = xs.last, last.freeSymbols.isEmpty || isVariableLike(xs[0]) else { return nil }
            return (isVariableLike(xs[0]) ? name(xs[0]) : "", last)
        }
        for (lhs, rhs) in [(xs[0], xs[1]), (xs[1], xs[0])] where isVariableLike(lhs) {
            let n = name(lhs)
            let lhsSymbols = isFunctionCall(lhs) ? [] : Set(lhs.freeSymbols)
            if !lhsSymbols.isEmpty, rhs.freeSymbols.contains(where: lhsSymbols.contains) { continue }
            return (n, rhs)
        }
        if xs[0].isScalar, xs[1].isScalar, xs[0].freeSymbols.isEmpty, xs[1].freeSymbols.isEmpty { return ("", xs[1]) }
        return nil
    }

    /// Two or more assignments to distinct variables (`x = 1, y = 2`).
    static func isAssignmentList(_ items: [Expr]) -> Bool {
        guard items.count > 1 else { return false }
        let names = items.compactMap { assignment($0)?.0 }
        return names.count == items.count && Set(names).count == names.count
    }

    /// Items with assignments replaced by their values.
    static func values(_ items: [Expr]) -> [Expr] {
        items.map { assignment($0)?.1 ?? $0 }
    }

    /// Answers that describe a set of reals: unions, inequalities, `\mathbb{R}`, `\emptyset`, `x \in S`.
    static func isIntervalLike(_ e: Expr) -> Bool {
        switch e {
        case .union, .membership, .difference: return true
        case .constant(let c): return c == .reals || c == .emptySet
        case .relation(_, let ops): return ops.allSatisfy { $0.isInequality } || ops == [.ne]
        case .list(let items):
            return items.allSatisfy {
                if case .relation(_, let ops) = $0 { return ops.allSatisfy { $0.isInequality } }
                return false
            }
        default: return false
        }
    }

    static func isInfinite(_ e: Expr) -> Bool { infinitySign(e) != nil }

    /// +1 for `\infty` (or `+\infty`), -1 for `-\infty`, nil for anything else.
    static func infinitySign(_ e: Expr) -> Int? {
        switch e {
        case .constant(.infinity): return 1
        case .negate(let x): return infinitySign(x).map { -$0 }
        default: return nil
        }
    }

    /// Bracket kinds of a two-element bracket, with infinite ends made open.
    static func intervalBrackets(_ xs: [Expr], _ open: Bracket, _ close: Bracket) -> (Bracket, Bracket) {
        (isInfinite(xs[0]) ? .paren : open, isInfinite(xs[1]) ? .paren : close)
    }

    /// The entries of a one-row or one-column matrix.
    static func vector(_ rows: [[Expr]]) -> [Expr]? {
        if rows.count == 1 { return rows[0] }
        if rows.allSatisfy({ $0.count == 1 }) { return rows.map { $0[0] } }
        return nil
    }
}

extension Canonical {
    static let numberWords: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
        "thousand": 1000, "million": 1_000_000,
    ]
    private static let phrases: [String: Expr] = [
        "infinity": .constant(.infinity), "all real numbers": .constant(.reals), "all reals": .constant(.reals),
        "real numbers": .constant(.reals), "the real numbers": .constant(.reals), "reals": .constant(.reals),
        "no solution": .constant(.emptySet), "no solutions": .constant(.emptySet),
        "no real solutions": .constant(.emptySet), "empty set": .constant(.emptySet),
        "the empty set": .constant(.emptySet),
    ]

    /// Words with a mathematical meaning become mathematics: number words, "infinity",
    /// "all real numbers", "no solution".
    /// The value of a whole answer written in number words: `twenty-two`, `one hundred five`, `two thousand
    /// and twenty` (nil unless every word is a number word, and for a single word: resolveWords reads those).
    static func numberPhrase(_ text: String) -> Int? {
        var t = text.lowercased().trimmedASCII
        if t.hasSuffix(".") { t.removeLast() }
        let words = t.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init).filter { $0 != "and" }
        guard words.count >= 2, words.count <= 12 else { return nil }
        var total = 0, current = 0, afterTens = false
        for w in words {
            guard let v = numberWords[w] else { return nil }
            switch v {
            case 100:
                guard current < 100 else { return nil }
                current = max(current, 1) * 100
                afterTens = false
            case 1000, 1_000_000:
                guard current < 1000, total == 0 || total > v * max(current, 1) else { return nil }
                total += max(current, 1) * v
                current = 0
                afterTens = false
            default:
                // `twenty two` and `one hundred five`, not `two two` or `five twenty`.
                guard current % 100 == 0 || (afterTens && v > 0 && v < 10) else { return nil }
                current += v
                afterTens = v >= 20
            }
        }
        return total + current
    }

    /// `1-2j`: the engineers' imaginary unit, when `j` is the only variable of a scalar answer (as
    /// Qwen2.5-Math's grader reads it).
    static func imaginaryJ(_ e: Expr) -> Expr {
        guard e.isScalar, e.freeSymbols == ["j"] else { return e }
        return e.replacing { x in if case .symbol("j") = x { return .constant(.i) }; return nil }
    }

    static func resolveWords(_ e: Expr) -> Expr {
        guard e.contains({ if case .text = $0 { return true }; return false }) else { return e }
        return e.replacing { x in
            guard case .text(let w) = x else { return nil }
            if let n = numberWords[w] { return .number(Rational(n)) }
            return phrases[w]
        }
    }
}
