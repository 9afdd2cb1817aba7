import Foundation

/// An exact Gaussian rational `re + im*i` (im is zero for real values).
struct ExactComplex: Hashable, Sendable {
    var re: Rational
    var im: Rational

    init(_ re: Rational, _ im: Rational = .zero) {
        self.re = re
        self.im = im
    }

    var isReal: Bool { im.isZero }
    var isZero: Bool { re.isZero && im.isZero }
    var bitSize: Int { re.bitSize + (im.isZero ? 0 : im.bitSize) }
    var approximation: Complex { Complex(re.doubleValue, im.isZero ? 0 : im.doubleValue) }
}

/// The result of evaluating a scalar expression: exact where the arithmetic allowed it, otherwise a
/// complex double together with `scale`, the size of the largest quantity its rounding errors are
/// relative to (so `sin^2 x + cos^2 x - 1` is recognised as zero up to rounding).
enum Value: Sendable {
    case exact(ExactComplex)
    case approx(Complex, scale: Double)

    static func real(_ r: Rational) -> Value { .exact(ExactComplex(r)) }
    static func approx(_ z: Complex) -> Value { .approx(z, scale: z.magnitude) }

    var complex: Complex {
        switch self {
        case .exact(let x): return x.approximation
        case .approx(let z, _): return z
        }
    }

    /// Error scale (see type doc); exact values count as their own magnitude.
    var scale: Double {
        switch self {
        case .exact(let x): return x.approximation.magnitude
        case .approx(_, let s): return s
        }
    }

    var exactValue: ExactComplex? {
        if case .exact(let x) = self { return x }
        return nil
    }

    /// The exact real value, if this is one.
    var exactReal: Rational? {
        if case .exact(let x) = self, x.isReal { return x.re }
        return nil
    }

    var isFinite: Bool {
        switch self {
        case .exact: return true
        case .approx(let z, _): return z.isFinite
        }
    }
}

/// Comparison of two values with a tolerance for approximations.
enum ValueComparison {
    /// Relative tolerance against the error scale of the two approximations.
    static let relativeTolerance = 1e-9

    /// True when `a` and `b` are equal: exactly when both are exact, else within tolerance.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        if case .exact(let x) = a, case .exact(let y) = b { return x == y }
        let za = a.complex, zb = b.complex
        // Overflow and NaN never match (infinite answers are compared as expressions).
        if !za.isFinite || !zb.isFinite { return false }
        let diff = (za - zb).magnitude
        if diff == 0 { return true }
        let s = max(a.scale, b.scale, za.magnitude, zb.magnitude)
        return diff <= relativeTolerance * s
    }

    /// The rounding rule: a stated decimal `d` (with `places` decimal places) matches `v` when `v`
    /// rounds to `d` at that precision. An exact `v` whose own decimal expansion ends within
    /// `places` digits must match exactly (so `1.3` does not match 5/4).
    static func roundsTo(_ v: Value, decimal d: Rational, places: Int) -> Bool {
        switch v {
        case .exact(let x):
            guard x.isReal else { return false }
            // A nonzero decimal d with `places` places is at least 10^-places, so a value that rounds to it lies
            // within a factor 2 of it: values further apart differ, decided before any big-number work
            // (`777777.77...^{40}` against `37.7710`).
            if !d.isZero, !x.re.isZero, abs(x.re.log2Magnitude - d.log2Magnitude) > 2 { return false }
            if x.re.isTerminatingDecimal, decimalPlaces(x.re) <= places { return x.re == d }
            // Round half away from zero at `places` digits.
            let scale = Rational.powerOfTen(places)
            let scaled = x.re.magnitude * scale + Rational(1, 2)!
            let rounded = Rational.divide(Rational(scaled.floor), scale)!
            return (x.re.signum < 0 ? -rounded : rounded) == d
        case .approx(let z, let s):
            guard z.isFinite, abs(z.im) <= relativeTolerance * max(s, 1) else { return false }
            let half = 0.5 * Foundation.pow(10, -Double(places))
            return abs(z.re - d.doubleValue) <= half * (1 + 1e-12) + relativeTolerance * s
        }
    }

    /// Number of decimal places of a terminating decimal.
    static func decimalPlaces(_ r: Rational) -> Int {
        var d = r.denominator.magnitude, twos = 0, fives = 0
        while d > 1 && d % 2 == 0 { d /= 2; twos += 1 }
        while d > 1 && d % 5 == 0 { d /= 5; fives += 1 }
        return max(twos, fives)
    }
}
