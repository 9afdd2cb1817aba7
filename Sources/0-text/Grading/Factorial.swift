import BigInt

/// Exact factorials for the evaluator.
///
/// `2004!` (about 300 machine words) is built as a balanced product tree of word-sized partial
/// products, multiplied by a plain schoolbook kernel on word arrays: about ten times faster than
/// going through BigUInt's general multiplication for these sizes.
enum Factorial {
    /// n! for n >= 0.
    static func of(_ n: Int) -> BigUInt {
        var parts: [[UInt]] = []
        var acc: UInt = 1
        var k: UInt = 2
        while k <= UInt(max(n, 1)) {
            let (p, overflow) = acc.multipliedReportingOverflow(by: k)
            if overflow { parts.append([acc]); acc = k } else { acc = p }
            k += 1
        }
        parts.append([acc])
        return productTree(parts)
    }

    /// Largest n for which `binomial` factors over the primes up to n.
    static let maxPrimeBinomial = 200_000

    /// `\binom{n}{k}` for 0 <= k <= n <= maxPrimeBinomial, from its prime factorization (the exponent of p
    /// is the number of carries when adding k and n - k in base p, by Legendre's formula): one product tree
    /// of prime powers, no division. `\binom{20000}{10000}` (20,000 bits) takes a fraction of a millisecond.
    static func binomial(_ n: Int, _ k0: Int) -> BigUInt {
        let k = min(k0, n - k0)
        if k < 0 { return 0 }
        if k == 0 { return 1 }
        var composite = [Bool](repeating: false, count: n + 1)
        var parts: [[UInt]] = []
        var acc: UInt = 1
        func times(_ p: UInt) {
            let (q, overflow) = acc.multipliedReportingOverflow(by: p)
            if overflow { parts.append([acc]); acc = p } else { acc = q }
        }
        var p = 2
        while p <= n {
            if !composite[p] {
                if p <= n / p { var m = p * p; while m <= n { composite[m] = true; m += p } }
                var e = 0, q = p
                while true {
                    e += n / q - k / q - (n - k) / q
                    if q > n / p { break }
                    q *= p
                }
                for _ in 0..<e { times(UInt(p)) }
            }
            p += 1
        }
        parts.append([acc])
        return productTree(parts)
    }

    /// The product of word arrays by a balanced tree.
    static func productTree(_ input: [[UInt]]) -> BigUInt {
        var parts = input
        while parts.count > 1 {
            var next: [[UInt]] = []
            next.reserveCapacity((parts.count + 1) / 2)
            var i = 0
            while i + 1 < parts.count { next.append(multiply(parts[i], parts[i + 1])); i += 2 }
            if i < parts.count { next.append(parts[i]) }
            parts = next
        }
        return BigUInt(words: parts[0])
    }

    /// Schoolbook product of little-endian word arrays (no leading zero words in the result).
    static func multiply(_ a: [UInt], _ b: [UInt]) -> [UInt] {
        #if canImport(Darwin)
        if #available(macOS 15.0, *) { return multiplyWide(a, b) }
        return multiplyPortable(a, b)
        #else
        return multiplyWide(a, b)
        #endif
    }

    /// The same product with a 128-bit accumulator (one multiply-add per step).
    @available(macOS 15.0, *)
    static func multiplyWide(_ a: [UInt], _ b: [UInt]) -> [UInt] {
        var r = [UInt](repeating: 0, count: a.count + b.count)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                r.withUnsafeMutableBufferPointer { rp in
                    for i in 0..<ap.count {
                        let ai = UInt128(ap[i])
                        if ai == 0 { continue }
                        var carry: UInt128 = 0
                        for j in 0..<bp.count {
                            let t = ai &* UInt128(bp[j]) &+ UInt128(rp[i + j]) &+ carry
                            rp[i + j] = UInt(truncatingIfNeeded: t)
                            carry = t >> 64
                        }
                        rp[i + bp.count] = UInt(truncatingIfNeeded: carry)
                    }
                }
            }
        }
        while r.count > 1 && r.last == 0 { r.removeLast() }
        return r
    }

    static func multiplyPortable(_ a: [UInt], _ b: [UInt]) -> [UInt] {
        var r = [UInt](repeating: 0, count: a.count + b.count)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                r.withUnsafeMutableBufferPointer { rp in
                    for i in 0..<ap.count {
                        let ai = ap[i]
                        if ai == 0 { continue }
                        var carry: UInt = 0
                        for j in 0..<bp.count {
                            let (hi, lo) = ai.multipliedFullWidth(by: bp[j])
                            let (s1, c1) = lo.addingReportingOverflow(rp[i + j])
                            let (s2, c2) = s1.addingReportingOverflow(carry)
                            rp[i + j] = s2
                            carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                        }
                        rp[i + bp.count] = carry
                    }
                }
            }
        }
        while r.count > 1 && r.last == 0 { r.removeLast() }
        return r
    }
}
