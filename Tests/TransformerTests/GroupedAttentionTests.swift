// The decoder's grouped cached-attention kernel against the one-head reference kernel, for the
// head sizes it specialises (multiples of 32, and 8/16/24-column tails) and for several group sizes,
// in each form the CPU runs (baseline Swift, AVX2 and AVX-512 with FMA: chunks of 2 and 3 heads,
// 64-column chunks with 16-column tails, masked softmax tails).

import GEMM
import Kernels
import TestSupport
import Testing

@Suite("Grouped cached attention")
struct GroupedAttentionTests {
    @Test(arguments: [(64, 1, 37), (64, 4, 5), (32, 2, 1), (16, 3, 9), (40, 2, 14), (128, 2, 70), (12, 2, 6),
                      (64, 3, 129), (48, 5, 17), (80, 9, 33), (64, 3, 3), (96, 7, 250)])
    func matchesTheOneHeadKernel(D: Int, group: Int, length: Int) {
        for kernel in GEMMKernel.allCases where kernel.isSupported {
            check(D: D, group: group, length: length, kernel: kernel)
        }
    }

    func check(D: Int, group: Int, length: Int, kernel: GEMMKernel) {
        let stride = 3 * D  // kv rows wider than one head, as in the cache
        let queries = randomArray(group * D, seed: 1)
        let keys = randomArray(length * stride, seed: 2), values = randomArray(length * stride, seed: 3)
        var ours = [Float](repeating: 0, count: group * D), reference = ours
        var scores = [Float](repeating: 0, count: group * length), scratch = [Float](repeating: 0, count: length)
        let scale = 1 / Float(D).squareRoot()
        attendCachedGroup(queries: queries, group: group, keys: keys, values: values, stride: stride,
                          length: length, headDim: D, scale: scale, scores: &scores, output: &ours, kernel: kernel)
        for h in 0..<group {
            queries.withUnsafeBufferPointer { q in
                reference.withUnsafeMutableBufferPointer { out in
                    attendCached(query: q.baseAddress! + h * D, keys: keys, values: values, stride: stride,
                                 length: length, headDim: D, scale: scale, scores: &scratch,
                                 output: out.baseAddress! + h * D)
                }
            }
        }
        #expect(maxRelativeError(ours, reference) < 1e-5, "\(kernel) D \(D) group \(group) length \(length)")
    }
}
