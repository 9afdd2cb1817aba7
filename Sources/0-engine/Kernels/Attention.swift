// Causal multi-head attention with grouped-query heads, forward and backward, over segments.
//
// Shapes: H query heads, G key/value heads (H % G == 0), D head size. Rows of q, k, v are tokens,
// each row holding all heads side by side, so q, k, v can be column slices of one fused QKV buffer
// (`queryStride`, `keyValueStride` are the row strides). Query head h reads key/value head h / (H/G).
//
// The rows are cut into consecutive segments (``AttentionSegments``). A segment attends causally to
// its own rows, after all rows of its prefix segment when it has one: the prompt a group of sampled
// continuations shares is computed once, and each continuation reads its keys and values. A padded
// (B, T) batch is B segments of T rows without prefixes.

import GEMM

/// Dimensions and strides of one attention call.
public struct AttentionShape: Sendable {
    public var batch: Int, time: Int, heads: Int, keyValueHeads: Int, headDim: Int
    /// Floats between consecutive token rows of q (and of its gradient).
    public var queryStride: Int
    /// Floats between consecutive token rows of k and v (and of their gradients).
    public var keyValueStride: Int
    /// Floats between consecutive token rows of the output y (and of its gradient).
    public var outputStride: Int

    public init(batch: Int, time: Int, heads: Int, keyValueHeads: Int, headDim: Int,
                queryStride: Int, keyValueStride: Int, outputStride: Int) {
        self.batch = batch; self.time = time; self.heads = heads
        self.keyValueHeads = keyValueHeads; self.headDim = headDim
        self.queryStride = queryStride; self.keyValueStride = keyValueStride
        self.outputStride = outputStride
    }

    var groupSize: Int { heads / keyValueHeads }
    var scale: Float { 1 / Float(headDim).squareRoot() }
}

/// Consecutive segments of rows and the prefix each attends to. Row i of segment s sits at
/// position `prefixLength(s) + i`; it sees the prefix's rows and its own rows 0...i.
public struct AttentionSegments: Sendable, Equatable {
    /// Per segment: its first row, its row count, and the segment it continues (−1: none).
    public private(set) var starts: [Int], lengths: [Int], prefixes: [Int]
    /// Per segment: where its (H, length, prefix + length) probabilities start, in floats per head.
    public private(set) var probabilityOffsets: [Int]
    /// Rows of all segments.
    public private(set) var rows: Int
    /// Floats per head of the probabilities of all segments.
    public private(set) var probabilityCount: Int
    /// Segments without a prefix, each with the segments that continue it.
    public private(set) var trees: [(root: Int, children: [Int])]

    public static func == (a: AttentionSegments, b: AttentionSegments) -> Bool {
        a.lengths == b.lengths && a.prefixes == b.prefixes
    }

    /// B segments of T rows, no prefixes: a padded batch.
    public init(batch: Int, time: Int) {
        self.init(lengths: [Int](repeating: time, count: batch), prefixes: [Int](repeating: -1, count: batch))
    }

    /// Segments laid out one after the other. A prefix comes before the segments that continue
    /// it and has no prefix itself; every segment has at least one row.
    public init(lengths: [Int], prefixes: [Int]) {
        precondition(lengths.count == prefixes.count && lengths.allSatisfy { $0 >= 1 }, "segments need rows")
        self.lengths = lengths; self.prefixes = prefixes
        starts = []; probabilityOffsets = []; trees = []
        var row = 0, offset = 0, tree: [Int: Int] = [:]
        for (s, length) in lengths.enumerated() {
            let p = prefixes[s]
            precondition(p < s && (p < 0 || prefixes[p] < 0), "a prefix comes first and has no prefix")
            starts.append(row); probabilityOffsets.append(offset)
            row += length
            offset += length * ((p < 0 ? 0 : lengths[p]) + length)
            if p < 0 { tree[s] = trees.count; trees.append((s, [])) } else { trees[tree[p]!].children.append(s) }
        }
        rows = row; probabilityCount = offset
    }

    /// Rows of the prefix of segment `s` (0 without one).
    public func prefixLength(_ s: Int) -> Int { prefixes[s] < 0 ? 0 : lengths[prefixes[s]] }

    /// The position of every row: its index in its segment after the prefix's rows.
    public var positions: [Int32] {
        var out = [Int32](repeating: 0, count: rows)
        for s in lengths.indices {
            for i in 0..<lengths[s] { out[starts[s] + i] = Int32(prefixLength(s) + i) }
        }
        return out
    }

    /// One more than the largest position.
    public var positionLimit: Int { lengths.indices.map { prefixLength($0) + lengths[$0] }.max() ?? 0 }
}

/// Forward: y = softmax(q kᵀ / √D + causal mask) v per (segment, head).
///
/// - Parameters:
///   - output: y (rows, H·D used columns, `outputStride`).
///   - probabilities: per segment s, (H, length, prefix + length) attention weights at
///     `H · probabilityOffsets[s]`, saved for the backward (zeros where masked); for a padded
///     batch (B, H, T, T).
///   - segments: nil for `shape.batch` segments of `shape.time` rows.
public func attentionForward(
    output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    shape s: AttentionShape, segments: AttentionSegments? = nil
) {
    let segments = segments ?? AttentionSegments(batch: s.batch, time: s.time)
    let D = s.headDim
    parallelChunks(segments.lengths.count * s.heads) { range in
        for task in range {
            let seg = task / s.heads, h = task % s.heads, g = h / s.groupSize
            let start = segments.starts[seg], L = segments.lengths[seg], P = segments.prefixLength(seg)
            let width = P + L
            let q = query + start * s.queryStride + h * D
            let k = key + start * s.keyValueStride + g * D, v = value + start * s.keyValueStride + g * D
            let p = probabilities + s.heads * segments.probabilityOffsets[seg] + h * L * width
            let y = output + start * s.outputStride + h * D
            let prefixStart = P > 0 ? segments.starts[segments.prefixes[seg]] : 0
            let kP = key + prefixStart * s.keyValueStride + g * D, vP = value + prefixStart * s.keyValueStride + g * D
            if P > 0 {
                gemm(.nt, m: L, n: P, k: D, a: q, lda: s.queryStride, b: kP, ldb: s.keyValueStride, c: p, ldc: width, threads: 1)
            }
            gemm(.nt, m: L, n: L, k: D, a: q, lda: s.queryStride, b: k, ldb: s.keyValueStride, c: p + P, ldc: width, threads: 1)
            for t in 0..<L {
                let row = p + t * width
                softmaxInPlace(row, count: P + t + 1, scale: s.scale)
                if t + 1 < L { (row + P + t + 1).update(repeating: 0, count: L - t - 1) }
            }
            if P > 0 {
                gemm(.nn, m: L, n: D, k: P, a: p, lda: width, b: vP, ldb: s.keyValueStride, c: y, ldc: s.outputStride, threads: 1)
            }
            gemm(.nn, m: L, n: D, k: L, a: p + P, lda: width, b: v, ldb: s.keyValueStride, c: y, ldc: s.outputStride,
                 accumulate: P > 0, threads: 1)
        }
    }
}

/// Backward. Writes dq and overwrites dk, dv (summed over the heads sharing them, and for a
/// prefix over the segments that continue it).
///
/// dP = dy vᵀ; dv = Σ_h Pᵀ dy; dS = P ∘ (dP − rowsum(P ∘ dP)) / √D; dq = dS k; dk = Σ_h dSᵀ q.
public func attentionBackward(
    queryGrad: UnsafeMutablePointer<Float>, keyGrad: UnsafeMutablePointer<Float>,
    valueGrad: UnsafeMutablePointer<Float>,
    outputGrad: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    shape s: AttentionShape, segments: AttentionSegments? = nil
) {
    let segments = segments ?? AttentionSegments(batch: s.batch, time: s.time)
    let D = s.headDim
    let scratchCount = segments.lengths.indices.map { segments.lengths[$0] * (segments.prefixLength($0) + segments.lengths[$0]) }.max() ?? 0
    // One task per (tree, key/value head): the heads of a group, and the segments continuing a
    // prefix, all add into the same dk, dv. The prefix goes first (its first head overwrites).
    parallelChunks(segments.trees.count * s.keyValueHeads) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)  // dP then dS
        defer { scratch.deallocate() }
        for task in range {
            let tree = segments.trees[task / s.keyValueHeads], g = task % s.keyValueHeads
            for seg in [tree.root] + tree.children {
                let start = segments.starts[seg], L = segments.lengths[seg], P = segments.prefixLength(seg)
                let width = P + L, prefixStart = segments.starts[tree.root]
                let k = key + start * s.keyValueStride + g * D, v = value + start * s.keyValueStride + g * D
                let dk = keyGrad + start * s.keyValueStride + g * D, dv = valueGrad + start * s.keyValueStride + g * D
                let kP = key + prefixStart * s.keyValueStride + g * D, vP = value + prefixStart * s.keyValueStride + g * D
                let dkP = keyGrad + prefixStart * s.keyValueStride + g * D
                let dvP = valueGrad + prefixStart * s.keyValueStride + g * D
                for member in 0..<s.groupSize {
                    let h = g * s.groupSize + member, first = member == 0
                    let q = query + start * s.queryStride + h * D, dq = queryGrad + start * s.queryStride + h * D
                    let dy = outputGrad + start * s.outputStride + h * D
                    let p = probabilities + s.heads * segments.probabilityOffsets[seg] + h * L * width
                    gemm(.tn, m: L, n: D, k: L, a: p + P, lda: width, b: dy, ldb: s.outputStride,
                         c: dv, ldc: s.keyValueStride, accumulate: !first, threads: 1)
                    if P > 0 {
                        gemm(.tn, m: P, n: D, k: L, a: p, lda: width, b: dy, ldb: s.outputStride,
                             c: dvP, ldc: s.keyValueStride, accumulate: true, threads: 1)
                        gemm(.nt, m: L, n: P, k: D, a: dy, lda: s.outputStride, b: vP, ldb: s.keyValueStride,
                             c: scratch, ldc: width, threads: 1)
                    }
                    gemm(.nt, m: L, n: L, k: D, a: dy, lda: s.outputStride, b: v, ldb: s.keyValueStride,
                         c: scratch + P, ldc: width, threads: 1)
                    for t in 0..<L {
                        let pRow = p + t * width, dRow = scratch + t * width, n = P + t + 1
                        var dot: Float = 0
                        for j in 0..<n { dot += pRow[j] * dRow[j] }
                        for j in 0..<n { dRow[j] = pRow[j] * (dRow[j] - dot) * s.scale }
                        if t + 1 < L { (dRow + n).update(repeating: 0, count: L - t - 1) }
                    }
                    if P > 0 {
                        gemm(.nn, m: L, n: D, k: P, a: scratch, lda: width, b: kP, ldb: s.keyValueStride,
                             c: dq, ldc: s.queryStride, threads: 1)
                        gemm(.tn, m: P, n: D, k: L, a: scratch, lda: width, b: q, ldb: s.queryStride,
                             c: dkP, ldc: s.keyValueStride, accumulate: true, threads: 1)
                    }
                    gemm(.nn, m: L, n: D, k: L, a: scratch + P, lda: width, b: k, ldb: s.keyValueStride,
                         c: dq, ldc: s.queryStride, accumulate: P > 0, threads: 1)
                    gemm(.tn, m: L, n: D, k: L, a: scratch + P, lda: width, b: q, ldb: s.queryStride,
                         c: dk, ldc: s.keyValueStride, accumulate: !first, threads: 1)
                }
            }
        }
    }
}
