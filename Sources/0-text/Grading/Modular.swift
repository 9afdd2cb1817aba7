import BigInt

/// Identity testing of rational functions modulo primes (Schwartz-Zippel).
///
/// Two expressions built only from rational numbers, variables, `+ - * /` and integer powers are rational
/// functions with rational coefficients. Evaluating them at random points modulo a prime p costs a few
/// machine multiplications per node whatever the degree (`x^{20000}` is 15 squarings), where exact
/// evaluation at a rational point needs numbers of 10^5 bits. If the functions are equal, their values
/// agree modulo p at every point where the denominators are invertible; if they differ, the difference
/// has a nonzero numerator of degree d, which vanishes at a random point with probability at most d/p
/// (p about 2^61), unless every coefficient of it is divisible by p. Two primes are used, so a wrong
/// "equal" needs coefficients divisible by both (about 2^122): not a value a competition answer holds.
enum ModularIdentity {
    /// The two primes: 2^61 - 1 and 2^62 - 57.
    static let primes: [UInt64] = [(1 << 61) - 1, (1 << 62) - 57]
    /// Points tried per prime.
    static let pointsPerPrime = 3

    enum Outcome {
        /// Agreed at every point where both sides were defined (at least two).
        case equal
        /// Differed at some point: the rational functions are different.
        case different
        /// Not a rational function, or too few defined points: decide by the other rungs.
        case undecided
    }

    /// Whether `e` is a rational function: numbers, variables, `+ - * /`, constant integer powers.
    static func isRationalFunction(_ e: Expr) -> Bool {
        switch e {
        case .number, .decimal, .symbol: return true
        case .negate(let a): return isRationalFunction(a)
        case .sum(let xs), .product(let xs): return xs.allSatisfy(isRationalFunction)
        case .quotient(let a, let b): return isRationalFunction(a) && isRationalFunction(b)
        case .power(let a, let b): return isRationalFunction(a) && integerExponent(b) != nil
        default: return false
        }
    }

    /// An exponent that is a constant integer: a literal, or sums, products and powers of them
    /// (`10^{6}`), each at most `maxExponentBits` bits.
    static func integerExponent(_ e: Expr) -> BigInt? {
        func small(_ v: BigInt) -> BigInt? { v.magnitude.bitWidth <= maxExponentBits ? v : nil }
        switch e {
        case .number(let r) where r.isInteger: return small(r.numerator)
        case .decimal(let r, _, _) where r.isInteger: return small(r.numerator)
        case .negate(let a): return integerExponent(a).map { -$0 }
        case .sum(let xs):
            var acc = BigInt(0)
            for x in xs {
                guard let v = integerExponent(x), let s = small(acc + v) else { return nil }
                acc = s
            }
            return acc
        case .product(let xs):
            var acc = BigInt(1)
            for x in xs {
                guard let v = integerExponent(x), acc.magnitude.bitWidth + v.magnitude.bitWidth <= maxExponentBits else { return nil }
                acc *= v
            }
            return acc
        case .power(let a, let b):
            guard let base = integerExponent(a), let k = integerExponent(b), k.sign != .minus else { return nil }
            if base.magnitude <= 1 { return base.isZero ? (k.isZero ? 1 : 0) : (base.sign == .minus && k % 2 == 1 ? -1 : 1) }
            guard k.magnitude.bitWidth <= 16, base.magnitude.bitWidth * Int(k) <= maxExponentBits else { return nil }
            return base.power(Int(k))
        default: return nil
        }
    }

    /// Largest exponent size (bits) read by `integerExponent`.
    static let maxExponentBits = 256

    /// Compares `a` and `b` at random points modulo each prime; charges `budget` one step per node
    /// visit and per modular power.
    static func compare(_ a: Expr, _ b: Expr, symbols: [String], seed: UInt64, budget: inout WorkBudget) throws -> Outcome {
        guard isRationalFunction(a), isRationalFunction(b) else { return .undecided }
        var generator = EquivalenceChecker.PointGenerator(state: seed ^ 0x3C3C_5A5A)
        var defined = 0
        for p in primes {
            var field = Field(p: p)
            for _ in 0..<pointsPerPrime {
                var env: [String: UInt64] = [:]
                for s in symbols { env[s] = generator.next() % p }
                guard let va = try field.evaluate(a, env, &budget), let vb = try field.evaluate(b, env, &budget) else {
                    continue
                }
                if va != vb { return .different }
                defined += 1
            }
        }
        return defined >= 2 ? .equal : .undecided
    }

    /// Whether `a = c * b` for a constant c (the two sides of equations, `lhs - rhs`), at random points
    /// modulo each prime: the values at two points must have equal cross products, and vanish together.
    /// A mismatch proves the functions are not proportional (for a constant c whose numerator is not
    /// divisible by the prime); agreement everywhere is equality up to the same chance as `compare`. Both
    /// identically zero counts as proportional. The sign of c is not decided here.
    static func proportional(_ a: Expr, _ b: Expr, symbols: [String], seed: UInt64, budget: inout WorkBudget) throws -> Outcome {
        guard isRationalFunction(a), isRationalFunction(b) else { return .undecided }
        var generator = EquivalenceChecker.PointGenerator(state: seed ^ 0x5A5A_3C3C)
        var defined = 0
        for p in primes {
            var field = Field(p: p)
            var seen: [(UInt64, UInt64)] = []
            for _ in 0..<pointsPerPrime {
                var env: [String: UInt64] = [:]
                for s in symbols { env[s] = generator.next() % p }
                guard let va = try field.evaluate(a, env, &budget), let vb = try field.evaluate(b, env, &budget) else {
                    continue
                }
                if (va == 0) != (vb == 0) { return .different }
                for (pa, pb) in seen where field.mul(va, pb) != field.mul(pa, vb) { return .different }
                seen.append((va, vb))
                defined += 1
            }
        }
        return defined >= 2 ? .equal : .undecided
    }

    /// Arithmetic modulo a prime below 2^62.
    struct Field {
        let p: UInt64

        func add(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let s = x + y
            return s >= p ? s - p : s
        }

        func neg(_ x: UInt64) -> UInt64 { x == 0 ? 0 : p - x }

        func mul(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (hi, lo) = x.multipliedFullWidth(by: y)
            return p.dividingFullWidth((hi, lo)).remainder
        }

        func pow(_ x: UInt64, _ k: UInt64) -> UInt64 {
            var result: UInt64 = 1, base = x, e = k
            while e > 0 {
                if e & 1 == 1 { result = mul(result, base) }
                base = mul(base, base)
                e >>= 1
            }
            return result
        }

        /// Inverse by Fermat; nil for 0.
        func inverse(_ x: UInt64) -> UInt64? { x == 0 ? nil : pow(x, p - 2) }

        /// `n mod p` for a big integer.
        func reduce(_ n: BigInt) -> UInt64 {
            let r = UInt64(n.magnitude % BigUInt(p))
            return n.sign == .minus ? neg(r) : r
        }

        func reduce(_ r: Rational) -> UInt64? {
            guard let inv = inverse(reduce(r.denominator)) else { return nil }
            return mul(reduce(r.numerator), inv)
        }

        /// The value of `e` at `env` modulo p; nil where a denominator vanishes modulo p.
        mutating func evaluate(_ e: Expr, _ env: [String: UInt64], _ budget: inout WorkBudget) throws -> UInt64? {
            try budget.spend(1)
            switch e {
            case .number(let r), .decimal(let r, _, _):
                return reduce(r)
            case .symbol(let s):
                return env[s]
            case .negate(let a):
                return try evaluate(a, env, &budget).map(neg)
            case .sum(let xs):
                var acc: UInt64 = 0
                for x in xs {
                    guard let v = try evaluate(x, env, &budget) else { return nil }
                    acc = add(acc, v)
                }
                return acc
            case .product(let xs):
                var acc: UInt64 = 1
                for x in xs {
                    guard let v = try evaluate(x, env, &budget) else { return nil }
                    acc = mul(acc, v)
                }
                return acc
            case .quotient(let a, let b):
                guard let x = try evaluate(a, env, &budget), let y = try evaluate(b, env, &budget),
                      let inv = inverse(y) else { return nil }
                return mul(x, inv)
            case .power(let a, let b):
                guard let k = ModularIdentity.integerExponent(b), let x = try evaluate(a, env, &budget) else { return nil }
                try budget.spend(2)
                if k.isZero { return 1 }
                if x == 0 { return k.sign == .minus ? nil : 0 }
                // x^(p-1) = 1 for x != 0 (Fermat), so the exponent is taken modulo p - 1.
                let r = UInt64(k.magnitude % BigUInt(p - 1))
                let v = pow(x, r)
                return k.sign == .minus ? inverse(v) : v
            default:
                return nil
            }
        }
    }
}
