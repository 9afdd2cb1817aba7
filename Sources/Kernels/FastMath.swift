// Vectorized transcendental functions. glibc's scalar `expf`/`tanhf` cost ~10 ns per element;
// these polynomial versions work on 8 lanes at once and are accurate to a few ulp.

public typealias Vec8 = SIMD8<Float>

/// e^x for 8 lanes: range reduction x = n·ln2 + r (Cody–Waite), a degree-6 polynomial for e^r,
/// and 2^n built in the exponent bits. Inputs are clamped to [-87.3, 88.7]; relative error < 2e-7.
@inline(__always)
public func exp8(_ input: Vec8) -> Vec8 {
    let x = input.clamped(lowerBound: Vec8(repeating: -87.3), upperBound: Vec8(repeating: 88.7))
    let log2e: Float = 1.442_695_04
    // n = round(x / ln2)
    let n = (x * log2e).rounded(.toNearestOrEven)
    let ln2Hi: Float = 0.693_145_751_953_125
    let ln2Lo: Float = 1.428_606_765_330_187_045e-6
    var r = x - n * ln2Hi
    r = r - n * ln2Lo
    // e^r on |r| <= ln2/2, Taylor/minimax coefficients.
    var p = Vec8(repeating: 1.0 / 720.0)
    p = p * r + (1.0 / 120.0)
    p = p * r + (1.0 / 24.0)
    p = p * r + (1.0 / 6.0)
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    // 2^n: add n to the exponent field.
    let bits = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int32>(n) &+ 127) &<< 23
    let scale = unsafeBitCast(bits, to: Vec8.self)
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
