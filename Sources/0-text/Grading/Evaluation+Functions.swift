import BigInt
import Foundation

extension Evaluator {
    /// Applies a function, exactly where the result is rational (roots of perfect powers, logs of
    /// exact powers, factorials, binomials, floor, gcd, ...), else in complex doubles.
    mutating func apply(_ f: MathFunction, _ args: [Value]) throws -> Value {
        let x = args[0]
        switch f {
        case .sqrt:
            var index = 2
            if args.count > 1 {
                guard let n = args[1].exactReal?.intValue, n >= 1, n <= 64 else {
                    return try power(x, try divide(.real(.one), args[1]))
                }
                index = n
            }
            if let r = x.exactReal, r.bitSize <= 8192 {
                try budget.spend(r.bitSize / 8 + 1)
                if let root = r.exactRoot(index) { return .real(root) }
                if index == 2, r.signum < 0, let root = (-r).exactRoot(2) { return .exact(ExactComplex(.zero, root)) }
            }
            let z = x.complex
            if z.isReal && z.re < 0 && index % 2 == 1 {
                return approx(Complex(-Foundation.pow(-z.re, 1 / Double(index))), from: x, derivative: 1)
            }
            let w = index == 2 ? Complex.sqrt(z) : Complex.pow(z, Complex(1 / Double(index)))
            return approx(w, from: x, derivative: w.magnitude / max(z.magnitude, .leastNormalMagnitude))
        case .abs:
            if case .exact(let e) = x {
                if e.isReal { return .real(e.re.magnitude) }
                if let r = (e.re * e.re + e.im * e.im).exactRoot(2) { return .real(r) }
            }
            return .approx(Complex(x.complex.magnitude), scale: x.scale)
        case .floor, .ceil:
            if let r = x.exactReal { return .real(Rational(f == .floor ? r.floor : r.ceiling)) }
            let z = x.complex
            guard z.isReal, z.re.isFinite, abs(z.re) < 1e15 else { throw GradingFailure.syntax("floor of a non-real") }
            let v = f == .floor ? z.re.rounded(.down) : z.re.rounded(.up)
            // A value within rounding error of an integer is ambiguous; refuse rather than guess.
            if abs(z.re - z.re.rounded()) <= ValueComparison.relativeTolerance * max(x.scale, 1), z.re != z.re.rounded() {
                throw GradingFailure.syntax("floor too close to an integer")
            }
            return .real(Rational(Int(v)))
        case .sign:
            let z = x.complex
            guard z.isReal else { throw GradingFailure.syntax("sign of a non-real") }
            return .real(Rational(z.re > 0 ? 1 : (z.re < 0 ? -1 : 0)))
        case .factorial:
            return try factorial(x)
        case .binomial:
            return try binomial(x, args[1])
        case .max, .min:
            var best = x
            for v in args.dropFirst() {
                let a = best.complex, b = v.complex
                guard a.isReal, b.isReal else { throw GradingFailure.syntax("max of a non-real") }
                if (f == .max) == (b.re > a.re) { best = v }
            }
            return best
        case .gcd, .lcm:
            var acc: BigInt? = nil
            for v in args {
                guard let r = v.exactReal, r.isInteger else { throw GradingFailure.syntax("gcd of a non-integer") }
                let n = r.numerator.magnitude
                guard let a = acc?.magnitude else { acc = BigInt(n); continue }
                let g = a.greatestCommonDivisor(with: n)
                acc = f == .gcd ? BigInt(g) : (g == 0 ? 0 : BigInt(a / g * n))
            }
            return .real(Rational(acc ?? 0))
        case .log:
            var base: Value? = args.count > 1 ? args[1] : nil
            if let b = base, let exactLog = try exactLogarithm(x, base: b) { return exactLog }
            if base == nil, let r = x.exactReal, r == .one { return .real(.zero) }
            var result: Value
            if let l = Self.logOutsideDoubleRange(x) {
                result = .approx(Complex(l), scale: max(abs(l), 1))
            } else {
                let lx = Complex.log(x.complex)
                result = approx(lx, from: x, derivative: 1 / max(x.complex.magnitude, .leastNormalMagnitude))
            }
            if let b = base {
                base = b
                let lb = Value.approx(Complex.log(b.complex))
                result = try divide(result, lb)
            }
            return result
        case .ln:
            if let r = x.exactReal, r == .one { return .real(.zero) }
            if let l = Self.logOutsideDoubleRange(x) { return .approx(Complex(l), scale: max(abs(l), 1)) }
            let lx = Complex.log(x.complex)
            return approx(lx, from: x, derivative: 1 / max(x.complex.magnitude, .leastNormalMagnitude))
        case .exp:
            if let r = x.exactReal, r.isZero { return .real(.one) }
            let w = Complex.exp(x.complex)
            if w.magnitude < .leastNormalMagnitude { throw GradingFailure.underflow }
            return approx(w, from: x, derivative: w.magnitude)
        default:
            return try trigonometric(f, x)
        }
    }

    /// The natural logarithm of an exact positive value outside the double range (`2222^{229}`, about
    /// 10^766; `2^{-2000}`), from its bit lengths: log2(n) - log2(d), each the log of its leading 60 bits plus
    /// the shift, so the result is accurate to double rounding (the value itself has no double). Nil for
    /// values inside the double range (the plain double log is more accurate near 1).
    static func logOutsideDoubleRange(_ x: Value) -> Double? {
        guard let r = x.exactReal, r.signum > 0 else { return nil }
        let m = x.complex.re
        guard !m.isFinite || m < .leastNormalMagnitude else { return nil }
        return r.log2Magnitude * M_LN2
    }

    /// An approximate result of a one-argument function with derivative size `derivative`.
    func approx(_ w: Complex, from x: Value, derivative: Double) -> Value {
        .approx(w, scale: max(w.magnitude, 1e-300) + derivative * x.scale)
    }

    private func trigonometric(_ f: MathFunction, _ x: Value) throws -> Value {
        if let r = x.exactReal, r.isZero {
            switch f {
            case .sin, .tan, .asin, .atan, .sinh, .tanh: return .real(.zero)
            case .cos, .sec, .cosh: return .real(.one)
            default: break
            }
        }
        let z = x.complex
        let one = Complex(1)
        let w: Complex
        switch f {
        case .sin: w = Complex.sin(z)
        case .cos: w = Complex.cos(z)
        case .tan: w = Complex.tan(z)
        case .cot: w = one / Complex.tan(z)
        case .sec: w = one / Complex.cos(z)
        case .csc: w = one / Complex.sin(z)
        case .asin: w = Complex.asin(z)
        case .acos: w = Complex.acos(z)
        case .atan: w = Complex.atan(z)
        case .acot: w = Complex.atan(one / z)
        case .asec: w = Complex.acos(one / z)
        case .acsc: w = Complex.asin(one / z)
        case .sinh: w = Complex.sinh(z)
        case .cosh: w = Complex.cosh(z)
        case .tanh: w = Complex.tanh(z)
        case .coth: w = one / Complex.tanh(z)
        default: throw GradingFailure.syntax("unknown function")
        }
        if !w.isFinite { throw GradingFailure.syntax("function undefined here") }
        // Derivatives of these functions are bounded by 1 + |w|^2 near real arguments.
        return approx(w, from: x, derivative: 1 + w.magnitude * w.magnitude)
    }

    private mutating func factorial(_ x: Value) throws -> Value {
        if let r = x.exactReal, r.isInteger {
            guard r.signum >= 0 else { throw GradingFailure.syntax("factorial of a negative integer") }
            guard let n = r.intValue, n <= budget.maxFactorial else { throw GradingFailure.bound("factorial argument too large") }
            try budget.spend(n * (n / 64 + 1) / 4 + 1)
            return .real(Rational(BigInt(Factorial.of(n))))
        }
        let z = x.complex
        guard z.isReal, z.re > -1 || z.re != z.re.rounded() else { throw GradingFailure.syntax("factorial undefined") }
        let w = Complex(Foundation.tgamma(z.re + 1))
        return approx(w, from: x, derivative: w.magnitude * (1 + abs(Foundation.log(max(abs(z.re), 1)))))
    }

    /// `\binom{n}{k}` for an integer k >= 0 and any n: n(n-1)...(n-k+1)/k! (so `\binom{n}{2}` is a polynomial).
    private mutating func binomial(_ n: Value, _ k: Value) throws -> Value {
        guard let kr = k.exactReal, kr.isInteger, let kk = kr.intValue else {
            throw GradingFailure.syntax("binomial with a non-integer lower index")
        }
        if kk < 0 { return .real(.zero) }
        if let nr = n.exactReal, nr.isInteger, nr.signum >= 0, nr < kr { return .real(.zero) }
        guard kk <= 20000 else { throw GradingFailure.bound("binomial too large") }
        // Integers: from the prime factorization, paid for by the size of the result.
        if let nr = n.exactReal, nr.isInteger, let nn = nr.intValue, nn >= kk, nn <= Factorial.maxPrimeBinomial {
            let logBits = (lgamma(Double(nn) + 1) - lgamma(Double(kk) + 1) - lgamma(Double(nn - kk) + 1)) / M_LN2
            guard logBits <= Double(budget.maxBits) else { throw GradingFailure.bound("binomial too large") }
            let words = Int(logBits) / 64 + 1
            try budget.spend(nn / 8 + words * words / 8 + 1)
            return .real(Rational(BigInt(Factorial.binomial(nn, kk))))
        }
        try budget.spend(kk + 1)
        var acc = Value.real(.one)
        for j in 0..<kk {
            acc = try multiply(acc, try add(n, .real(Rational(-j))))
            acc = try divide(acc, .real(Rational(j + 1)))
            if let e = acc.exactValue, e.bitSize > budget.maxBits { throw GradingFailure.bound("binomial too large") }
        }
        return acc
    }

    /// `log_b x` exactly when x = b^k for an integer k (or a rational k with small denominator).
    private mutating func exactLogarithm(_ x: Value, base b: Value) throws -> Value? {
        guard let xr = x.exactReal, let br = b.exactReal, xr.signum > 0, br.signum > 0, br != .one else { return nil }
        let estimate = xr.log2Magnitude / br.log2Magnitude
        guard estimate.isFinite, abs(estimate) < 100_000 else { return nil }
        for den in 1...6 {
            let scaled = estimate * Double(den)
            let num = scaled.rounded()
            // Only an exponent that the double estimate puts within rounding error of num/den can be exact:
            // `log 2222^{229}` (766.3...) computes no power at all.
            guard abs(scaled - num) <= 1e-7 * max(1, abs(scaled)), let candidate = Rational(Int(num), den) else { continue }
            // b^(num/den) == x  <=>  b^num == x^den; the powers are paid for before they are computed.
            let words = (Int(abs(num * br.log2Magnitude)) + den * Int(abs(xr.log2Magnitude))) / 64 + 1
            try budget.spend(words * words / 8 + 1)
            guard let lhs = br.power(Int(num), maxBits: budget.maxBits),
                  let rhs = xr.power(den, maxBits: budget.maxBits) else { continue }
            try budget.spend((lhs.bitSize + rhs.bitSize) / 64 + 1)
            if lhs == rhs { return .real(candidate) }
        }
        return nil
    }
}
