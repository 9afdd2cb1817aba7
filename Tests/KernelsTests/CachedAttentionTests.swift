import Kernels
import Testing

@Suite("Cached attention (decoding)")
struct CachedAttentionTests {
    /// softmax(scale · K q) V written out the slow way, in Double.
    func naive(_ q: [Float], _ k: [Float], _ v: [Float], stride: Int, length: Int, D: Int, scale: Float) -> [Float] {
        let scores = (0..<length).map { j in (0..<D).reduce(0.0) { $0 + Double(q[$1]) * Double(k[j * stride + $1]) } * Double(scale) }
        let m = scores.max()!
        let e = scores.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        return (0..<D).map { d in Float((0..<length).reduce(0.0) { $0 + e[$1] / total * Double(v[$1 * stride + d]) }) }
    }

    // 32 and 64 take the register-blocked path, 20 the generic one; lengths cover 1 and odd counts.
    @Test(arguments: [(32, 1), (32, 37), (64, 9), (64, 130), (20, 17)])
    func matchesTheNaiveFormula(D: Int, length: Int) {
        var generator = SeededGenerator(seed: UInt64(D * 1000 + length))
        let stride = D * 3  // keys/values of one head inside wider rows, as in the KV cache
        let q = (0..<D).map { _ in generator.nextNormal() }
        let k = (0..<(length * stride)).map { _ in generator.nextNormal() }
        let v = (0..<(length * stride)).map { _ in generator.nextNormal() }
        let scale = 1 / Float(D).squareRoot()
        var scores = [Float](repeating: 0, count: length), out = [Float](repeating: .nan, count: D)
        attendCached(query: q, keys: k, values: v, stride: stride, length: length, headDim: D, scale: scale,
                     scores: &scores, output: &out)
        let expected = naive(q, k, v, stride: stride, length: length, D: D, scale: scale)
        for d in 0..<D { #expect(abs(out[d] - expected[d]) < 1e-5, "d \(d): \(out[d]) vs \(expected[d])") }
        #expect(abs(scores.reduce(0, +) - 1) < 1e-5)
    }
}

import Foundation
