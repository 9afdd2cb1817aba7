// Test support: finite-difference gradient checks and random buffers (tinygrad-style: one helper
// checks an op's backward against numerical derivatives of its forward).

import Kernels
import Testing

/// Random normal values from a fixed seed.
public func randomArray(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextNormal() * scale }
}

/// Central finite differences of `loss` with respect to `values`, compared with `analytic`.
///
/// Checks at most `samples` coordinates (spread over the buffer) with tolerance
/// |numeric − analytic| ≤ absolute + relative·|numeric|.
public func expectGradient(
    of values: inout [Float], analytic: [Float], samples: Int = 40,
    epsilon: Float = 1e-2, absolute: Float = 2e-3, relative: Float = 2e-2,
    _ label: String, loss: ([Float]) -> Double,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let stride = max(1, values.count / samples)
    var worst: Float = 0
    for i in Swift.stride(from: 0, to: values.count, by: stride) {
        let saved = values[i]
        values[i] = saved + epsilon
        let plus = loss(values)
        values[i] = saved - epsilon
        let minus = loss(values)
        values[i] = saved
        let numeric = Float((plus - minus) / Double(2 * epsilon))
        let error = abs(numeric - analytic[i])
        worst = max(worst, error / (absolute + relative * abs(numeric)))
        #expect(error <= absolute + relative * abs(numeric),
                "\(label)[\(i)]: numeric \(numeric) vs analytic \(analytic[i])", sourceLocation: sourceLocation)
        if error > absolute + relative * abs(numeric) { return }
    }
}

/// Σ a·b in Double.
public func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Max |a − b| / (1 + |b|).
public func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
}
