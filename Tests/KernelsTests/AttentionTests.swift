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

    // Segments with prefixes: 3 + 2 + 4 rows share segment 0's keys, 5 + 1 share 3's, 2 alone.
    let segments = AttentionSegments(lengths: [3, 2, 4, 5, 1, 2], prefixes: [-1, 0, 0, -1, 3, -1])

    func forward(_ qkv: [Float], segments: AttentionSegments) -> [Float] {
        var y = [Float](repeating: 0, count: segments.rows * shape.outputStride)
        var p = [Float](repeating: 0, count: shape.heads * segments.probabilityCount)
        qkv.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            attentionForward(output: &y, probabilities: &p, query: base + qOffset, key: base + kOffset,
                             value: base + vOffset, shape: shape, segments: segments)
        }
        return y
    }

    /// Row r of segment s attends to the prefix's rows, then its own rows up to r, in doubles.
    func naive(_ qkv: [Float], segments: AttentionSegments) -> [Float] {
        let D = shape.headDim, H = shape.heads
        var y = [Float](repeating: 0, count: segments.rows * shape.outputStride)
        for s in segments.lengths.indices {
            let prefix = segments.prefixes[s] < 0 ? [] : Array(segments.starts[segments.prefixes[s]]..<(segments.starts[segments.prefixes[s]] + segments.prefixLength(s)))
            for i in 0..<segments.lengths[s] {
                let row = segments.starts[s] + i
                let keys = prefix + Array(segments.starts[s]...row)
                for h in 0..<H {
                    let g = h / (H / shape.keyValueHeads)
                    let scores = keys.map { j in
                        (0..<D).reduce(0.0) { $0 + Double(qkv[row * width + qOffset + h * D + $1]) * Double(qkv[j * width + kOffset + g * D + $1]) }
                            / Double(D).squareRoot()
                    }
                    let m = scores.max()!, e = scores.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
                    for d in 0..<D {
                        let out = zip(keys, e).reduce(0.0) { $0 + $1.1 / z * Double(qkv[$1.0 * width + vOffset + g * D + d]) }
                        y[row * shape.outputStride + h * D + d] = Float(out)
                    }
                }
            }
        }
        return y
    }

    @Test func segmentsWithPrefixesMatchNaive() {
        #expect(segments.rows == 17 && segments.positions == [0, 1, 2, 3, 4, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 0, 1])
        #expect(segments.positionLimit == 7)
        let qkv = randomArray(segments.rows * width, seed: 24)
        #expect(maxRelativeError(forward(qkv, segments: segments), naive(qkv, segments: segments)) < 1e-5)
        // A padded batch is segments without prefixes.
        let padded = randomArray(rows * width, seed: 25)
        #expect(forward(padded, segments: AttentionSegments(batch: shape.batch, time: shape.time)) == forward(padded))
    }

    @Test func segmentsBackwardMatchesFiniteDifferences() {
        var qkv = randomArray(segments.rows * width, seed: 26)
        let dy = randomArray(segments.rows * shape.outputStride, seed: 27)
        var y = [Float](repeating: 0, count: segments.rows * shape.outputStride)
        var p = [Float](repeating: 0, count: shape.heads * segments.probabilityCount)
        var dqkv = [Float](repeating: 7, count: qkv.count)  // garbage: the backward must overwrite it
        qkv.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            attentionForward(output: &y, probabilities: &p, query: base, key: base + kOffset,
                             value: base + vOffset, shape: shape, segments: segments)
            dqkv.withUnsafeMutableBufferPointer { grad in
                let g = grad.baseAddress!
                attentionBackward(queryGrad: g, keyGrad: g + kOffset, valueGrad: g + vOffset, outputGrad: dy,
                                  probabilities: p, query: base, key: base + kOffset, value: base + vOffset,
                                  shape: shape, segments: segments)
            }
        }
        expectGradient(of: &qkv, analytic: dqkv, samples: 200, "dqkv") { dot(forward($0, segments: segments), dy) }
    }
}
