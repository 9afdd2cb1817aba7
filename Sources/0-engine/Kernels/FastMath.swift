// Vectorized transcendental functions. glibc's scalar `expf`/`tanhf` cost ~10 ns per element;
// these polynomial versions work on 8 lanes at once and are accurate to a few ulp.

public typealias Vec8 = SIMD8<Float>

/// e^x for 8 lanes: range reduction x = n·ln2 + r (Cody–Waite), a degree-6 polynomial for e^r,
/// and 2^n built in the exponent bits. Inputs are clamped to [-87.3, 88.7]; relative error < 2e-7.
///
/// Written with plain lane-wise arithmetic and bit casts only: generic SIMD conversions
/// (`rounded`, `SIMD8<Int32>(floats)`) are not vectorized in a baseline build and cost more than
/// the whole polynomial.
@inline(__always)
public func exp8(_ input: Vec8) -> Vec8 {
    var x = input
    x = x.replacing(with: -87.3, where: x .< -87.3)
    x = x.replacing(with: 88.7, where: x .> 88.7)
    // Round x·log2(e) to the nearest integer n by adding 1.5·2^23: the sum's low mantissa bits
    // then hold n (two's complement), and subtracting the constant back gives n as a float.
    let shifter: Float = 12_582_912
    let shifted = x * 1.442_695_04 + shifter
    let n = shifted - shifter
    var r = x - n * 0.693_145_751_953_125
    r = r - n * 1.428_606_765_330_187_045e-6
    // e^r on |r| <= ln2/2.
    var p = Vec8(repeating: 1.0 / 720.0)
    p = p * r + (1.0 / 120.0)
    p = p * r + (1.0 / 24.0)
    p = p * r + (1.0 / 6.0)
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    // 2^n: the integer in `shifted`'s low bits, biased and moved into the exponent field.
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vec8.self)
    return p * scale
}

/// Scalar e^x through the same polynomial (lane 0 of `exp8`), for tails of loops.
@inline(__always)
public func expScalar(_ x: Float) -> Float {
    exp8(Vec8(repeating: x))[0]
}

/// Logistic sigmoid 1 / (1 + e^-x) for 8 lanes.
@inline(__always)
public func sigmoid8(_ x: Vec8) -> Vec8 {
    1 / (1 + exp8(-x))
}

/// Scalar logistic sigmoid.
@inline(__always)
public func sigmoidScalar(_ x: Float) -> Float {
    1 / (1 + expScalar(-x))
}

/// Σ a[i]·b[i] over `count` floats, 8 lanes at a time.
@inline(__always)
public func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var sum = Vec8()
    var i = 0
    while i + 8 <= count {
        sum += load8(a + i) * load8(b + i)
        i += 8
    }
    var total = sum.sum()
    while i < count { total += a[i] * b[i]; i += 1 }
    return total
}

/// y[i] += scale·x[i] over `count` floats.
@inline(__always)
public func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, scale: Float, count: Int) {
    var i = 0
    while i + 8 <= count {
        let updated = load8(y + i) + load8(x + i) * scale
        store8(updated, y + i)
        i += 8
    }
    while i < count { y[i] += scale * x[i]; i += 1 }
}

/// Loads 8 floats from `pointer` (no alignment needed).
@inline(__always)
public func load8(_ pointer: UnsafePointer<Float>) -> Vec8 {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vec8.self)
}

/// Stores 8 floats at `pointer` (no alignment needed).
@inline(__always)
public func store8(_ value: Vec8, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vec8.self)
}
