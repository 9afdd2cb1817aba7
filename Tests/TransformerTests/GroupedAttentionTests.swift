// The decoder's grouped cached-attention kernel against the one-head reference kernel, for the
// head sizes it specialises (multiples of 32, and 8/16/24-column tails) and for several group sizes,
// in each form the CPU runs (baseline Swift, AVX2 and AVX-512 with FMA: chunks of 2 and 3 heads,
// 64-column chunks with 16-column tails, masked softmax tails). The bfloat16 form (a bfloat16 KV
// cache) against the same reference on the widened values, and bfloat16 rounding against its rule.
// A prefetch of the next task's blocks changes no bit of either.

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
        // Prefetching the next task's blocks (here other rows of the same arrays) changes no bit.
        var prefetched = [Float](repeating: 0, count: group * D)
        keys.withUnsafeBytes { k in
            values.withUnsafeBytes { v in
                let next = NextBlocks(keys: k.baseAddress! + 4 * D, values: v.baseAddress! + 4 * D, bytes: 4 * (length - 1) * stride)
                attendCachedGroup(queries: queries, group: group, keys: keys, values: values, stride: stride, length: length,
                                  headDim: D, scale: scale, scores: &scores, output: &prefetched, prefetch: next, kernel: kernel)
            }
        }
        #expect(prefetched == ours, "\(kernel) D \(D) group \(group) length \(length) with a prefetch")
    }

    @Test(arguments: [(64, 1, 37), (64, 4, 5), (16, 3, 9), (40, 2, 14), (128, 2, 70), (8, 2, 6), (64, 3, 129)])
    func bfloat16KeysAndValuesMatchTheReferenceOnWidenedValues(D: Int, group: Int, length: Int) {
        let stride = 2 * D
        let queries = randomArray(group * D, seed: 4)
        let keys = randomArray(length * stride, seed: 5).map(bfloat16Bits)
        let values = randomArray(length * stride, seed: 6).map(bfloat16Bits)
        let wideKeys = keys.map { float(bfloat16: $0) }, wideValues = values.map { float(bfloat16: $0) }
        let scale = 1 / Float(D).squareRoot()
        var reference = [Float](repeating: 0, count: group * D), scratch = [Float](repeating: 0, count: length)
        for h in 0..<group {
            queries.withUnsafeBufferPointer { q in
                reference.withUnsafeMutableBufferPointer { out in
                    attendCached(query: q.baseAddress! + h * D, keys: wideKeys, values: wideValues, stride: stride,
                                 length: length, headDim: D, scale: scale, scores: &scratch, output: out.baseAddress! + h * D)
                }
            }
        }
        for kernel in GEMMKernel.allCases where kernel.isSupported {
            var ours = [Float](repeating: 0, count: group * D), scores = [Float](repeating: 0, count: group * length)
            attendCachedGroupBFloat16(queries: queries, group: group, keys: keys, values: values, stride: stride,
                                      length: length, headDim: D, scale: scale, scores: &scores, output: &ours, kernel: kernel)
            #expect(maxRelativeError(ours, reference) < 1e-5, "bf16 \(kernel) D \(D) group \(group) length \(length)")
            var prefetched = [Float](repeating: 0, count: group * D)
            keys.withUnsafeBytes { k in
                values.withUnsafeBytes { v in
                    let next = NextBlocks(keys: k.baseAddress!, values: v.baseAddress!, bytes: 2 * length * stride)
                    attendCachedGroupBFloat16(queries: queries, group: group, keys: keys, values: values, stride: stride,
                                              length: length, headDim: D, scale: scale, scores: &scores, output: &prefetched,
                                              prefetch: next, kernel: kernel)
                }
            }
            #expect(prefetched == ours, "bf16 \(kernel) D \(D) group \(group) length \(length) with a prefetch")
        }
    }

    @Test func bfloat16RoundsToNearestEven() {
        #expect(bfloat16Bits(1) == 0x3F80 && float(bfloat16: 0x3F80) == 1)
        #expect(float(bfloat16: bfloat16Bits(1 + 1.0 / 256)) == 1)              // halfway: to even, below
        #expect(float(bfloat16: bfloat16Bits(1 + 3.0 / 256)) == 1 + 4.0 / 256)  // halfway: to even, above
        #expect(float(bfloat16: bfloat16Bits(1 + 1.1 / 256)) == 1 + 1.0 / 128)  // past halfway: up
        #expect(float(bfloat16: bfloat16Bits(-.infinity)) == -.infinity)
        #expect(float(bfloat16: bfloat16Bits(.greatestFiniteMagnitude)) == .infinity)  // rounds past the largest bf16
        #expect(float(bfloat16: bfloat16Bits(.nan)).isNaN && float(bfloat16: bfloat16Bits(-Float.nan)).isNaN)
        // A NaN whose payload lives only in the low bits stays a NaN (not infinity).
        #expect(float(bfloat16: bfloat16Bits(Float(bitPattern: 0x7F80_0001))).isNaN)
        // The vector form (AVX-512 BF16 where AMX runs) rounds every value the same way, tails included.
        var values = randomArray(1000, seed: 7).map { $0 * 1000 }
        values += [0, -0, .infinity, -.infinity, 1 + 1.0 / 256, 1 + 3.0 / 256, .leastNonzeroMagnitude, 1e-40]
        for count in [values.count, 17, 5, 1] {
            var out = [UInt16](repeating: 0xFFFF, count: count)
            roundToBFloat16(values, count: count, into: &out)
            #expect(out == values.prefix(count).map(bfloat16Bits), "count \(count)")
        }
        var nan = [UInt16](repeating: 0, count: 1)
        roundToBFloat16([Float(bitPattern: 0x7F80_0001)], count: 1, into: &nan)
        #expect(float(bfloat16: nan[0]).isNaN)
    }
}
