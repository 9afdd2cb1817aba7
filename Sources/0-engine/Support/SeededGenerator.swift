// The project's one seeded random number generator. Library code never uses the system
// generator: every random draw comes from a `SeededGenerator` passed in, so runs are reproducible
// from a seed. Its output is fixed by this file alone, so generated data sets are byte-identical
// across platforms and Swift versions (unlike `Int.random(in:using:)`, whose algorithm may change).

/// xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64, as its authors recommend.
/// Value type: copying it forks the stream, and its state can be saved in a checkpoint and
/// restored (`state`).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Creates a generator whose stream depends only on `seed`: its state is four SplitMix64
    /// outputs of `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    /// A generator for an independent numbered stream, e.g. one per level: the same
    /// `(seed, stream)` always gives the same sequence, and using one stream never shifts another.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7))
    }

    /// The stream of a named item (a problem id): the seed mixed with a stable hash (FNV-1a) of
    /// the name, so results do not depend on the order of items or on which others are present.
    public init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var sm = SplitMix64(state: seed ^ 0x9E37_79B9_7F4A_7C15)
        self.init(seed: sm.next() ^ h)
    }

    /// The four state words; restoring them resumes the stream exactly.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4, "a xoshiro256** state has four words")
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    enum CodingKeys: String, CodingKey { case state }

    public init(from decoder: Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.state],
                                                    debugDescription: "a generator state has 4 words, found \(words.count)"))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<bound` (Lemire's multiply-and-reject, unbiased). `bound` must be > 0.
    @inline(__always)
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// Uniform in `0..<bound`. `bound` must be > 0.
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int { Int(below(UInt64(bound))) }

    /// Uniform in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element of a non-empty array.
    public mutating func element<T>(of array: [T]) -> T { array[Int(below(UInt64(array.count)))] }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A standard normal sample (Box–Muller, one of the pair).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): seeds xoshiro, and is a fine generator for hashing
/// seeds into seeds.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Foundation-free libm access, so the lowest layer imports nothing heavy.
#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
