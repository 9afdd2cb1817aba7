// One decoder block, written once and run both by the full-sequence forward (training, scoring)
// and by the incremental decoder; only the attention over keys/values differs between the two and
// is passed in. Shapes: R rows, C hidden, I intermediate, Dq = H·D, Dkv = G·D, W = Dq + 2·Dkv.

import GEMM
import Kernels

extension TransformerModel {
    /// Runs block `l` over `rows` rows:
    ///
    ///     n1 = rmsnorm(x);  qkv = rope(n1·Wqkvᵀ + bqkv)
    ///     middle = x + attend(qkv)·Woᵀ + bo
    ///     n2 = rmsnorm(middle);  out = middle + down(silu(gate(n2)) · up(n2))
    ///
    /// - Parameters:
    ///   - input: (R, C) the residual stream entering the block.
    ///   - buffers: where the block's intermediates go (the backward reads them); `middle` may be
    ///     `input`, and `output` may be `middle`, for an in-place pass.
    ///   - positions: (R) the RoPE position of each row; `positionLimit` exceeds all of them.
    ///   - attend: `attend(qkv, out)` writes (R, Dq) attention outputs from the rotated (R, W) qkv.
    ///   - packed: this layer's matrices packed beforehand (decoding), nil to pack them per product.
    func blockForward(
        layer l: Int, rows R: Int, input x: UnsafeMutablePointer<Float>, buffers s: LayerActivations,
        output out: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>, positionLimit: Int,
        packed p: PackedWeights.Layer? = nil,
        attend: (_ qkv: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>) -> Void
    ) {
        let w = layout.layers[l]
        let C = config.hiddenSize, I = config.intermediateSize, W = config.qkvWidth, Dq = config.queryWidth
        rmsNormForward(output: s.norm1Out, rstd: s.norm1Rstd, input: x, weight: parameter(w.inputNorm),
                       rows: R, channels: C, epsilon: config.normEpsilon)
        if let bias = w.qkvBias {
            broadcastRowBias(s.qkv, rows: R, columns: W, stride: W, bias: parameter(bias))
        }
        let q = quantizedWeights
        linear(q?.qkv[l], weight: w.qkv, packed: p?.qkv, m: R, n: W, k: C, a: s.norm1Out, lda: C, c: s.qkv, ldc: W,
               accumulate: w.qkvBias != nil)
        applyRope(s.qkv, rows: R, positions: positions, positionLimit: positionLimit, inverse: false)
        attend(s.qkv, s.attentionOut)
        if s.middle != x { s.middle.update(from: x, count: R * C) }
        if let bias = w.outputBias { addRowBias(s.middle, rows: R, columns: C, stride: C, bias: parameter(bias)) }
        linear(q?.output[l], weight: w.output, packed: p?.output, m: R, n: C, k: Dq, a: s.attentionOut, lda: Dq,
               c: s.middle, ldc: C, accumulate: true)
        rmsNormForward(output: s.norm2Out, rstd: s.norm2Rstd, input: s.middle, weight: parameter(w.postNorm),
                       rows: R, channels: C, epsilon: config.normEpsilon)
        linear(q?.gateUp[l], weight: w.gateUp, packed: p?.gateUp, m: R, n: 2 * I, k: C, a: s.norm2Out, lda: C,
               c: s.gateUp, ldc: 2 * I)
        swigluForward(output: s.hidden, gateUp: s.gateUp, rows: R, hidden: I)
        if out != s.middle { out.update(from: s.middle, count: R * C) }
        linear(q?.down[l], weight: w.down, packed: p?.down, m: R, n: C, k: I, a: s.hidden, lda: I,
               c: out, ldc: C, accumulate: true)
    }

    /// Rotates the q and k column blocks of a fused (rows, W) QKV buffer; every position is below
    /// `positionLimit`, and the rotary table grows to cover it.
    func applyRope(_ qkv: UnsafeMutablePointer<Float>, rows: Int, positions: UnsafePointer<Int32>,
                   positionLimit: Int, inverse: Bool) {
        let table = rope(covering: positionLimit)
        ropeApply(qkv, rows: rows, rowStride: config.qkvWidth, heads: config.headCount,
                  positions: positions, table: table, inverse: inverse)
        ropeApply(qkv + config.queryWidth, rows: rows, rowStride: config.qkvWidth,
                  heads: config.keyValueHeadCount, positions: positions, table: table, inverse: inverse)
    }
}
