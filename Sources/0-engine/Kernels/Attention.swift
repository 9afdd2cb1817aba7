// Causal multi-head attention with grouped-query heads, forward and backward.
//
// Shapes: B batch, T time, H query heads, G key/value heads (H % G == 0), D head size.
// Query head h reads key/value head h / (H/G). Rows of q, k, v are tokens n = b·T + t, each row
// holding all heads side by side, so q, k, v can be column slices of one fused QKV buffer
// (`queryStride`, `keyValueStride` are the row strides).

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

/// Forward: y = softmax(q kᵀ / √D + causal mask) v per (batch, head).
///
/// - Parameters:
///   - output: y (B·T rows, H·D used columns, `outputStride`).
///   - probabilities: (B, H, T, T) attention weights, saved for the backward (zeros above the diagonal).
public func attentionForward(
    output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    shape s: AttentionShape
) {
    let T = s.time, D = s.headDim
    parallelChunks(s.batch * s.heads) { range in
        for task in range {
            let b = task / s.heads, h = task % s.heads, g = h / s.groupSize
            let q = query + b * T * s.queryStride + h * D
            let k = key + b * T * s.keyValueStride + g * D
            let v = value + b * T * s.keyValueStride + g * D
            let p = probabilities + task * T * T
            gemm(.nt, m: T, n: T, k: D, a: q, lda: s.queryStride, b: k, ldb: s.keyValueStride,
                 c: p, ldc: T, threads: 1)
            for t in 0..<T {
                let row = p + t * T
                softmaxInPlace(row, count: t + 1, scale: s.scale)
                if t + 1 < T { (row + t + 1).update(repeating: 0, count: T - t - 1) }
            }
            gemm(.nn, m: T, n: D, k: T, a: p, lda: T, b: v, ldb: s.keyValueStride,
                 c: output + b * T * s.outputStride + h * D, ldc: s.outputStride, threads: 1)
        }
    }
}

/// Backward. Writes dq and overwrites dk, dv (summed over the heads sharing them).
///
/// dP = dy vᵀ; dv = Σ_h Pᵀ dy; dS = P ∘ (dP − rowsum(P ∘ dP)) / √D; dq = dS k; dk = Σ_h dSᵀ q.
public func attentionBackward(
    queryGrad: UnsafeMutablePointer<Float>, keyGrad: UnsafeMutablePointer<Float>,
    valueGrad: UnsafeMutablePointer<Float>,
    outputGrad: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
    query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    shape s: AttentionShape
) {
    let T = s.time, D = s.headDim
    // One task per (batch, key/value head): the heads of a group all add into the same dk, dv.
    parallelChunks(s.batch * s.keyValueHeads) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: T * T)  // dP then dS, (T, T)
        defer { scratch.deallocate() }
        for task in range {
            let b = task / s.keyValueHeads, g = task % s.keyValueHeads
            let k = key + b * T * s.keyValueStride + g * D
            let v = value + b * T * s.keyValueStride + g * D
            let dk = keyGrad + b * T * s.keyValueStride + g * D
            let dv = valueGrad + b * T * s.keyValueStride + g * D
            for member in 0..<s.groupSize {
                let h = g * s.groupSize + member
                let q = query + b * T * s.queryStride + h * D
                let dq = queryGrad + b * T * s.queryStride + h * D
                let dy = outputGrad + b * T * s.outputStride + h * D
                let p = probabilities + (b * s.heads + h) * T * T
                let first = member == 0
                gemm(.tn, m: T, n: D, k: T, a: p, lda: T, b: dy, ldb: s.outputStride,
                     c: dv, ldc: s.keyValueStride, accumulate: !first, threads: 1)
                gemm(.nt, m: T, n: T, k: D, a: dy, lda: s.outputStride, b: v, ldb: s.keyValueStride,
                     c: scratch, ldc: T, threads: 1)
                for t in 0..<T {
                    let pRow = p + t * T, dRow = scratch + t * T
                    var dot: Float = 0
                    for j in 0...t { dot += pRow[j] * dRow[j] }
                    for j in 0...t { dRow[j] = pRow[j] * (dRow[j] - dot) * s.scale }
                    if t + 1 < T { (dRow + t + 1).update(repeating: 0, count: T - t - 1) }
                }
                gemm(.nn, m: T, n: D, k: T, a: scratch, lda: T, b: k, ldb: s.keyValueStride,
                     c: dq, ldc: s.queryStride, threads: 1)
                gemm(.tn, m: T, n: D, k: T, a: scratch, lda: T, b: q, ldb: s.queryStride,
                     c: dk, ldc: s.keyValueStride, accumulate: !first, threads: 1)
            }
        }
    }
}
