/// Rungs 3 and 4: scalar values compared exactly where possible, else at random points.
extension EquivalenceChecker {
    /// A small deterministic generator (SplitMix64) for evaluation points.
    struct PointGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// A random rational p/q with |p/q| in about [0.03, 8], either sign.
        static let primes = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41]

        mutating func rational() -> Rational {
            let q = Self.primes[Int(next() % UInt64(Self.primes.count))]
            let p = Int(next() % UInt64(8 * q - 1)) + 1
            let sign = next() % 3 == 0 ? -1 : 1
            return Rational(sign * p, q)!
        }
    }

    /// Number of points at which expressions with free variables are compared.
    static var pointCount: Int { 5 }

    mutating func scalarsEquivalent(_ a: Expr, _ b: Expr) throws -> Bool {
        // A numeral in another base equals the same digits written plainly (`1011_2` vs `1011`).
        if case .based(let d, _) = a, case .number(let n) = b, n.isInteger { return d == n.description }
        if case .based(let d, _) = b, case .number(let n) = a, n.isInteger { return d == n.description }
        let marked = a.contains(Self.isMarker) || b.contains(Self.isMarker)
        if try scalarsEquivalent(a, b, reading: .literal) { return true }
        if marked { return try scalarsEquivalent(a, b, reading: .converted) }
        return false
    }

    static func isMarker(_ e: Expr) -> Bool {
        switch e {
        case .percent, .degrees: return true
        default: return false
        }
    }

    /// At least 3 significant digits (`0.333`, `37.7`), or 2 decimal places with 2 significant digits
    /// (`0.33`, `0.67`): `0.3` for 1/3 or `3.1` for pi are too coarse to count as the same answer.
    static func isDeliberateRounding(places: Int, significant: Int) -> Bool {
        places >= 1 && (significant >= 3 || (places >= 2 && significant >= 2))
    }

    /// A stated decimal at the top of an expression: value, places, significant digits.
    static func statedDecimal(_ e: Expr) -> (Rational, Int, Int)? {
        switch e {
        case .decimal(let v, let p, let s): return (v, p, s)
        case .negate(let x): return statedDecimal(x).map { (-$0.0, $0.1, $0.2) }
        default: return nil
        }
    }

    private mutating func scalarsEquivalent(_ a: Expr, _ b: Expr, reading: MarkerReading) throws -> Bool {
        let symbols = Array(Set(a.freeSymbols).union(b.freeSymbols)).sorted()
        if symbols.isEmpty {
            if let sa = Canonical.infinitySign(a) { return Canonical.infinitySign(b) == sa }
            if Canonical.infinitySign(b) != nil { return false }
            var ev = Evaluator(reading: reading, budget: budget)
            defer { budget = ev.budget }
            let va: Value, vb: Value
            do {
                va = try ev.evaluate(a)
                vb = try ev.evaluate(b)
            } catch let f as GradingFailure where !f.isBound {
                return false
            }
            if !va.isFinite || !vb.isFinite { throw GradingFailure.bound("a value is outside the double range") }
            noteApproximation(va, vb)
            if ValueComparison.equal(va, vb) { return true }
            // The rounding rule (docs/grading.md): a stated decimal precise enough to be a deliberate
            // rounding matches a value that rounds to it, when the other side is not a decimal itself.
            let da = Self.statedDecimal(a), db = Self.statedDecimal(b)
            if let (d, places, sig) = da, db == nil, Self.isDeliberateRounding(places: places, significant: sig) {
                return ValueComparison.roundsTo(vb, decimal: d, places: places)
            }
            if let (d, places, sig) = db, da == nil, Self.isDeliberateRounding(places: places, significant: sig) {
                return ValueComparison.roundsTo(va, decimal: d, places: places)
            }
            return false
        }
        // Rational functions (any degree): identity modulo two primes, exact and cheap (Modular.swift).
        switch try ModularIdentity.compare(a, b, symbols: symbols, seed: seed, budget: &budget) {
        case .equal: return true
        case .different: return false
        case .undecided: break
        }
        // Free variables: compare at random points; a point where either side is undefined is skipped.
        var generator = PointGenerator(state: seed)
        var agreed = 0, attempts = 0
        while agreed < Self.pointCount && attempts < 3 * Self.pointCount {
            attempts += 1
            guard let (va, vb) = try evaluateAtRandomPoint(a, b, symbols: symbols, generator: &generator,
                                                           reading: reading) else { continue }
            if !ValueComparison.equal(va, vb) { return false }
            agreed += 1
        }
        if agreed < 2 {
            throw GradingFailure.bound("fewer than 2 of \(attempts) random points have both sides defined and within the double range")
        }
        return true
    }

    /// Both sides evaluated at one random point of their free symbols; nil when either side is
    /// undefined (or not finite) there, so the caller skips the point. Bound failures propagate.
    private mutating func evaluateAtRandomPoint(_ a: Expr, _ b: Expr, symbols: [String],
                                                generator: inout PointGenerator,
                                                reading: MarkerReading) throws -> (Value, Value)? {
        var env: [String: Value] = [:]
        for s in symbols { env[s] = .real(generator.rational()) }
        var ev = Evaluator(variables: env, reading: reading, budget: budget)
        var va: Value? = nil, vb: Value? = nil
        do {
            // The side that was undefined at the last point goes first: when it is undefined everywhere
            // (`x^{1/0}`), the other side (`x^{100}+x`) is not computed at every point in vain.
            // A side that is not finite here (`x^{\log 0}`) ends the point before the other is computed.
            if bFirst {
                vb = try ev.evaluate(b)
                if vb?.isFinite == false { budget = ev.budget; return nil }
                va = try ev.evaluate(a)
            } else {
                va = try ev.evaluate(a)
                if va?.isFinite == false { budget = ev.budget; return nil }
                vb = try ev.evaluate(b)
            }
            budget = ev.budget
        } catch let f as GradingFailure where !f.isBound || f.isUnderflow {
            // Undefined here, or too small for doubles: skip the point.
            budget = ev.budget
            if bFirst ? vb != nil : va != nil { bFirst.toggle() }
            return nil
        }
        guard let va, let vb else { return nil }
        if !va.isFinite || !vb.isFinite {
            bFirst = !vb.isFinite
            return nil
        }
        noteApproximation(va, vb)
        return (va, vb)
    }

    private mutating func noteApproximation(_ a: Value, _ b: Value) {
        if case .approx = a { usedApproximation = true }
        if case .approx = b { usedApproximation = true }
    }

    /// True when `a = k * b` for a constant k (nonzero; positive when `positive`), at random points.
    mutating func proportional(_ a: Expr, _ b: Expr, positive: Bool) throws -> Bool {
        let symbols = Array(Set(a.freeSymbols).union(b.freeSymbols)).sorted()
        // Rational functions of any degree (`f(x) = x^2` against `f(x) = x^{20000}`): modulo primes, exactly.
        if !positive, !symbols.isEmpty {
            switch try ModularIdentity.proportional(a, b, symbols: symbols, seed: seed, budget: &budget) {
            case .equal: return true
            case .different: return false
            case .undecided: break
            }
        }
        var generator = PointGenerator(state: seed ^ 0xA5A5)
        var ratio: Value? = nil
        var agreed = 0, attempts = 0, bothZero = 0
        let needed = symbols.isEmpty ? 1 : Self.pointCount
        let maxAttempts = symbols.isEmpty ? 1 : 3 * Self.pointCount
        while agreed < needed && attempts < maxAttempts {
            attempts += 1
            guard let (va, vb) = try evaluateAtRandomPoint(a, b, symbols: symbols, generator: &generator,
                                                           reading: .literal) else { continue }
            let zeroA = ValueComparison.equal(va, .real(.zero)), zeroB = ValueComparison.equal(vb, .real(.zero))
            if zeroA != zeroB { return false }
            if zeroA { bothZero += 1; continue }
            var ev2 = Evaluator(budget: budget)
            let r = try ev2.divide(va, vb)
            budget = ev2.budget
            if let previous = ratio {
                if !ValueComparison.equal(previous, r) { return false }
            } else {
                let z = r.complex
                if positive && !(z.isReal && z.re > 0) && !(abs(z.im) <= 1e-9 * z.magnitude && z.re > 0) { return false }
                ratio = r
            }
            agreed += 1
        }
        // Both sides identically zero (e.g. `x = x`) also count as the same relation.
        return agreed >= min(needed, 2) || (agreed == 0 && bothZero >= min(needed, 2))
    }
}
