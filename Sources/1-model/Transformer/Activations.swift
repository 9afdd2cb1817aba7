// The activation arena of a training (or full-sequence) forward pass: one allocation, named views.
// Sized for a capacity (maxBatch, maxTime); a pass may use any smaller B, T, packed from the start
// of each view. Shapes below use N = B·T tokens.

/// Buffers one decoder block saves for its backward pass.
public struct LayerActivations {
    /// (N, C) RMSNorm output feeding attention, and (N) its reciprocal RMS.
    public var norm1Out, norm1Rstd: UnsafeMutablePointer<Float>
    /// (N, Dq + 2·Dkv) fused q, k, v after RoPE.
    public var qkv: UnsafeMutablePointer<Float>
    /// (B, H, T, T) attention probabilities.
    public var probabilities: UnsafeMutablePointer<Float>
    /// (N, Dq) attention output before o_proj.
    public var attentionOut: UnsafeMutablePointer<Float>
    /// (N, C) residual stream after the attention block.
    public var middle: UnsafeMutablePointer<Float>
    /// (N, C), (N) RMSNorm feeding the MLP.
    public var norm2Out, norm2Rstd: UnsafeMutablePointer<Float>
    /// (N, 2I) gate and up projections; (N, I) silu(gate)·up.
    public var gateUp, hidden: UnsafeMutablePointer<Float>
}

/// All forward buffers plus the backward scratch, for up to `maxBatch × maxTime` tokens.
public final class Activations {
    public let maxBatch: Int
    public let maxTime: Int
    public let config: TransformerConfig
    /// (L+1) × (N, C): the residual stream entering each block, and leaving the last.
    public private(set) var residuals: [UnsafeMutablePointer<Float>] = []
    public private(set) var layers: [LayerActivations] = []
    /// (N, C), (N): final RMSNorm.
    public private(set) var finalOut: UnsafeMutablePointer<Float>
    public private(set) var finalRstd: UnsafeMutablePointer<Float>
    /// (N, V) logits and their gradient.
    public private(set) var logits: UnsafeMutablePointer<Float>
    public private(set) var logitsGrad: UnsafeMutablePointer<Float>
    /// (N) scalar-head outputs and their gradient.
    public private(set) var values: UnsafeMutablePointer<Float>
    public private(set) var valuesGrad: UnsafeMutablePointer<Float>
    /// (N) per-token losses (for the loss functions' use).
    public private(set) var tokenLosses: UnsafeMutablePointer<Float>
    /// (N) gradient of the objective with respect to each token's loss.
    public private(set) var tokenLossGrad: UnsafeMutablePointer<Float>
    /// (N) RoPE positions of the current pass.
    public private(set) var positions: UnsafeMutablePointer<Int32>
    // Backward scratch, shared by all layers.
    /// (N, C) gradient of the residual stream.
    public private(set) var residualGrad: UnsafeMutablePointer<Float>
    /// (N, C) gradient entering an RMSNorm from above.
    public private(set) var normOutGrad: UnsafeMutablePointer<Float>
    /// (N, Dq + 2·Dkv), (N, Dq), (N, 2I), (N, I) gradients.
    public private(set) var qkvGrad, attentionOutGrad, gateUpGrad, hiddenGrad: UnsafeMutablePointer<Float>

    private let arena: UnsafeMutablePointer<Float>
    private let arenaCount: Int

    public init(config: TransformerConfig, maxBatch: Int, maxTime: Int) {
        self.config = config; self.maxBatch = maxBatch; self.maxTime = maxTime
        let N = maxBatch * maxTime, C = config.hiddenSize, I = config.intermediateSize
        let H = config.headCount, V = config.vocabSize
        let total = Self.floatCount(config: config, maxBatch: maxBatch, maxTime: maxTime)
        arenaCount = total
        arena = .allocate(capacity: total)
        arena.initialize(repeating: 0, count: total)
        var cursor = arena
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        for _ in 0...config.layerCount { residuals.append(take(N * C)) }
        for _ in 0..<config.layerCount {
            layers.append(LayerActivations(
                norm1Out: take(N * C), norm1Rstd: take(N), qkv: take(N * config.qkvWidth),
                probabilities: take(maxBatch * H * maxTime * maxTime),
                attentionOut: take(N * config.queryWidth), middle: take(N * C),
                norm2Out: take(N * C), norm2Rstd: take(N), gateUp: take(N * 2 * I), hidden: take(N * I)))
        }
        finalOut = take(N * C); finalRstd = take(N)
        logits = take(N * V); logitsGrad = take(N * V)
        values = take(N); valuesGrad = take(N); tokenLosses = take(N); tokenLossGrad = take(N)
        positions = UnsafeMutableRawPointer(take(N)).bindMemory(to: Int32.self, capacity: N)
        residualGrad = take(N * C); normOutGrad = take(N * C)
        qkvGrad = take(N * config.qkvWidth); attentionOutGrad = take(N * config.queryWidth)
        gateUpGrad = take(N * 2 * I); hiddenGrad = take(N * I)
        precondition(cursor - arena == total, "activation arena accounting is off")
    }

    deinit { arena.deallocate() }

    /// Floats the arena of `Activations(config:maxBatch:maxTime:)` holds.
    public static func floatCount(config: TransformerConfig, maxBatch: Int, maxTime: Int) -> Int {
        let N = maxBatch * maxTime, C = config.hiddenSize, I = config.intermediateSize
        let H = config.headCount, V = config.vocabSize
        let layerSize = N * C * 3 + N * 2 + N * config.qkvWidth + maxBatch * H * maxTime * maxTime
            + N * config.queryWidth + N * 3 * I
        return (config.layerCount + 1) * N * C + config.layerCount * layerSize
            + N * C + N + 2 * N * V + 4 * N + N + 2 * N * C
            + N * config.qkvWidth + N * config.queryWidth + N * 3 * I
    }

    /// Bytes held by the arena.
    public var byteCount: Int { arenaCount * MemoryLayout<Float>.size }
}
