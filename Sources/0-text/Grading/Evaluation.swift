import BigInt
import Foundation

/// How percent and degree markers are read.
enum MarkerReading: Sendable {
    /// `50\%` is 50, `30^\circ` is 30.
    case literal
    /// `50\%` is 1/2, `30^\circ` is pi/6.
    case converted
}

/// Bounds on evaluation work; every node and every big-number operation spends steps.
struct WorkBudget: Sendable {
    /// Steps left; an operation that would go below zero throws a bound failure.
    var steps: Int
    /// Largest size in bits of an exact number before falling back to doubles.
    var maxBits: Int = 1 << 17
    /// Largest n for which n! is computed exactly.
    var maxFactorial: Int = 5000

    mutating func spend(_ n: Int) throws {
        steps -= n
        if steps < 0 { throw GradingFailure.bound("work limit reached") }
    }
}

/// Evaluates scalar expressions at a point, exactly where possible (see Value).
struct Evaluator {
    var variables: [String: Value]
    var reading: MarkerReading
    var budget: WorkBudget

    init(variables: [String: Value] = [:], reading: MarkerReading = .literal, budget: WorkBudget) {
        self.variables = variables
        self.reading = reading
        self.budget = budget
    }

    mutating func evaluate(_ e: Expr) throws -> Value {
        try budget.spend(1)
        switch e {
        case .number(let r), .decimal(let r, _, _):
            return .real(r)
        case .symbol(let name):
            guard let v = variables[name] else { throw GradingFailure.syntax("unbound variable \(name)") }
            return v
        case .constant(let c):
            switch c {
            case .pi: return .approx(Complex(Double.pi))
            case .e: return .approx(Complex(M_E))
            case .i: return .exact(ExactComplex(.zero, .one))
            case .infinity: return .approx(Complex(.infinity), scale: .infinity)
            case .reals, .emptySet: throw GradingFailure.syntax("a set is not a number")
            }
        case .sum(let terms):
            var acc = try evaluate(terms[0])
            for t in terms.dropFirst() { acc = try add(acc, try evaluate(t)) }
            return acc
        case .product(let factors):
            var acc = try evaluate(factors[0])
            for f in factors.dropFirst() { acc = try multiply(acc, try evaluate(f)) }
            return acc
        case .negate(let a):
            return negate(try evaluate(a))
        case .quotient(let a, let b):
            return try divide(try evaluate(a), try evaluate(b))
        case .power(let a, let b):
            return try power(try evaluate(a), try evaluate(b))
        case .function(let f, let args):
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try evaluate(a)) }
            return try apply(f, values)
        case .percent(let a):
            let v = try evaluate(a)
            return reading == .literal ? v : try divide(v, .real(Rational(100)))
        case .degrees(let a):
            let v = try evaluate(a)
            return reading == .literal ? v : try multiply(v, .approx(Complex(Double.pi / 180)))
        case .based(let digits, let base):
            guard let n = BigInt(digits, radix: base) else { throw GradingFailure.syntax("digit out of range for base \(base)") }
            return .real(Rational(n))
        case .plusMinus, .bracket, .set, .list, .union, .difference, .matrix, .relation, .membership, .text:
            throw GradingFailure.syntax("not a number")
        }
    }

    // MARK: Arithmetic

    private mutating func charge(_ a: ExactComplex, _ b: ExactComplex) throws {
        let wa = a.bitSize / 64 + 1, wb = b.bitSize / 64 + 1
        try budget.spend(min(wa * wb / 8 + 1, Int(Int32.max)))
        if a.bitSize > budget.maxBits || b.bitSize > budget.maxBits { throw Fallback.tooBig }
        // Reducing fractions costs a gcd, quadratic in the size: keep big fractions in doubles.
        let fractions = !(a.re.isInteger && a.im.isInteger && b.re.isInteger && b.im.isInteger)
        if fractions && a.bitSize + b.bitSize > Evaluator.maxFractionBits { throw Fallback.tooBig }
        // The gcd of Euclid's algorithm takes about (bits / 64) remainder steps of `words` each.
        if fractions { try budget.spend(2 * (wa + wb) * (wa + wb)) }
    }

    /// Largest combined size (bits) of two fractions combined exactly.
    static let maxFractionBits = 4096

    /// Exact arithmetic that grows too large continues in doubles.
    private enum Fallback: Error { case tooBig }

    /// The double value of `v`; a nonzero exact value that underflows doubles throws (it must not be
    /// compared as 0).
    func approximate(_ v: Value) throws -> Complex {
        let z = v.complex
        if case .exact(let x) = v, !x.isZero, z.magnitude < .leastNormalMagnitude { throw GradingFailure.underflow }
        return z
    }

    /// Throws when a product, quotient or power of nonzero values came out below the double range.
    private func checkUnderflow(_ z: Complex, _ a: Complex, _ b: Complex) throws {
        if z.magnitude < .leastNormalMagnitude && !a.isZero && !b.isZero { throw GradingFailure.underflow }
    }

    mutating func add(_ a: Value, _ b: Value) throws -> Value {
        if case .exact(let x) = a, case .exact(let y) = b {
            do {
                try charge(x, y)
                return .exact(ExactComplex(x.re + y.re, x.im + y.im))
            } catch is Fallback {}
        }
        let z = try approximate(a) + approximate(b)
        return .approx(z, scale: max(a.scale, b.scale, z.magnitude))
    }

    func negate(_ a: Value) -> Value {
        switch a {
        case .exact(let x): return .exact(ExactComplex(-x.re, -x.im))
        case .approx(let z, let s): return .approx(-z, scale: s)
        }
    }

    mutating func multiply(_ a: Value, _ b: Value) throws -> Value {
        if case .exact(let x) = a, case .exact(let y) = b {
            do {
                try charge(x, y)
                if x.isReal && y.isReal { return .real(x.re * y.re) }
                return .exact(ExactComplex(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re))
            } catch is Fallback {}
        }
        let za = try approximate(a), zb = try approximate(b)
        let z = za * zb
        try checkUnderflow(z, za, zb)
        return .approx(z, scale: max(a.scale * zb.magnitude + b.scale * za.magnitude, z.magnitude))
    }

    mutating func divide(_ a: Value, _ b: Value) throws -> Value {
        if case .exact(let y) = b, y.isZero { throw GradingFailure.syntax("division by zero") }
        if case .exact(let x) = a, case .exact(let y) = b {
            do {
                try charge(x, y)
                // A quotient of big integers is exact when it divides; otherwise reducing it costs a gcd of their
                // size (quadratic), so beyond the fraction limit it continues in doubles.
                if x.isReal, y.isReal, x.re.isInteger, y.re.isInteger, x.re.numerator.magnitude != 1,
                   x.re.bitSize + y.re.bitSize > Evaluator.maxFractionBits {
                    let (q, r) = x.re.numerator.quotientAndRemainder(dividingBy: y.re.numerator)
                    guard r.isZero else { throw Fallback.tooBig }
                    return .exact(ExactComplex(Rational(q)))
                }
                if y.isReal, let q = Rational.divide(x.re, y.re), let qi = Rational.divide(x.im, y.re) {
                    return .exact(ExactComplex(q, qi))
                }
                // (a+bi)/(c+di) = (a+bi)(c-di)/(c^2+d^2)
                let n = y.re * y.re + y.im * y.im
                let re = x.re * y.re + x.im * y.im, im = x.im * y.re - x.re * y.im
                if let r = Rational.divide(re, n), let i = Rational.divide(im, n) { return .exact(ExactComplex(r, i)) }
            } catch is Fallback {}
        }
        let za = try approximate(a), zb = try approximate(b)
        if zb.isZero { throw GradingFailure.syntax("division by zero") }
        let z = za / zb
        try checkUnderflow(z, za, zb)
        let mb = zb.magnitude
        return .approx(z, scale: max(a.scale / mb + za.magnitude * b.scale / (mb * mb), z.magnitude))
    }

    mutating func power(_ a: Value, _ b: Value) throws -> Value {
        if case .exact(let x) = a, case .exact(let y) = b, y.isReal {
            if let exact = try exactPower(x, y.re) { return .exact(exact) }
        }
        if case .exact(let y) = b, y.isReal, y.re.isZero { return .real(.one) }
        let za = try approximate(a), zb = try approximate(b)
        if za.isZero {
            if zb.re > 0 { return .real(.zero) }
            throw GradingFailure.syntax("zero to a non-positive power")
        }
        let z: Complex
        if zb.isReal, za.isReal, za.re < 0, let y = b.exactReal, !y.isInteger, y.denominator.magnitude % 2 == 1 {
            // Real odd root of a negative number: (-8)^(1/3) = -2, (-8)^(2/3) = 4, as in competition usage.
            let oddNumerator = y.numerator.magnitude % 2 == 1
            z = Complex((oddNumerator ? -1 : 1) * Foundation.pow(-za.re, y.doubleValue))
        } else {
            z = Complex.pow(za, zb)
        }
        if z.magnitude < .leastNormalMagnitude { throw GradingFailure.underflow }
        let rel = zb.magnitude * a.scale / max(za.magnitude, .leastNormalMagnitude)
            + Complex.log(za).magnitude * b.scale + 1
        return .approx(z, scale: z.magnitude * rel)
    }

    /// `x^y` exactly: integer exponents, and rational exponents of perfect powers.
    private mutating func exactPower(_ x: ExactComplex, _ y: Rational) throws -> ExactComplex? {
        guard let n = y.numerator.magnitude <= BigUInt(Int32.max) ? Int(y.numerator) : nil,
              let d = Int(exactly: y.denominator) else { return nil }
        try budget.spend(1 + x.bitSize / 64)
        // Charge the multiplications of the result's size before computing it (x^{10000} at a random
        // rational point has ~10^5 bits): repeated squaring with schoolbook big-number products costs
        // about words^2 word products, each worth a step (measured: a step is about 25 ns of work).
        let words = ((x.re.significantBits + x.im.significantBits) * abs(n)) / 64 / max(1, d) + 1
        if words > 4 {
            if words > budget.maxBits / 32 { return nil }
            try budget.spend(words * words)
        }
        if d == 1 {
            if x.isReal {
                guard let r = x.re.power(n, maxBits: budget.maxBits) else {
                    if x.re.isZero && n < 0 { throw GradingFailure.syntax("division by zero") }
                    return nil
                }
                try budget.spend(r.bitSize / 64)
                return ExactComplex(r)
            }
            guard abs(n) <= 256 else { return nil }
            var result = ExactComplex(.one), base = x, e = abs(n)
            while e > 0 {
                if e & 1 == 1 { result = mul(result, base) }
                base = mul(base, base)
                e >>= 1
            }
            if n < 0 {
                let m = result.re * result.re + result.im * result.im
                guard let r = Rational.divide(result.re, m), let i = Rational.divide(-result.im, m) else { return nil }
                return ExactComplex(r, i)
            }
            return result
        }
        // Rational exponent n/d: the d-th root must be exact.
        guard x.isReal, d <= 64, x.bitSize <= 8192 else { return nil }
        if x.re.signum < 0 && d % 2 == 0 { return nil }
        guard let root = x.re.exactRoot(d), let r = root.power(n, maxBits: budget.maxBits) else { return nil }
        return ExactComplex(r)
    }

    private func mul(_ x: ExactComplex, _ y: ExactComplex) -> ExactComplex {
        ExactComplex(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re)
    }
}
