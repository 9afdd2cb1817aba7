// Rotary position embedding (Su et al. 2021) in the Hugging Face Llama layout ("rotate_half",
// non-interleaved): within a head of size D, element i pairs with element i + D/2 and the pair is
// rotated by the angle position · θ^(−2i/D).

/// A rescaling of the rotary frequencies for contexts longer than the model was trained on, as in
/// Hugging Face's `rope_scaling` / `rope_parameters`.
public enum RoPEScaling: Sendable, Equatable {
    /// Every inverse frequency divided by `factor` (position interpolation).
    case linear(factor: Float)
    /// Llama 3.1's piecewise rule (`_compute_llama3_parameters` in transformers): wavelengths
    /// shorter than original/highFrequencyFactor kept, longer than original/lowFrequencyFactor
    /// divided by `factor`, and a smooth interpolation between the two.
    case llama3(factor: Float, lowFrequencyFactor: Float, highFrequencyFactor: Float, originalMaxPositions: Int)
}

/// The D/2 inverse frequencies θ^(−2i/D), rescaled by `scaling`. Computed in Float in the order
/// transformers uses, so parity fixtures agree to rounding.
public func ropeInverseFrequencies(headDim: Int, theta: Float, scaling: RoPEScaling? = nil) -> [Float] {
    let half = headDim / 2
    var frequencies = (0..<half).map { i -> Float in
        let exponent = Float(2 * i) / Float(headDim)
        return 1 / _powf(theta, exponent)
    }
    switch scaling {
    case nil:
        break
    case .linear(let factor):
        for i in 0..<half { frequencies[i] /= factor }
    case .llama3(let factor, let low, let high, let original):
        let old = Float(original)
        let lowWavelength = old / low, highWavelength = old / high
        for i in 0..<half {
            let f = frequencies[i]
            let wavelength = 2 * Float.pi / f
            let scaled = wavelength > lowWavelength ? f / factor : f
            if !(wavelength < highWavelength) && !(wavelength > lowWavelength) {
                let smooth = (old / wavelength - low) / (high - low)
                frequencies[i] = (1 - smooth) * scaled / factor + smooth * scaled
            } else {
                frequencies[i] = scaled
            }
        }
    }
    return frequencies
}

/// Precomputed cos/sin of every (position, frequency) pair.
public struct RoPETable: Sendable {
    public let headDim: Int
    public let maxPositions: Int
    /// (D/2) the inverse frequencies the table was built from.
    public let inverseFrequencies: [Float]
    /// (P, D/2) cosines and sines.
    public let cos: [Float]
    public let sin: [Float]

    public init(headDim: Int, maxPositions: Int, theta: Float, scaling: RoPEScaling? = nil) {
        self.init(inverseFrequencies: ropeInverseFrequencies(headDim: headDim, theta: theta, scaling: scaling),
                  maxPositions: maxPositions)
    }

    /// A table of positions 0..<maxPositions for the given D/2 inverse frequencies.
    public init(inverseFrequencies: [Float], maxPositions: Int) {
        let half = inverseFrequencies.count
        self.headDim = 2 * half
        self.maxPositions = maxPositions
        self.inverseFrequencies = inverseFrequencies
        var cosines = [Float](repeating: 0, count: maxPositions * half)
        var sines = cosines
        for i in 0..<half {
            // Float products like the PyTorch reference, so parity fixtures agree bit-closely.
            let inverseFrequency = inverseFrequencies[i]
            for p in 0..<maxPositions {
                let angle = Float(p) * inverseFrequency
                cosines[p * half + i] = _cosf(angle)
                sines[p * half + i] = _sinf(angle)
            }
        }
        cos = cosines
        sin = sines
    }
}

/// Rotates, in place, `heads` heads of size D in each of `rows` rows (row r at `data + r·rowStride`)
/// by the angles of `positions[r]`. `inverse` applies the transposed rotation, which is the backward.
public func ropeApply(
    _ data: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, heads: Int,
    positions: UnsafePointer<Int32>, table: RoPETable, inverse: Bool = false
) {
    let half = table.headDim / 2
    let direction: Float = inverse ? -1 : 1
    table.cos.withUnsafeBufferPointer { cosBuffer in
        table.sin.withUnsafeBufferPointer { sinBuffer in
            let cosBase = cosBuffer.baseAddress!, sinBase = sinBuffer.baseAddress!
            parallelChunks(rows, minimumPerChunk: 128) { range in
                for row in range {
                    let position = Int(positions[row])
                    precondition(position < table.maxPositions, "position beyond the RoPE table")
                    let c = cosBase + position * half
                    let s = sinBase + position * half
                    for h in 0..<heads {
                        let x = data + row * rowStride + h * table.headDim
                        for i in 0..<half {
                            let a = x[i], b = x[i + half]
                            let sn = s[i] * direction
                            x[i] = a * c[i] - b * sn
                            x[i + half] = b * c[i] + a * sn
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _powf(_ x: Float, _ y: Float) -> Float { Glibc.powf(x, y) }
@inline(__always) func _cosf(_ x: Float) -> Float { Glibc.cosf(x) }
@inline(__always) func _sinf(_ x: Float) -> Float { Glibc.sinf(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _powf(_ x: Float, _ y: Float) -> Float { Darwin.powf(x, y) }
@inline(__always) func _cosf(_ x: Float) -> Float { Darwin.cosf(x) }
@inline(__always) func _sinf(_ x: Float) -> Float { Darwin.sinf(x) }
#endif
