import BigInt
import Foundation

/// An exact rational number `num/den` in lowest terms with `den > 0`.
///
/// Values whose numerator and denominator fit in a machine word stay in `.small` (no allocation,
/// overflow-checked arithmetic); anything larger moves to `.big` (attaswift BigInt) and moves back
/// when it fits again, so the representation is canonical and `==`/`hash` are structural.
struct Rational: Hashable, Sendable, CustomStringConvertible {
    enum Storage: Hashable, Sendable {
        /// Invariant: den > 0, gcd(num, den) == 1, num != Int.min.
        case small(Int, Int)
        /// Invariant: den > 0, gcd == 1, and the value does not fit `.small`.
        case big(BigInt, BigInt)
    }

    var storage: Storage

    static let zero = Rational(0)
    static let one = Rational(1)

    init(_ value: Int) {
        storage = value == Int.min ? .big(BigInt(value), 1) : .small(value, 1)
    }

    init(_ value: BigInt) {
        self.init(normalizing: value, 1)
    }

    /// Builds `num/den` (any signs); `den` must be nonzero (checked by callers).
    init(normalizing num: BigInt, _ den: BigInt) {
        var n = num, d = den
        if d.sign == .minus { n.negate(); d.negate() }
        if d != 1 && n != 1 && n != -1 {
            // Exact division (2006!/2004!) needs no gcd.
            let (q, r) = n.magnitude.bitWidth >= d.magnitude.bitWidth ? n.quotientAndRemainder(dividingBy: d) : (0, n)
            if r.isZero {
                n = q
                d = 1
            } else {
                let g = Rational.gcd(n.magnitude, d.magnitude)
                if g > 1 { n /= BigInt(g); d /= BigInt(g) }
            }
        }
        if let sn = Int(exactly: n), let sd = Int(exactly: d), sn != Int.min {
            storage = .small(sn, sd)
        } else {
            storage = .big(n, d)
        }
    }

    /// Builds `num/den` from machine words, reducing; nil when `den == 0`.
    init?(_ num: Int, _ den: Int) {
        if den == 0 { return nil }
        if num != Int.min && den != Int.min {
            let g = Rational.gcd(num, den)
            let (n, d) = den < 0 ? (-num / g, -den / g) : (num / g, den / g)
            self.init(storage: .small(n, d))
            return
        }
        self.init(normalizing: BigInt(num), BigInt(den))
    }

    var numerator: BigInt {
        switch storage { case .small(let n, _): return BigInt(n); case .big(let n, _): return n }
    }

    var denominator: BigInt {
        switch storage { case .small(_, let d): return BigInt(d); case .big(_, let d): return d }
    }

    var isZero: Bool { if case .small(0, _) = storage { return true }; return false }

    var isInteger: Bool {
        switch storage { case .small(_, let d): return d == 1; case .big(_, let d): return d == 1 }
    }

    /// -1, 0 or 1.
    var signum: Int {
        switch storage {
        case .small(let n, _): return n.signum()
        case .big(let n, _): return n.sign == .minus ? -1 : (n.isZero ? 0 : 1)
        }
    }

    /// Approximate size in bits of numerator plus denominator (used to bound work).
    /// Bits of numerator plus denominator, exact also for machine-word values (`bitSize` counts a
    /// machine word as 64).
    var significantBits: Int {
        switch storage {
        case .small(let n, let d): return (Int.bitWidth - n.magnitude.leadingZeroBitCount) + (Int.bitWidth - d.leadingZeroBitCount)
        case .big(let n, let d): return n.magnitude.bitWidth + d.magnitude.bitWidth
        }
    }

    var bitSize: Int {
        switch storage {
        case .small: return 64
        case .big(let n, let d): return n.magnitude.bitWidth + d.magnitude.bitWidth
        }
    }

    /// The value as a machine integer, when it is an integer that fits.
    var intValue: Int? {
        if case .small(let n, 1) = storage { return n }
        return nil
    }

    var description: String {
        switch storage {
        case .small(let n, let d): return d == 1 ? "\(n)" : "\(n)/\(d)"
        case .big(let n, let d): return d == 1 ? "\(n)" : "\(n)/\(d)"
        }
    }

    static prefix func - (x: Rational) -> Rational {
        switch x.storage {
        case .small(let n, let d): return Rational(storage: .small(-n, d))
        // Negation keeps the fraction in lowest terms: no gcd (quadratic in the size) is needed.
        case .big(let n, let d): return Rational(storage: .big(-n, d))
        }
    }

    private init(storage: Storage) { self.storage = storage }

    static func + (a: Rational, b: Rational) -> Rational {
        if case .small(let an, let ad) = a.storage, case .small(let bn, let bd) = b.storage {
            if ad == 1 && bd == 1 {
                let (s, o) = an.addingReportingOverflow(bn)
                if !o && s != Int.min { return Rational(storage: .small(s, 1)) }
            } else {
                let (x, o1) = an.multipliedReportingOverflow(by: bd)
                let (y, o2) = bn.multipliedReportingOverflow(by: ad)
                let (d, o3) = ad.multipliedReportingOverflow(by: bd)
                if !o1 && !o2 && !o3 {
                    let (s, o4) = x.addingReportingOverflow(y)
                    if !o4 && s != Int.min { return reduced(s, d) }
                }
            }
        }
        // An integer added to a fraction in lowest terms stays in lowest terms: no gcd.
        if b.isInteger { return Rational(reduced: a.numerator + b.numerator * a.denominator, a.denominator) }
        if a.isInteger { return Rational(reduced: b.numerator + a.numerator * b.denominator, b.denominator) }
        // Knuth's addition: gcds of the denominators' size, not of the sum's.
        let ad = a.denominator, bd = b.denominator
        let g = gcd(ad.magnitude, bd.magnitude)
        if g == 1 { return Rational(reduced: a.numerator * bd + b.numerator * ad, ad * bd) }
        let bigG = BigInt(g)
        let t = a.numerator * (bd / bigG) + b.numerator * (ad / bigG)
        if t.isZero { return .zero }
        let g2 = BigInt(gcd(t.magnitude, g))
        return Rational(reduced: t / g2, (ad / bigG) * (bd / g2))
    }

    /// `num/den` already in lowest terms with `den > 0` (no gcd is computed).
    init(reduced num: BigInt, _ den: BigInt) {
        if let sn = Int(exactly: num), let sd = Int(exactly: den), sn != Int.min {
            storage = .small(sn, sd)
        } else {
            storage = .big(num, den)
        }
    }

    static func - (a: Rational, b: Rational) -> Rational { a + (-b) }

    static func * (a: Rational, b: Rational) -> Rational {
        if case .small(let an, let ad) = a.storage, case .small(let bn, let bd) = b.storage {
            if an == 0 || bn == 0 { return .zero }
            let g1 = gcd(an, bd), g2 = gcd(bn, ad)
            let (n, o1) = (an / g1).multipliedReportingOverflow(by: bn / g2)
            let (d, o2) = (ad / g2).multipliedReportingOverflow(by: bd / g1)
            if !o1 && !o2 && n != Int.min { return Rational(storage: .small(n, d)) }
        }
        // Both in lowest terms: cancel across (gcd(an, bd), gcd(bn, ad)), two gcds of the operands' sizes
        // instead of one of the product's, and none at all against an integer.
        let an = a.numerator, ad = a.denominator, bn = b.numerator, bd = b.denominator
        if an.isZero || bn.isZero { return .zero }
        let g1 = bd == 1 ? BigUInt(1) : gcd(an.magnitude, bd.magnitude)
        let g2 = ad == 1 ? BigUInt(1) : gcd(bn.magnitude, ad.magnitude)
        func div(_ x: BigInt, _ g: BigUInt) -> BigInt { g == 1 ? x : x / BigInt(g) }
        return Rational(reduced: div(an, g1) * div(bn, g2), div(ad, g2) * div(bd, g1))
    }

    /// `a / b`; nil when `b == 0`.
    static func divide(_ a: Rational, _ b: Rational) -> Rational? {
        guard let r = b.reciprocal else { return nil }
        return a * r
    }

    /// `1/x`; nil for zero.
    var reciprocal: Rational? {
        switch storage {
        case .small(let n, let d):
            if n == 0 { return nil }
            return Rational(storage: n < 0 ? .small(-d, -n) : .small(d, n))
        case .big(let n, let d):
            return n.sign == .minus ? Rational(reduced: -d, -n) : Rational(reduced: d, n)
        }
    }

    private static func reduced(_ n: Int, _ d: Int) -> Rational {
        let g = gcd(n, d)
        return Rational(storage: .small(n / g, d / g))
    }

    /// Greatest common divisor of magnitudes (1 when both are zero, so division is safe).
    static func gcd(_ a: Int, _ b: Int) -> Int {
        var x = a.magnitude, y = b.magnitude
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : Int(x)
    }

    /// Euclid's algorithm with remainders (attaswift's binary GCD shifts bit by bit, which is slow
    /// for the thousand-word numbers of `1/2004!`); finishes in machine words once both fit.
    static func gcd(_ a0: BigUInt, _ b0: BigUInt) -> BigUInt {
        var a = a0, b = b0
        while !b.isZero {
            if a.bitWidth <= 64 && b.bitWidth <= 64 {
                var x = UInt64(a), y = UInt64(b)
                while y != 0 { (x, y) = (y, x % y) }
                return BigUInt(x)
            }
            (a, b) = (b, a % b)
        }
        return a
    }

    /// Compared by cross products (denominators are positive): no gcd.
    static func < (a: Rational, b: Rational) -> Bool {
        if case .small(let an, let ad) = a.storage, case .small(let bn, let bd) = b.storage {
            let (x, o1) = an.multipliedFullWidth(by: bd), (y, o2) = bn.multipliedFullWidth(by: ad)
            return (x, o1) < (y, o2)
        }
        return a.numerator * b.denominator < b.numerator * a.denominator
    }

    /// Absolute value.
    var magnitude: Rational { signum < 0 ? -self : self }

    /// Largest integer <= self.
    var floor: BigInt {
        if case .small(let n, let d) = storage {
            let q = n / d, r = n % d
            return BigInt(r < 0 ? q - 1 : q)
        }
        let (q, r) = numerator.quotientAndRemainder(dividingBy: denominator)
        return (r.sign == .minus && !r.isZero) ? q - 1 : q
    }

    /// Smallest integer >= self.
    var ceiling: BigInt { -((-self).floor) }

    /// Integer power with a bound on the result size; nil when `0^negative` or the bound would be exceeded.
    func power(_ exponent: Int, maxBits: Int) -> Rational? {
        if exponent == 0 { return .one }
        if isZero { return exponent > 0 ? .zero : nil }
        let base = exponent < 0 ? reciprocal! : self
        let e = exponent.magnitude
        // Machine-word fast path by repeated squaring with overflow checks.
        if case .small(let n0, let d0) = base.storage, e <= 64 {
            var rn = 1, rd = 1, bn = n0, bd = d0, k = e, ok = true
            while k > 0 && ok {
                if k & 1 == 1 {
                    let (a, o1) = rn.multipliedReportingOverflow(by: bn)
                    let (b, o2) = rd.multipliedReportingOverflow(by: bd)
                    ok = !o1 && !o2
                    rn = a; rd = b
                }
                k >>= 1
                if k > 0 && ok {
                    let (a, o1) = bn.multipliedReportingOverflow(by: bn)
                    let (b, o2) = bd.multipliedReportingOverflow(by: bd)
                    ok = !o1 && !o2
                    bn = a; bd = b
                }
            }
            if ok && rn != Int.min { return Rational(storage: .small(rn, rd)) }
        }
        // Estimated size of the result: bits of the base times the exponent.
        let n = base.numerator, d = base.denominator
        let bits = max(n.magnitude.bitWidth, d.magnitude.bitWidth)
        if bits > 1, e > UInt(maxBits) || (bits - 1) * Int(e) > maxBits { return nil }
        if e > UInt(Int32.max) { return nil }
        // (n/d)^e with gcd(n, d) = 1 is in lowest terms.
        return Rational(reduced: n.power(Int(e)), d.power(Int(e)))
    }

    /// Exact `n`-th root when the value is a perfect power (negative values only for odd `n`).
    func exactRoot(_ n: Int) -> Rational? {
        if n < 1 { return nil }
        if n == 1 || isZero { return self }
        if case .small(let a, let b) = storage, a > 0 {
            guard let ra = Rational.smallRoot(a, n), let rb = Rational.smallRoot(b, n) else { return nil }
            return Rational(storage: .small(ra, rb))
        }
        if signum < 0 {
            guard n % 2 == 1, let r = (-self).exactRoot(n) else { return nil }
            return -r
        }
        guard let rn = Rational.integerRoot(numerator.magnitude, n),
              let rd = Rational.integerRoot(denominator.magnitude, n) else { return nil }
        return Rational(normalizing: BigInt(rn), BigInt(rd))
    }

    /// Exact `n`-th root of a positive machine integer, if it is a perfect power.
    static func smallRoot(_ x: Int, _ n: Int) -> Int? {
        if x == 1 { return 1 }
        if n >= 64 { return nil }
        let guess = Int(Foundation.pow(Double(x), 1.0 / Double(n)).rounded())
        for c in max(1, guess - 1)...(guess + 1) {
            var p = 1, overflow = false
            for _ in 0..<n {
                let (q, o) = p.multipliedReportingOverflow(by: c)
                if o { overflow = true; break }
                p = q
            }
            if !overflow && p == x { return c }
        }
        return nil
    }

    /// Exact integer `n`-th root of `x` when it exists (Newton iteration, bounded).
    static func integerRoot(_ x: BigUInt, _ n: Int) -> BigUInt? {
        if x < 2 { return x }
        if n == 2 {
            let r = x.squareRoot()
            return r * r == x ? r : nil
        }
        let bits = x.bitWidth
        if bits < 52 {
            let guess = pow(Double(x), 1.0 / Double(n)).rounded()
            for c in [guess - 1, guess, guess + 1] where c >= 1 {
                let r = BigUInt(c)
                if r.power(n) == x { return r }
            }
            return nil
        }
        if n > bits { return nil }
        // Newton: r_{k+1} = ((n-1) r_k + x / r_k^(n-1)) / n, starting above the root.
        var r = BigUInt(1) << ((bits + n - 1) / n)
        for _ in 0..<4096 {
            let next = (BigUInt(n - 1) * r + x / r.power(n - 1)) / BigUInt(n)
            if next >= r { break }
            r = next
        }
        return r.power(n) == x ? r : nil
    }

    /// True when the decimal expansion terminates (denominator of the form 2^a 5^b).
    var isTerminatingDecimal: Bool {
        if case .small(_, var d) = storage {
            while d % 2 == 0 { d /= 2 }
            while d % 5 == 0 { d /= 5 }
            return d == 1
        }
        var d = denominator.magnitude
        while d > 1 && d % 2 == 0 { d /= 2 }
        while d > 1 && d % 5 == 0 { d /= 5 }
        return d == 1
    }

    /// Nearest Double (correctly scaled for huge or tiny values; may be +-inf or 0 outside range).
    var doubleValue: Double {
        switch storage {
        case .small(let n, let d): return Double(n) / Double(d)
        case .big(let n, let d):
            let nb = n.magnitude.bitWidth, db = d.magnitude.bitWidth
            // Keep ~64 significant bits of each part, divide, then rescale by the dropped bits.
            let ns = max(0, nb - 64), ds = max(0, db - 64)
            let a = Double(n >> ns), b = Double(d >> ds)
            let q = a / b
            let shift = ns - ds
            if shift > 4000 { return q.sign == .minus ? -.infinity : .infinity }
            if shift < -4000 { return q.sign == .minus ? -0.0 : 0.0 }
            return Foundation.scalbn(q, shift)
        }
    }

    /// Base-2 logarithm of the magnitude (finite for any nonzero value, even outside Double range).
    var log2Magnitude: Double {
        let n = numerator.magnitude, d = denominator.magnitude
        func lg(_ x: BigUInt) -> Double {
            let b = x.bitWidth
            let s = max(0, b - 60)
            return Foundation.log2(Double(x >> s)) + Double(s)
        }
        return lg(n) - lg(d)
    }

    /// Parses a plain decimal literal such as `12`, `3.50`, `.5` exactly; nil when not one.
    static func parseDecimal(_ text: Substring) -> Rational? {
        // Fast path: up to 18 digits in machine words.
        var value = 0, places = 0, count = 0, seenDot = false, valid = true
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
            } else if b >= 0x30 && b <= 0x39 {
                count += 1
                if count > 18 { valid = false; break }
                value = value * 10 + Int(b - 0x30)
                if seenDot { places += 1 }
            } else {
                return nil
            }
        }
        if valid {
            if count == 0 { return nil }
            var scale = 1
            for _ in 0..<places { scale *= 10 }
            return Rational(value, scale)
        }
        return parseLongDecimal(text)
    }

    private static func parseLongDecimal(_ text: Substring) -> Rational? {
        var digits = "", places = 0, seenDot = false
        for ch in text {
            if ch == "." {
                if seenDot { return nil }
                seenDot = true
            } else if ch.isASCII, ch.isNumber {
                digits.append(ch)
                if seenDot { places += 1 }
            } else {
                return nil
            }
        }
        if digits.isEmpty { return nil }
        if places == 0, digits.count < 18, let v = Int(digits) { return Rational(v) }
        guard let n = BigInt(digits) else { return nil }
        return Rational(normalizing: n, BigInt(10).power(places))
    }

    /// `10^k` for small non-negative `k`.
    static func powerOfTen(_ k: Int) -> Rational {
        Rational(normalizing: BigInt(10).power(max(0, k)), 1)
    }
}
