/// Recursive-descent parser from tokens to `Expr`, with a bound on nesting depth.
///
/// Precedence, loosest first: list separators (`,` `;` "and" "or"), relations (`=` `<` `\le` ...,
/// `\in`), union (`\cup`), `+ - \pm`, `* / \cdot \div :` and implicit multiplication, unary sign,
/// powers and postfix (`!`, `\%`, `^\circ`), primaries. LaTeX commands live in Parser+Commands.swift.
struct Parser {
    var tokens: [Token]
    var pos = 0
    var depth = 0
    var absDepth = 0
    /// `\cap` operators read so far in the whole answer (each doubles the tree, see parseIntersection).
    var intersections = 0
    let maxDepth: Int

    init(tokens: [Token], maxDepth: Int = 48) {
        self.tokens = tokens
        self.maxDepth = maxDepth
    }

    // MARK: Token helpers

    var current: Token? { pos < tokens.count ? tokens[pos] : nil }
    func peek(_ k: Int) -> Token? { pos + k < tokens.count ? tokens[pos + k] : nil }
    func isOp(_ c: Character) -> Bool { current == .op(c) }
    func isCommand(_ name: String) -> Bool { current == .command(name) }

    mutating func expectOp(_ c: Character) throws {
        guard isOp(c) else { throw GradingFailure.syntax("expected '\(c)' at token \(pos)") }
        pos += 1
    }

    mutating func enter() throws {
        depth += 1
        if depth > maxDepth { throw GradingFailure.bound("nesting deeper than \(maxDepth)") }
    }

    mutating func leave() { depth -= 1 }

    private var atSeparator: Bool {
        switch current {
        case .op(","), .op(";"): return true
        case .word(let w): return w == "and" || w == "or"
        default: return false
        }
    }

    // MARK: Levels

    /// Items separated by `,`, `;`, "and", "or", up to a closer in `closers` (not consumed).
    mutating func parseSequence(closers: String) throws -> [Expr] {
        var items: [Expr] = []
        while true {
            while atSeparator { pos += 1 }
            guard let t = current else { break }
            if case .op(let c) = t, closers.contains(c) { break }
            items.append(try parseRelation())
            if !atSeparator { break }
        }
        return items
    }

    mutating func parseRelation() throws -> Expr {
        let first = try parseUnion()
        if isCommand("in") {
            pos += 1
            return .membership(first, try parseUnion())
        }
        var operands = [first], ops: [RelationOp] = []
        while case .op(let c) = current, let op = Parser.relationOp(c) {
            pos += 1
            ops.append(op)
            operands.append(try parseUnion())
        }
        return ops.isEmpty ? first : .relation(operands, ops)
    }

    static func relationOp(_ c: Character) -> RelationOp? {
        switch c {
        case "=": return .eq
        case "<": return .lt
        case ">": return .gt
        case "≤": return .le
        case "≥": return .ge
        case "≠": return .ne
        default: return nil
        }
    }

    mutating func parseUnion() throws -> Expr {
        var parts = [try parseIntersection()]
        while true {
            if isCommand("cup") {
                pos += 1
            } else if current == .letter("U"), let next = peek(1), next == .op("(") || next == .op("[") {
                pos += 1
            } else {
                break
            }
            parts.append(try parseIntersection())
        }
        var result = parts.count == 1 ? parts[0] : .union(parts)
        while isCommand("setminus") {
            pos += 1
            result = .difference(result, try parseIntersection())
        }
        return result
    }

    /// `A \cap B` (binds tighter than `\cup`, as a product binds tighter than a sum). For sets of reals
    /// the intersection is `A \setminus (A \setminus B)`, which the interval rules decide exactly.
    mutating func parseIntersection() throws -> Expr {
        var result = try parseAdditive()
        while isCommand("cap") {
            // Each intersection doubles the tree (`A` appears twice): a few are all answers hold.
            intersections += 1
            if intersections > 4 { throw GradingFailure.syntax("more than 4 set intersections") }
            pos += 1
            let b = try parseAdditive()
            result = .difference(result, .difference(result, b))
        }
        return result
    }

    mutating func parseAdditive() throws -> Expr {
        var terms = [try parseTerm()]
        var result: Expr? = nil
        func collapse(_ ts: [Expr]) -> Expr { ts.count == 1 ? ts[0] : .sum(ts) }
        while true {
            if isOp("+") {
                pos += 1
                terms.append(try parseTerm())
            } else if isOp("-") {
                pos += 1
                terms.append(.negate(try parseTerm()))
            } else if isCommand("pm") || isCommand("mp") {
                let minusFirst = isCommand("mp")
                pos += 1
                let t = try parseTerm()
                let left = result.map { [$0] + terms } ?? terms
                result = .plusMinus(collapse(left), minusFirst ? .negate(t) : t)
                terms = []
            } else {
                break
            }
        }
        if let r = result { return terms.isEmpty ? r : .sum([r] + terms) }
        return collapse(terms)
    }

    /// Products, quotients and implicit multiplication (`2x`, `2\pi`, `x(x+1)`, mixed numbers `7\frac34`).
    mutating func parseTerm() throws -> Expr {
        var result = try parseUnary()
        while true {
            if isOp("*") {
                pos += 1
                result = Parser.multiply(result, try parseUnary())
            } else if isOp("/") || isOp(":") {
                pos += 1
                result = .quotient(result, try parseUnary())
            } else if case .word(let w) = current, w != "and", w != "or" {
                // Words after a quantity are units (`5 \text{ cm}^2`); after text they extend it.
                pos += 1
                if case .text(let t) = result {
                    result = .text(t + " " + w.lowercased())
                } else if isOp("^"), case .number = peek(1) {
                    pos += 2
                }
            } else if let mixed = try parseMixedNumberTail(after: result) {
                result = mixed
            } else if startsImplicitFactor {
                result = Parser.multiply(result, try parsePower())
            } else {
                break
            }
        }
        return result
    }

    static func multiply(_ a: Expr, _ b: Expr) -> Expr {
        if case .product(let xs) = a { return .product(xs + [b]) }
        return .product([a, b])
    }

    /// `7\frac{3}{4}` or `7 3/4` right after a non-negative integer literal: the mixed number 7 + 3/4.
    private mutating func parseMixedNumberTail(after result: Expr) throws -> Expr? {
        var negative = false
        var wholeExpr = result
        if case .negate(let inner) = result { negative = true; wholeExpr = inner }
        guard case .number(let whole) = wholeExpr, whole.isInteger, whole.signum >= 0 else { return nil }
        var mixed: Expr? = nil
        if isCommand("frac") {
            let save = pos
            let f = try parsePrimary()
            if case .quotient(.number(let n), .number(let d)) = f, n.isInteger, d.isInteger, n.signum >= 0, d.signum > 0 {
                mixed = .sum([wholeExpr, f])
            } else {
                pos = save
            }
        } else if case .number(let a)? = current, case .op("/")? = peek(1), case .number(let b)? = peek(2),
                  !a.utf8.contains(UInt8(ascii: ".")), !b.utf8.contains(UInt8(ascii: ".")) {
            let f = try parsePower()
            pos += 1
            let g = try parsePower()
            mixed = .sum([wholeExpr, .quotient(f, g)])
        }
        guard var m = mixed else { return nil }
        if isOp("%") { pos += 1; m = .percent(m) }
        return negative ? .negate(m) : m
    }

    /// Whether the current token can start an implicit factor.
    private var startsImplicitFactor: Bool {
        guard let t = current else { return false }
        switch t {
        case .letter(let l): return l != "U" || !(peek(1) == .op("(") || peek(1) == .op("["))
        case .op(let c): return c == "(" || c == "{" || (c == "|" && absDepth == 0)
        case .command(let name): return Parser.valueCommands.contains(name) || MathFunctionTable.names[name] != nil
        case .number, .word: return false
        }
    }

    /// A signed factor. Each sign is one level of nesting (a bracket counts once, in parsePrimary).
    mutating func parseUnary() throws -> Expr {
        if isOp("-") || isOp("+") || isCommand("pm") || isCommand("mp") {
            try enter()
            defer { leave() }
            let sign = current
            pos += 1
            let operand = try parseUnary()
            switch sign {
            case .op("-"): return .negate(operand)
            case .op("+"): return operand
            default: return .plusMinus(.number(.zero), operand)
            }
        }
        return try parsePower()
    }

    /// A primary followed by postfix operators: `^`, `!`, `\%`, `^\circ`.
    mutating func parsePower() throws -> Expr {
        var base = try parsePrimary()
        while true {
            if isOp("!") {
                pos += 1
                base = .function(.factorial, [base])
            } else if isOp("%") {
                pos += 1
                base = .percent(base)
            } else if isCommand("circ") {
                pos += 1
                base = .degrees(base)
            } else if isOp("^") {
                pos += 1
                if isCommand("circ") {
                    pos += 1
                    base = .degrees(base)
                } else if isOp("{"), peek(1) == .command("circ"), peek(2) == .op("}") {
                    pos += 3
                    base = .degrees(base)
                } else {
                    base = .power(base, try parseExponent())
                }
            } else {
                break
            }
        }
        return base
    }

    /// The exponent after `^`: a braced group, a whole number, or one atom (with sign); right-associative.
    mutating func parseExponent() throws -> Expr {
        try enter()
        defer { leave() }
        var e: Expr
        if isOp("-") {
            pos += 1
            e = .negate(try parseExponent())
            return e
        } else if isOp("+") {
            pos += 1
            return try parseExponent()
        } else {
            e = try parsePrimary()
        }
        while isOp("!") { pos += 1; e = .function(.factorial, [e]) }
        if isOp("^") {
            pos += 1
            e = .power(e, try parseExponent())
        }
        return e
    }
}

extension Parser {
    /// Parses all tokens as one answer; a bare comma list becomes `.list`.
    mutating func parseAnswer() throws -> Expr {
        if tokens.isEmpty { throw GradingFailure.syntax("empty answer") }
        let items = try parseSequence(closers: "")
        if pos < tokens.count { throw GradingFailure.syntax("unexpected \(tokens[pos]) at token \(pos)") }
        if items.isEmpty { throw GradingFailure.syntax("empty answer") }
        return items.count == 1 ? items[0] : .list(items)
    }
}
