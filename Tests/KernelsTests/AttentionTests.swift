import Foundation
import Kernels
import TestSupport
import Testing

@Suite("Causal attention")
struct AttentionTests {
    // B 2, T 5, H 4 query heads sharing G 2 key/value heads, D 6; q, k, v in one fused buffer.
    let shape: AttentionShape = {
        let H = 4, G = 2, D = 6
        let width = (H + 2 * G) * D
        return AttentionShape(batch: 2, time: 5, heads: H, keyValueHeads: G, headDim: D,
                              queryStride: width, keyValueStride: width, outputStride: H * D)
    }()
    var width: Int { shape.queryStride }
    var qOffset: Int { 0 }
    var kOffset: Int { shape.heads * shape.headDim }
    var vOffset: Int { kOffset + shape.keyValueHeads * shape.headDim }
    var rows: Int { shape.batch * shape.time }

    func forward(_ qkv: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: rows * shape.outputStride)
        var p = [Float](repeating: 0, count: shape.batch * shape.heads * shape.time * shape.time)
        qkv.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            attentionForward(output: &y, probabilities: &p, query: base + qOffset, key: base + kOffset,
                             value: base + vOffset, shape: shape)
        }
        return y
    }

    func naive(_ qkv: [Float]) -> [Float] {
        let T = shape.time, D = shape.headDim, H = shape.heads
        var y = [Float](repeating: 0, count: rows * shape.outputStride)
        for b in 0..<shape.batch {
            for h in 0..<H {
                let g = h / (H / shape.keyValueHeads)
                for t in 0..<T {
                    var scores = [Double]()
                    for j in 0...t {
                        var s = 0.0
                        for d in 0..<D {
                            s += Double(qkv[(b * T + t) * width + qOffset + h * D + d])
                                * Double(qkv[(b * T + j) * width + kOffset + g * D + d])
                        }
                        scores.append(s / Double(D).squareRoot())
                    }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    for d in 0..<D {
                        var out = 0.0
                        for j in 0...t { out += e[j] / z * Double(qkv[(b * T + j) * width + vOffset + g * D + d]) }
                        y[(b * T + t) * shape.outputStride + h * D + d] = Float(out)
                    }
                }
            }
        }
        return y
    }

    @Test func forwardMatchesNaive() {
        let qkv = randomArray(rows * width, seed: 21)
        #expect(maxRelativeError(forward(qkv), naive(qkv)) < 1e-5)
    }

    @Test func backwardMatchesFiniteDifferences() {
        var qkv = randomArray(rows * width, seed: 22)
        let dy = randomArray(rows * shape.outputStride, seed: 23)
        var y = [Float](repeating: 0, count: rows * shape.outputStride)
        var p = [Float](repeating: 0, count: shape.batch * shape.heads * shape.time * shape.time)
        var dqkv = [Float](repeating: 7, count: qkv.count)  // garbage: the backward must overwrite it
        qkv.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            attentionForward(output: &y, probabilities: &p, query: base, key: base + kOffset,
                             value: base + vOffset, shape: shape)
            dqkv.withUnsafeMutableBufferPointer { grad in
                let g = grad.baseAddress!
                attentionBackward(queryGrad: g, keyGrad: g + kOffset, valueGrad: g + vOffset, outputGrad: dy,
                                  probabilities: p, query: base, key: base + kOffset, value: base + vOffset,
                                  shape: shape)
            }
        }
        expectGradient(of: &qkv, analytic: dqkv, samples: 120, "dqkv") { dot(forward($0), dy) }
    }
}
