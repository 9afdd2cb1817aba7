/// A small, fast, seeded pseudo-random generator (xoshiro256**, seeded by SplitMix64) whose
/// output is fixed by this file alone, so generated data sets are byte-identical across
/// platforms and Swift versions (unlike `Int.random(in:using:)`, whose algorithm may change).
public struct SeededRandom: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the state with four SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for an independent stream, e.g. one per level: the same `(seed, stream)`
    /// always gives the same sequence, and changing one stream's use never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<bound` (Lemire's multiply-and-reject, unbiased). `bound` must be > 0.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// Uniform in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element of a non-empty array.
    public mutating func element<T>(of array: [T]) -> T {
        array[Int(below(UInt64(array.count)))]
    }

    /// A number with a uniformly chosen digit count in `digits`, uniform among those numbers
    /// (1-digit numbers include 0 only when `allowZero`).
    public mutating func number(digits: ClosedRange<Int>, allowZero: Bool = false) -> Int {
        let d = int(in: digits)
        let low = d == 1 ? (allowZero ? 0 : 1) : pow10(d - 1)
        return int(in: low...(pow10(d) - 1))
    }
}

/// 10^n for small n.
func pow10(_ n: Int) -> Int {
    var r = 1
    for _ in 0..<n { r *= 10 }
    return r
}

/// Number of decimal digits of a non-negative integer (1 for 0).
func digitCount(_ n: Int) -> Int {
    var d = 1, v = n
    while v >= 10 { v /= 10; d += 1 }
    return d
}
