// The full-sequence forward pass (training, scoring, prefill). Shapes: B batch, T time,
// N = B·T, C hidden, V vocabulary, I intermediate, Dq/Dkv query/key widths, H heads.

import GEMM
import Kernels

/// What a forward pass should produce after the final norm.
public struct ForwardOutputs: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// (N, V) next-token logits.
    public static let logits = ForwardOutputs(rawValue: 1)
    /// (N) scalar head values.
    public static let values = ForwardOutputs(rawValue: 2)
}

extension TransformerModel {
    /// Runs the decoder over `tokens` (B, T) and fills `activations` for the backward pass.
    ///
    /// - Parameters:
    ///   - tokens: (B·T) token ids, row-major by sequence.
    ///   - outputs: which heads to evaluate.
    /// - Throws: `TransformerError.invalidInput` when a token id or a size is out of range.
    public func forward(
        tokens: UnsafeBufferPointer<Int32>, batch B: Int, time T: Int,
        activations a: Activations, outputs: ForwardOutputs = [.logits]
    ) throws {
        try checkInput(tokens: tokens, batch: B, time: T, activations: a)
        let N = B * T, C = config.hiddenSize, V = config.vocabSize, I = config.intermediateSize
        for n in 0..<N { a.positions[n] = Int32(n % T) }

        // Token embedding.
        let embedding = parameter(layout.embedding)
        let x0 = a.residuals[0]
        parallelChunks(N, minimumPerChunk: 256) { range in
            for n in range { (x0 + n * C).update(from: embedding + Int(tokens[n]) * C, count: C) }
        }

        for l in 0..<config.layerCount {
            let w = layout.layers[l], s = a.layers[l]
            let x = a.residuals[l], out = a.residuals[l + 1]
            // Attention block: middle = x + o_proj(attention(rope(qkv(norm(x))))).
            rmsNormForward(output: s.norm1Out, rstd: s.norm1Rstd, input: x, weight: parameter(w.inputNorm),
                           rows: N, channels: C, epsilon: config.normEpsilon)
            gemm(.nt, m: N, n: config.qkvWidth, k: C, a: s.norm1Out, lda: C,
                 b: parameter(w.qkv), ldb: C, c: s.qkv, ldc: config.qkvWidth)
            applyRope(s.qkv, rows: N, positions: a.positions, inverse: false)
            attentionForward(output: s.attentionOut, probabilities: s.probabilities,
                             query: s.qkv, key: s.qkv + config.queryWidth,
                             value: s.qkv + config.queryWidth + config.keyValueWidth,
                             shape: attentionShape(batch: B, time: T))
            s.middle.update(from: x, count: N * C)
            gemm(.nt, m: N, n: C, k: config.queryWidth, a: s.attentionOut, lda: config.queryWidth,
                 b: parameter(w.output), ldb: config.queryWidth, c: s.middle, ldc: C, accumulate: true)
            // MLP block: out = middle + down(silu(gate(norm(middle))) · up(norm(middle))).
            rmsNormForward(output: s.norm2Out, rstd: s.norm2Rstd, input: s.middle,
                           weight: parameter(w.postNorm), rows: N, channels: C, epsilon: config.normEpsilon)
            gemm(.nt, m: N, n: 2 * I, k: C, a: s.norm2Out, lda: C, b: parameter(w.gateUp), ldb: C,
                 c: s.gateUp, ldc: 2 * I)
            swigluForward(output: s.hidden, gateUp: s.gateUp, rows: N, hidden: I)
            out.update(from: s.middle, count: N * C)
            gemm(.nt, m: N, n: C, k: I, a: s.hidden, lda: I, b: parameter(w.down), ldb: I,
                 c: out, ldc: C, accumulate: true)
        }

        rmsNormForward(output: a.finalOut, rstd: a.finalRstd, input: a.residuals[config.layerCount],
                       weight: parameter(layout.finalNorm), rows: N, channels: C, epsilon: config.normEpsilon)
        if outputs.contains(.logits) {
            gemm(.nt, m: N, n: V, k: C, a: a.finalOut, lda: C, b: parameter(layout.lmHead), ldb: C,
                 c: a.logits, ldc: V)
        }
        if outputs.contains(.values) {
            scoreHead(values: a.values, hidden: a.finalOut, rows: N)
        }
    }

    /// value[n] = hidden[n] · w + b for each of `rows` rows of (rows, C) `hidden`.
    func scoreHead(values: UnsafeMutablePointer<Float>, hidden: UnsafePointer<Float>, rows: Int) {
        let C = config.hiddenSize
        let w = parameter(layout.scoreWeight), bias = parameter(layout.scoreBias)[0]
        for n in 0..<rows {
            var sum: Float = 0
            let h = hidden + n * C
            for c in 0..<C { sum += h[c] * w[c] }
            values[n] = sum + bias
        }
    }

    /// Rotates the q and k column blocks of a fused (rows, Dq + 2·Dkv) QKV buffer.
    func applyRope(_ qkv: UnsafeMutablePointer<Float>, rows: Int, positions: UnsafePointer<Int32>,
                   inverse: Bool) {
        ropeApply(qkv, rows: rows, rowStride: config.qkvWidth, heads: config.headCount,
                  positions: positions, table: rope, inverse: inverse)
        ropeApply(qkv + config.queryWidth, rows: rows, rowStride: config.qkvWidth,
                  heads: config.keyValueHeadCount, positions: positions, table: rope, inverse: inverse)
    }

    func attentionShape(batch: Int, time: Int) -> AttentionShape {
        AttentionShape(batch: batch, time: time, heads: config.headCount,
                       keyValueHeads: config.keyValueHeadCount, headDim: config.headDim,
                       queryStride: config.qkvWidth, keyValueStride: config.qkvWidth,
                       outputStride: config.queryWidth)
    }

    func checkInput(tokens: UnsafeBufferPointer<Int32>, batch B: Int, time T: Int,
                    activations a: Activations) throws {
        guard B >= 1, T >= 1, B <= a.maxBatch, T <= a.maxTime else {
            throw TransformerError.invalidInput(
                "batch \(B) × time \(T) exceeds the activation capacity \(a.maxBatch) × \(a.maxTime)")
        }
        guard T <= config.maxPositions else {
            throw TransformerError.invalidInput("sequence length \(T) exceeds max_position_embeddings \(config.maxPositions)")
        }
        guard tokens.count == B * T else {
            throw TransformerError.invalidInput("expected \(B * T) tokens, found \(tokens.count)")
        }
        for (i, token) in tokens.enumerated() where token < 0 || Int(token) >= config.vocabSize {
            throw TransformerError.invalidInput(
                "token id \(token) at position \(i) is outside the vocabulary 0..<\(config.vocabSize)")
        }
    }
}
