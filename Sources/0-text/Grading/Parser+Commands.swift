import BigInt

/// Function names (LaTeX command or plain name) and what they map to.
enum MathFunctionTable {
    static let names: [String: MathFunction] = [
        "sin": .sin, "cos": .cos, "tan": .tan, "cot": .cot, "sec": .sec, "csc": .csc, "cosec": .csc,
        "arcsin": .asin, "arccos": .acos, "arctan": .atan, "arccot": .acot, "arcsec": .asec, "arccsc": .acsc,
        "asin": .asin, "acos": .acos, "atan": .atan, "sinh": .sinh, "cosh": .cosh, "tanh": .tanh,
        "coth": .coth, "exp": .exp, "ln": .ln, "log": .log, "lg": .log, "abs": .abs, "max": .max,
        "min": .min, "gcd": .gcd, "lcm": .lcm, "sgn": .sign, "sign": .sign, "lfloorfn": .floor,
        "lceilfn": .ceil,
    ]

    /// The inverse of a trigonometric function, for `\sin^{-1}`.
    static func inverse(_ f: MathFunction) -> MathFunction? {
        switch f {
        case .sin: return .asin
        case .cos: return .acos
        case .tan: return .atan
        case .cot: return .acot
        case .sec: return .asec
        case .csc: return .acsc
        default: return nil
        }
    }
}

extension Parser {
    /// Commands that start a value (and so may follow a factor as implicit multiplication).
    static let valueCommands: Set<String> = [
        "frac", "sqrt", "cbrt", "binom", "pi", "infty", "lfloor", "lceil", "begin:pmatrix", "begin:bmatrix",
        "begin:matrix", "begin:vmatrix", "begin:Bmatrix", "begin:smallmatrix", "begin:array", "emptyset", "reals",
    ]

    mutating func parsePrimary() throws -> Expr {
        try enter()
        defer { leave() }
        guard let t = current else { throw GradingFailure.syntax("unexpected end of answer") }
        switch t {
        case .number(let digits):
            pos += 1
            return try parseNumberLiteral(digits)
        case .letter(let name):
            pos += 1
            return try parseSymbol(name)
        case .word(let w):
            pos += 1
            return .text(w.lowercased())
        case .op(let c):
            switch c {
            case "(", "[":
                pos += 1
                return try parseBracketGroup(open: c == "(" ? .paren : .square, closers: ")]")
            case "]":
                // French open interval `]a, b[`.
                pos += 1
                let items = try parseSequence(closers: "[")
                try expectOp("[")
                guard items.count == 2 else { throw GradingFailure.syntax("bad interval") }
                return .bracket(items, open: .paren, close: .paren)
            case "{":
                pos += 1
                let items = try parseSequence(closers: "}")
                try expectOp("}")
                if items.isEmpty { throw GradingFailure.syntax("empty group") }
                return items.count == 1 ? items[0] : .list(items)
            case "L":
                pos += 1
                // Set-builder notation `\{x \mid x > 2\}`, `\{x : x > 2\}`: the set the condition describes.
                if case .letter? = current, let sep = peek(1), sep == .op("|") || sep == .op(":") {
                    pos += 2
                    let condition = try parseRelation()
                    try expectOp("R")
                    return condition
                }
                let items = try parseSequence(closers: "R")
                try expectOp("R")
                return .set(items)
            case "|":
                pos += 1
                absDepth += 1
                let inner = try parseAdditive()
                absDepth -= 1
                try expectOp("|")
                return .function(.abs, [inner])
            default:
                throw GradingFailure.syntax("unexpected '\(c)'")
            }
        case .command(let name):
            pos += 1
            return try parseCommand(name)
        }
    }

    /// Number token (with optional repeating tail), scientific `e` exponent and base subscript.
    private mutating func parseNumberLiteral(_ digits: String) throws -> Expr {
        var value: Expr
        if let r = digits.firstIndex(of: "r") {
            value = .number(try Parser.repeatingDecimal(digits[..<r], digits[digits.index(after: r)...]))
        } else {
            guard let v = Rational.parseDecimal(Substring(digits)) else { throw GradingFailure.syntax("bad number \(digits)") }
            if let dot = digits.firstIndex(of: ".") {
                let places = digits.distance(from: dot, to: digits.endIndex) - 1
                let significant = digits.filter { $0 != "." }.drop { $0 == "0" }.count
                value = places > 0 ? .decimal(v, places: places, significant: significant) : .number(v)
            } else {
                value = .number(v)
            }
        }
        // Scientific notation `1.5e3`, `2E-4`.
        if case .letter(let l)? = current, l == "e" || l == "E" {
            var k = 1, sign = 1
            if case .op(let c)? = peek(1), c == "-" || c == "+" { sign = c == "-" ? -1 : 1; k = 2 }
            if case .number(let ex)? = peek(k), !ex.utf8.contains(UInt8(ascii: ".")), !ex.utf8.contains(UInt8(ascii: "r")), let n = Int(ex), n <= 400 {
                pos += k + 1
                let scale = Rational.powerOfTen(n)
                let v: Rational
                switch value {
                case .number(let x), .decimal(let x, _, _): v = x
                default: v = .zero
                }
                return .number(sign > 0 ? v * scale : Rational.divide(v, scale)!)
            }
        }
        // A numeral in another base: `1011_2`, `123_{4}`.
        if isOp("_"), !digits.utf8.contains(UInt8(ascii: ".")), !digits.utf8.contains(UInt8(ascii: "r")) {
            pos += 1
            let sub = try readRawArgument()
            if let base = Int(sub), base >= 2, base <= 36 {
                return .based(digits, base)
            }
            throw GradingFailure.syntax("bad subscript on a number")
        }
        return value
    }

    /// `0.1\overline{6}` = 1/6: non-repeating part plus the repeating block.
    static func repeatingDecimal(_ head: Substring, _ block: Substring) throws -> Rational {
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = parts.first.map(String.init) ?? ""
        let frac = parts.count > 1 ? String(parts[1]) : ""
        guard block.count <= 200, frac.count <= 200, let blockValue = BigInt(String(block)) else {
            throw GradingFailure.bound("repeating decimal too long")
        }
        let base = Rational.parseDecimal(Substring(intPart.isEmpty ? "0" : intPart + "." + frac + (frac.isEmpty ? "0" : ""))) ?? .zero
        let denom = (BigInt(10).power(block.count) - 1) * BigInt(10).power(frac.count)
        return base + Rational(normalizing: blockValue, denom)
    }

    /// A letter: `e` and `i` are constants; a subscript joins the name (`x_1`, `a_{n}`).
    private mutating func parseSymbol(_ name: String) throws -> Expr {
        if isOp("_") {
            pos += 1
            let sub = try readRawArgument()
            return .symbol(name + "_" + sub)
        }
        if name == "e" { return .constant(.e) }
        if name == "i" { return .constant(.i) }
        return .symbol(name)
    }

    /// A subscript or similar argument as plain text (`{n+1}` -> "n+1", `2` -> "2").
    mutating func readRawArgument() throws -> String {
        guard let t = current else { throw GradingFailure.syntax("missing subscript") }
        pos += 1
        func text(_ t: Token) -> String {
            switch t {
            case .number(let s), .letter(let s), .word(let s): return s
            case .command(let s): return "\\" + s
            case .op(let c): return String(c)
            }
        }
        if t == .op("{") {
            var out = "", level = 1
            while let u = current {
                pos += 1
                if u == .op("{") { level += 1 }
                if u == .op("}") { level -= 1; if level == 0 { return out } }
                out += text(u)
            }
            throw GradingFailure.syntax("unclosed subscript")
        }
        if case .number(let s) = t, s.count > 1, !s.utf8.contains(UInt8(ascii: ".")) {
            // TeX takes one character: `x_12` is x_1 followed by 2.
            tokens[pos - 1] = .number(String(s.dropFirst()))
            pos -= 1
            return String(s.prefix(1))
        }
        return text(t)
    }

    /// `( ... )` / `[ ... ]` with any closing bracket: grouping for one item, tuple or interval otherwise.
    private mutating func parseBracketGroup(open: Bracket, closers: String) throws -> Expr {
        let saveAbs = absDepth
        absDepth = 0
        let items = try parseSequence(closers: closers)
        absDepth = saveAbs
        guard case .op(let c)? = current, closers.contains(c) else { throw GradingFailure.syntax("unclosed bracket") }
        pos += 1
        let close: Bracket = c == ")" ? .paren : .square
        if items.isEmpty { throw GradingFailure.syntax("empty brackets") }
        if items.count == 1 {
            if open == close { return items[0] }
            throw GradingFailure.syntax("mismatched brackets around one item")
        }
        return .bracket(items, open: open, close: close)
    }

    /// One argument of `\frac`, `\sqrt`, `\binom`: a braced group or a single token (`\frac12`).
    mutating func parseArgument() throws -> Expr {
        guard let t = current else { throw GradingFailure.syntax("missing argument") }
        switch t {
        case .op("{"):
            pos += 1
            let items = try parseSequence(closers: "}")
            try expectOp("}")
            guard items.count == 1 else { throw GradingFailure.syntax("bad argument") }
            return items[0]
        case .number(let s) where s.count > 1 && !s.utf8.contains(UInt8(ascii: "r")):
            let first = String(s.prefix(1))
            if first == "." { throw GradingFailure.syntax("bad argument") }
            tokens[pos] = .number(String(s.dropFirst()))
            return .number(Rational(Int(first)!))
        case .number, .letter, .command:
            return try parsePrimary()
        default:
            throw GradingFailure.syntax("bad argument")
        }
    }

    private mutating func parseCommand(_ name: String) throws -> Expr {
        switch name {
        case "frac":
            let a = try parseArgument()
            let b = try parseArgument()
            return .quotient(a, b)
        case "binom":
            let a = try parseArgument()
            let b = try parseArgument()
            return .function(.binomial, [a, b])
        case "sqrt":
            var index: Expr? = nil
            if isOp("[") {
                pos += 1
                let items = try parseSequence(closers: "]")
                try expectOp("]")
                guard items.count == 1 else { throw GradingFailure.syntax("bad root index") }
                index = items[0]
            }
            let radicand = try parseArgument()
            return .function(.sqrt, index.map { [radicand, $0] } ?? [radicand])
        case "cbrt":
            return .function(.sqrt, [try parseArgument(), .number(Rational(3))])
        case "pi": return .constant(.pi)
        case "infty": return .constant(.infinity)
        case "reals": return .constant(.reals)
        case "emptyset": return .constant(.emptySet)
        case "lfloor", "lceil":
            let inner = try parseAdditive()
            guard current == .command(name == "lfloor" ? "rfloor" : "rceil") else { throw GradingFailure.syntax("unclosed \(name)") }
            pos += 1
            return .function(name == "lfloor" ? .floor : .ceil, [inner])
        default:
            if let f = MathFunctionTable.names[name] { return try parseFunction(f, name: name) }
            if name.hasPrefix("begin:") { return try parseMatrix(environment: String(name.dropFirst(6))) }
            throw GradingFailure.syntax("unsupported command \\\(name)")
        }
    }

    /// `\sin x`, `\sin^2 x`, `\sin^{-1} x`, `\log_2 8`, `\max(a, b)`.
    private mutating func parseFunction(_ f: MathFunction, name: String) throws -> Expr {
        var fn = f
        var outerPower: Expr? = nil
        var base: Expr? = name == "lg" ? .number(Rational(10)) : nil
        while true {
            if isOp("^") {
                pos += 1
                let p = try parseExponent()
                if p == .negate(.number(.one)), let inv = MathFunctionTable.inverse(fn) { fn = inv } else { outerPower = p }
            } else if isOp("_"), fn == .log {
                pos += 1
                base = try parseArgument()
            } else {
                break
            }
        }
        var args: [Expr]
        if isOp("(") {
            pos += 1
            let saveAbs = absDepth
            absDepth = 0
            args = try parseSequence(closers: ")")
            absDepth = saveAbs
            try expectOp(")")
        } else if isOp("{") {
            args = [try parseArgument()]
        } else {
            // Unparenthesized argument: an implicit product of powers, stopping at another function.
            var factor = try parsePower()
            while let t = current {
                var continues = false
                switch t {
                case .letter(let l): continues = l != "U"
                case .command(let c): continues = Parser.valueCommands.contains(c) && c != "frac"
                case .op(let c): continues = c == "{"
                default: break
                }
                if !continues { break }
                factor = Parser.multiply(factor, try parsePower())
            }
            args = [factor]
        }
        if args.isEmpty { throw GradingFailure.syntax("\\\(name) without argument") }
        // `\log` without a base is the common logarithm (competition usage, and Math-Verify's).
        if fn == .log && base == nil && args.count == 1 { base = .number(Rational(10)) }
        if let b = base { args.append(b) }
        let arity: ClosedRange<Int>
        switch fn {
        case .max, .min, .gcd, .lcm: arity = 1...64
        case .log: arity = 1...2
        default: arity = 1...1
        }
        guard arity.contains(args.count) else { throw GradingFailure.syntax("wrong number of arguments to \\\(name)") }
        let applied = Expr.function(fn, args)
        return outerPower.map { .power(applied, $0) } ?? applied
    }

    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` (also bmatrix, matrix, vmatrix, array).
    private mutating func parseMatrix(environment env: String) throws -> Expr {
        let kinds: Set<String> = ["pmatrix", "bmatrix", "Bmatrix", "matrix", "vmatrix", "Vmatrix", "smallmatrix", "array"]
        guard kinds.contains(env) else { throw GradingFailure.syntax("unsupported environment \(env)") }
        var rows: [[Expr]] = [], row: [Expr] = []
        while true {
            guard let t = current else { throw GradingFailure.syntax("unclosed \(env)") }
            if t == .command("end:" + env) {
                pos += 1
                if !row.isEmpty { rows.append(row) }
                break
            }
            if t == .op("&") { pos += 1; continue }
            if t == .op("\n") {
                pos += 1
                if !row.isEmpty { rows.append(row); row = [] }
                continue
            }
            row.append(try parseRelation())
            if rows.count > 64 || row.count > 64 { throw GradingFailure.bound("matrix too large") }
            guard let n = current, n == .op("&") || n == .op("\n") || n == .command("end:" + env) else {
                throw GradingFailure.syntax("bad matrix cell")
            }
        }
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw GradingFailure.syntax("ragged matrix")
        }
        return .matrix(rows)
    }
}
