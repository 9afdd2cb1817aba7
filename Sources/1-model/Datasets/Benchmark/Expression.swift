/// The four operations of the built-in benchmark, on non-negative integers.
public enum Operation: String, Codable, Sendable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"

    /// The operator symbol as written in problems and steps.
    public var symbol: Character { Character(rawValue) }

    /// Whether operands may be swapped (`+`, `*`); a step may then list them in either order.
    public var isCommutative: Bool { self == .add || self == .multiply }

    var precedence: Int { self == .add || self == .subtract ? 1 : 2 }

    /// `a op b` when it stays in the benchmark's domain: no negative results, exact division by a
    /// non-zero divisor, no overflow; nil otherwise.
    public func apply(_ a: Int, _ b: Int) -> Int? {
        switch self {
        case .add:
            let (r, o) = a.addingReportingOverflow(b)
            return o ? nil : r
        case .subtract:
            return a >= b ? a - b : nil
        case .multiply:
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : r
        case .divide:
            return b != 0 && a % b == 0 ? a / b : nil
        }
    }
}

/// An arithmetic expression over non-negative integers and at most one unknown `x`.
public indirect enum Expression: Equatable, Sendable {
    case number(Int)
    case variable
    case binary(Operation, Expression, Expression)

    /// Number of operations.
    public var operationCount: Int {
        if case let .binary(_, l, r) = self { return 1 + l.operationCount + r.operationCount }
        return 0
    }

    /// Whether `x` occurs.
    public var containsVariable: Bool {
        switch self {
        case .number: return false
        case .variable: return true
        case let .binary(_, l, r): return l.containsVariable || r.containsVariable
        }
    }

    /// The value with `x` bound to `x`, or nil if some operation leaves the domain
    /// (see ``Operation/apply(_:_:)``).
    public func value(x: Int? = nil) -> Int? {
        switch self {
        case let .number(n): return n
        case .variable: return x
        case let .binary(op, l, r):
            guard let a = l.value(x: x), let b = r.value(x: x) else { return nil }
            return op.apply(a, b)
        }
    }

    /// Infix text with single spaces around operators and the fewest parentheses that keep the
    /// tree: a child is parenthesized when it binds looser than its parent, and a right child of
    /// equal precedence always is, so that parsing gives back exactly this tree.
    public var text: String {
        switch self {
        case let .number(n): return String(n)
        case .variable: return "x"
        case let .binary(op, l, r):
            func wrap(_ e: Expression, right: Bool) -> String {
                guard case let .binary(childOp, _, _) = e else { return e.text }
                let needs = childOp.precedence < op.precedence || (right && childOp.precedence == op.precedence)
                return needs ? "(" + e.text + ")" : e.text
            }
            return wrap(l, right: false) + " " + String(op.symbol) + " " + wrap(r, right: true)
        }
    }

    /// Parses infix text (`+ - * /`, parentheses, non-negative integers, `x`) with the usual
    /// precedence and left associativity. Spaces are optional.
    public static func parse(_ text: String) throws -> Expression {
        var p = ExpressionParser(text)
        let e = try p.parseSum()
        guard p.atEnd else { throw p.error("unexpected text") }
        return e
    }
}

/// Errors of reading a benchmark problem or expression.
public struct BenchmarkParseError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with the offending text.
    public var message: String
    public var description: String { message }
}

/// A recursive-descent parser for ``Expression``.
private struct ExpressionParser {
    private let chars: [Character]
    private var i = 0
    private let source: String

    init(_ text: String) {
        source = text
        chars = Array(text)
    }

    var atEnd: Bool {
        mutating get { skipSpaces(); return i == chars.count }
    }

    func error(_ what: String) -> BenchmarkParseError {
        BenchmarkParseError(message: "\(what) at character \(i + 1) of expression \"\(source)\"")
    }

    private mutating func skipSpaces() {
        while i < chars.count, chars[i] == " " { i += 1 }
    }

    private mutating func peekOperator(_ ops: [Operation]) -> Operation? {
        skipSpaces()
        guard i < chars.count else { return nil }
        return ops.first { $0.symbol == chars[i] }
    }

    mutating func parseSum() throws -> Expression {
        var e = try parseProduct()
        while let op = peekOperator([.add, .subtract]) {
            i += 1
            e = .binary(op, e, try parseProduct())
        }
        return e
    }

    private mutating func parseProduct() throws -> Expression {
        var e = try parseAtom()
        while let op = peekOperator([.multiply, .divide]) {
            i += 1
            e = .binary(op, e, try parseAtom())
        }
        return e
    }

    private mutating func parseAtom() throws -> Expression {
        skipSpaces()
        guard i < chars.count else { throw error("expected a number, x or '('") }
        if chars[i] == "(" {
            i += 1
            let e = try parseSum()
            skipSpaces()
            guard i < chars.count, chars[i] == ")" else { throw error("expected ')'") }
            i += 1
            return e
        }
        if chars[i] == "x" { i += 1; return .variable }
        var digits = ""
        while i < chars.count, chars[i].isASCII, chars[i].isNumber {
            digits.append(chars[i]); i += 1
        }
        guard let n = Int(digits) else { throw error("expected a number, x or '('") }
        return .number(n)
    }
}
