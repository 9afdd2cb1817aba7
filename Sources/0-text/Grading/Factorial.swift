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
