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
        try forward(tokens: tokens, segments: AttentionSegments(batch: B, time: T), activations: a, outputs: outputs)
    }

    /// Runs the decoder over rows cut into attention segments (a segment continues its prefix:
    /// a prompt shared by several continuations is run once) and fills `activations`.
    ///
    /// - Parameters:
    ///   - tokens: (N) token ids, N = `segments.rows`; a segment's rows sit at positions after its
    ///     prefix's.
    /// - Throws: `TransformerError.invalidInput` when a token id or a size is out of range.
    public func forward(
        tokens: UnsafeBufferPointer<Int32>, segments: AttentionSegments,
        activations a: Activations, outputs: ForwardOutputs = [.logits]
    ) throws {
        try checkInput(tokens: tokens, segments: segments, activations: a)
        let N = segments.rows, C = config.hiddenSize
        for (n, position) in segments.positions.enumerated() { a.positions[n] = position }

        // Token embedding.
        embed(tokens: tokens, into: a.residuals[0])

        let shape = attentionShape()
        for l in 0..<config.layerCount {
            let s = a.layers[l]
            blockForward(layer: l, rows: N, input: a.residuals[l], buffers: s, output: a.residuals[l + 1],
                         positions: a.positions, positionLimit: segments.positionLimit) { qkv, out in
                attentionForward(output: out, probabilities: s.probabilities, query: qkv,
                                 key: qkv + config.queryWidth, value: qkv + config.queryWidth + config.keyValueWidth,
                                 shape: shape, segments: segments)
            }
        }

        rmsNormForward(output: a.finalOut, rstd: a.finalRstd, input: a.residuals[config.layerCount],
                       weight: parameter(layout.finalNorm), rows: N, channels: C, epsilon: config.normEpsilon)
        if outputs.contains(.logits) {
            lmHead(rows: N, hidden: a.finalOut, logits: a.logits)
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

    /// Heads and strides of the fused QKV buffer (the rows come from the segments).
    func attentionShape() -> AttentionShape {
        AttentionShape(batch: 0, time: 0, heads: config.headCount,
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
    }

    func checkInput(tokens: UnsafeBufferPointer<Int32>, segments: AttentionSegments,
                    activations a: Activations) throws {
        let capacity = a.maxBatch * a.maxTime
        guard segments.rows <= capacity, segments.probabilityCount <= a.maxBatch * a.maxTime * a.maxTime else {
            throw TransformerError.invalidInput(
                "\(segments.rows) rows in \(segments.lengths.count) segments exceed the activation capacity \(a.maxBatch) × \(a.maxTime)")
        }
        guard segments.positionLimit <= config.maxPositions else {
            throw TransformerError.invalidInput("sequence length \(segments.positionLimit) exceeds max_position_embeddings \(config.maxPositions)")
        }
        guard tokens.count == segments.rows else {
            throw TransformerError.invalidInput("expected \(segments.rows) tokens, found \(tokens.count)")
        }
        for (i, token) in tokens.enumerated() where token < 0 || Int(token) >= config.vocabSize {
            throw TransformerError.invalidInput(
                "token id \(token) at position \(i) is outside the vocabulary 0..<\(config.vocabSize)")
        }
    }
}
