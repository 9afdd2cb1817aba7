// Rotary position embedding (Su et al. 2021) in the Hugging Face Llama layout ("rotate_half",
// non-interleaved): within a head of size D, element i pairs with element i + D/2 and the pair is
// rotated by the angle position · θ^(−2i/D).

/// Precomputed cos/sin of every (position, frequency) pair.
public struct RoPETable: Sendable {
    public let headDim: Int
    public let maxPositions: Int
    /// (P, D/2) cosines and sines.
    public let cos: [Float]
    public let sin: [Float]

    public init(headDim: Int, maxPositions: Int, theta: Float) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension")
        self.headDim = headDim
        self.maxPositions = maxPositions
        let half = headDim / 2
        var cosines = [Float](repeating: 0, count: maxPositions * half)
        var sines = cosines
        for i in 0..<half {
            // Computed in Float like the PyTorch reference, so parity fixtures agree bit-closely.
            let exponent = Float(2 * i) / Float(headDim)
            let inverseFrequency: Float = 1 / _powf(theta, exponent)
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
