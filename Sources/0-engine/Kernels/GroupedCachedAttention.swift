// Decoding attention for one key/value head and the `group` query heads that read it (grouped-query
// attention): one pass over the cached keys and values serves every query head of the group.
//
// Written for the baseline (SSE) build of this module: the query and the output live in L1, not in
// registers (a 64-float query would take all 16 xmm registers), scores are computed four positions
// at a time with one joint horizontal reduction, and the weighted sum of values runs over 32-float
// halves of the head so its accumulators stay in registers.

import CCPUFeatures  // the AVX2 / AVX-512 kernels (x86-64), and the portable prefetch helpers
import GEMM

/// The keys and values a caller reads after this call's (the next task's blocks, `bytes` each),
/// asked into L2 while this one computes: at batch 64 each task's blocks are in no cache.
public struct NextBlocks {
    public var keys: UnsafeRawPointer, values: UnsafeRawPointer, bytes: Int
    public init(keys: UnsafeRawPointer, values: UnsafeRawPointer, bytes: Int) {
        (self.keys, self.values, self.bytes) = (keys, values, bytes)
    }

    /// Asks for every line at once (the forms without a spread prefetch).
    public func prefetchNow() {
        e2h_prefetch_range_to_l2(keys, bytes)
        e2h_prefetch_range_to_l2(values, bytes)
    }
}

/// out_h = softmax(scale · K q_h) V for each query head h of a group, over `length` positions.
/// Where the CPU has AVX2 / AVX-512 and the head size allows (D % 8 / D % 16), the same passes run
/// with fused multiply-adds (CCPUFeatures/attention.c); results then differ from the baseline
/// form by float rounding only.
///
/// - Parameters:
///   - kernel: `.portable` forces the baseline form; otherwise the widest the CPU runs.
///   - queries: query head h of the group at `queries + h·D`.
///   - keys, values: position j's key/value for this kv head at `keys + j·stride`, `values + j·stride`.
///   - scores: scratch of `group · length` floats (left holding the probabilities, row h at h·length).
///   - output: head h's result at `output + h·D`.
///   - prefetch: the blocks read next; the AVX-512 forms spread their prefetch over the passes
///     (the next keys during the scores, the next values during the sums), the others ask at once.
public func attendCachedGroup(
    queries: UnsafePointer<Float>, group: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
    stride: Int, length: Int, headDim D: Int, scale: Float,
    scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
    prefetch next: NextBlocks? = nil, kernel: GEMMKernel = .selected
) {
#if arch(x86_64)
    switch kernel.runnable {
    case .avx512 where D % 16 == 0:
        e2h_attend_group_avx512(queries, group, keys, values, stride, length, D, scale, scores, output,
                                next?.keys, next?.values, next?.bytes ?? 0)
        return
    case .avx512 where D % 8 == 0, .avx2 where D % 8 == 0:
        next?.prefetchNow()
        e2h_attend_group_avx2(queries, group, keys, values, stride, length, D, scale, scores, output)
        return
    default: break
    }
#endif
    next?.prefetchNow()
    guard D % 8 == 0, D <= 256 else {
        for h in 0..<group {
            attendCached(query: queries + h * D, keys: keys, values: values, stride: stride, length: length,
                         headDim: D, scale: scale, scores: scores + h * length, output: output + h * D)
        }
        return
    }
    // Scores, 4 positions at a time for every head of the group.
    var j = 0
    while j + 4 <= length {
        let k0 = keys + j * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride
        for h in 0..<group {
            let q = queries + h * D
            var s0 = Vec8(), s1 = Vec8(), s2 = Vec8(), s3 = Vec8()
            var d = 0
            while d < D {
                let qv = load8(q + d)
                s0 += qv * load8(k0 + d); s1 += qv * load8(k1 + d)
                s2 += qv * load8(k2 + d); s3 += qv * load8(k3 + d)
                d += 8
            }
            store4(horizontalSums(s0, s1, s2, s3), scores + h * length + j)
        }
        j += 4
    }
    while j < length {
        for h in 0..<group { scores[h * length + j] = dotProduct(queries + h * D, keys + j * stride, count: D) }
        j += 1
    }
    for h in 0..<group { softmaxInPlace(scores + h * length, count: length, scale: scale) }

    // Weighted sums of values, 32 columns at a time, two positions per iteration.
    var d = 0
    while d < D {
        let width = min(32, D - d)
        for h in 0..<group {
            let p = scores + h * length
            var a0 = Vec8(), a1 = Vec8(), a2 = Vec8(), a3 = Vec8()
            var b0 = Vec8(), b1 = Vec8(), b2 = Vec8(), b3 = Vec8()
            var j = 0
            if width == 32 {
                while j + 2 <= length {
                    let v = values + j * stride + d, w = v + stride
                    let pv = Vec8(repeating: p[j]), pw = Vec8(repeating: p[j + 1])
                    a0 += pv * load8(v); a1 += pv * load8(v + 8); a2 += pv * load8(v + 16); a3 += pv * load8(v + 24)
                    b0 += pw * load8(w); b1 += pw * load8(w + 8); b2 += pw * load8(w + 16); b3 += pw * load8(w + 24)
                    j += 2
                }
                while j < length {
                    let v = values + j * stride + d, pv = Vec8(repeating: p[j])
                    a0 += pv * load8(v); a1 += pv * load8(v + 8); a2 += pv * load8(v + 16); a3 += pv * load8(v + 24)
                    j += 1
                }
                let out = output + h * D + d
                store8(a0 + b0, out); store8(a1 + b1, out + 8); store8(a2 + b2, out + 16); store8(a3 + b3, out + 24)
            } else {
                // 8, 16 or 24 remaining columns.
                let out = output + h * D + d
                var c = 0
                while c < width {
                    var acc = Vec8()
                    for j in 0..<length { acc += Vec8(repeating: p[j]) * load8(values + j * stride + d + c) }
                    store8(acc, out + c)
                    c += 8
                }
            }
        }
        d += 32
    }
}

/// [Σ a, Σ b, Σ c, Σ d] of four 8-lane vectors with shared shuffles.
@inline(__always)
func horizontalSums(_ a: Vec8, _ b: Vec8, _ c: Vec8, _ d: Vec8) -> SIMD4<Float> {
    let a4 = a.lowHalf + a.highHalf, b4 = b.lowHalf + b.highHalf
    let c4 = c.lowHalf + c.highHalf, d4 = d.lowHalf + d.highHalf
    let ab = SIMD4(lowHalf: a4.evenHalf + a4.oddHalf, highHalf: b4.evenHalf + b4.oddHalf)
    let cd = SIMD4(lowHalf: c4.evenHalf + c4.oddHalf, highHalf: d4.evenHalf + d4.oddHalf)
    return SIMD4(lowHalf: ab.evenHalf + ab.oddHalf, highHalf: cd.evenHalf + cd.oddHalf)
}

@inline(__always)
func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
}
