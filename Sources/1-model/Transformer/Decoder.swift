// Batched incremental decoding with a KV cache: each step feeds one new token to each of several
// sequences (of different lengths) and returns next-token logits for each. Shapes: R rows in the
// step (≤ S slots), C hidden, V vocabulary.

import GEMM
import Kernels

/// Runs the model one token at a time over many sequences at once, reusing cached keys/values, so
/// a step costs O(length) per sequence instead of recomputing the prefix.
public final class IncrementalDecoder {
    public let model: TransformerModel
    public let cache: KVCache
    /// (S, V) logits of the last step, row i for the i-th row of that step.
    public let logits: UnsafeMutableBufferPointer<Float>
    private let scratch: UnsafeMutablePointer<Float>
    /// (S, C) the residual stream, updated in place; (S, C) a norm's output; (S, W) q, k, v;
    /// (S, Dq) attention output; (S, 2I), (S, I) the MLP's intermediates; (S) reciprocal RMS.
    private let x, xn, qkv, attention, gateUp, hidden, rstd: UnsafeMutablePointer<Float>
    private let positions: UnsafeMutablePointer<Int32>
    /// (S·H, cache.capacity) attention scores, one row per (row, head) task; grows with the cache.
    private var scores: UnsafeMutablePointer<Float>
    private var scoresCapacity: Int

    /// - Parameters:
    ///   - slots: sequences decoded together, S.
    ///   - maxPositions: the context to allocate for (at most `max_position_embeddings`); nil
    ///     grows the cache with the longest sequence instead.
    public init(model: TransformerModel, slots: Int, maxPositions: Int? = nil) {
        self.model = model
        let config = model.config
        cache = KVCache(config: config, slotCount: slots, maxPositions: maxPositions)
        let S = slots, C = config.hiddenSize, I = config.intermediateSize
        logits = .allocate(capacity: S * config.vocabSize)
        logits.initialize(repeating: 0)
        let counts = [S * C, S * C, S * config.qkvWidth, S * config.queryWidth, S * 2 * I, S * I, S, S]
        scratch = .allocate(capacity: counts.reduce(0, +))
        scratch.initialize(repeating: 0, count: counts.reduce(0, +))
        var cursor = scratch
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { cursor += n }; return cursor }
        x = take(counts[0]); xn = take(counts[1]); qkv = take(counts[2]); attention = take(counts[3])
        gateUp = take(counts[4]); hidden = take(counts[5]); rstd = take(counts[6])
        positions = UnsafeMutableRawPointer(take(counts[7])).bindMemory(to: Int32.self, capacity: S)
        scoresCapacity = cache.capacity
        scores = .allocate(capacity: S * config.headCount * scoresCapacity)
    }

    deinit {
        logits.deallocate()
        scratch.deallocate()
        scores.deallocate()
    }

    /// Bytes held by the decoder: the KV cache, the logits and the per-step scratch.
    public var byteCount: Int {
        cache.byteCount + Self.scratchBytes(config: model.config, slots: cache.slotCount, positions: scoresCapacity)
    }

    /// Bytes of the logits and scratch of a decoder of `slots` slots whose cache holds `positions`.
    public static func scratchBytes(config: TransformerConfig, slots S: Int, positions: Int) -> Int {
        let perRow = 2 * config.hiddenSize + config.qkvWidth + config.queryWidth + 3 * config.intermediateSize + 2
        return 4 * (S * config.vocabSize + S * perRow + S * config.headCount * positions)
    }

    /// Appends `tokens[i]` to sequence `slots[i]` for every i and computes next-token logits into
    /// `logits` rows 0..<tokens.count.
    ///
    /// - Throws: `TransformerError.invalidInput` for a bad token id, a repeated or unknown slot, or
    ///   a full slot.
    public func step(tokens: [Int32], slots: [Int]) throws {
        let config = model.config
        let R = tokens.count
        guard R == slots.count, R <= cache.slotCount else {
            throw TransformerError.invalidInput("step needs one slot per token (≤ \(cache.slotCount))")
        }
        guard R > 0 else { return }
        var longest = 0
        for i in 0..<R {
            let s = slots[i]
            guard s >= 0, s < cache.slotCount else { throw TransformerError.invalidInput("slot \(s) does not exist") }
            guard cache.lengths[s] < cache.maxPositions else {
                throw TransformerError.invalidInput("slot \(s) is full (\(cache.maxPositions) positions)")
            }
            guard tokens[i] >= 0, Int(tokens[i]) < config.vocabSize else {
                throw TransformerError.invalidInput("token id \(tokens[i]) is outside the vocabulary")
            }
            positions[i] = Int32(cache.lengths[s])
            longest = max(longest, cache.lengths[s] + 1)
        }
        guard Set(slots).count == R else { throw TransformerError.invalidInput("a slot appears twice in one step") }
        reserve(positions: longest)

        let C = config.hiddenSize, width = config.qkvWidth
        let Dq = config.queryWidth, Dkv = config.keyValueWidth
        let embedding = model.parameter(model.layout.embedding)
        for i in 0..<R { (x + i * C).update(from: embedding + Int(tokens[i]) * C, count: C) }

        // The residual stream is updated in place; both norms share one output buffer.
        let buffers = LayerActivations(norm1Out: xn, norm1Rstd: rstd, qkv: qkv, probabilities: scores,
                                       attentionOut: attention, middle: x, norm2Out: xn, norm2Rstd: rstd,
                                       gateUp: gateUp, hidden: hidden)
        for l in 0..<config.layerCount {
            model.blockForward(layer: l, rows: R, input: x, buffers: buffers, output: x,
                               positions: positions, positionLimit: longest) { qkv, out in
                for i in 0..<R {
                    let at = cache.offset(slot: slots[i], position: Int(positions[i]))
                    (cache.keys[l] + at).update(from: qkv + i * width + Dq, count: Dkv)
                    (cache.values[l] + at).update(from: qkv + i * width + Dq + Dkv, count: Dkv)
                }
                attend(layer: l, rows: R, slots: slots, qkv: qkv, output: out)
            }
        }
        for i in 0..<R { cache.lengths[slots[i]] += 1 }
        rmsNormForward(output: xn, rstd: rstd, input: x, weight: model.parameter(model.layout.finalNorm),
                       rows: R, channels: C, epsilon: config.normEpsilon)
        gemm(.nt, m: R, n: config.vocabSize, k: C, a: xn, lda: C, b: model.parameter(model.layout.lmHead),
             ldb: C, c: logits.baseAddress!, ldc: config.vocabSize)
    }

    /// Grows the cache (and the score scratch) to hold `positions` positions per slot.
    private func reserve(positions: Int) {
        cache.reserve(positions: positions)
        guard cache.capacity > scoresCapacity else { return }
        scores.deallocate()
        scoresCapacity = cache.capacity
        scores = .allocate(capacity: cache.slotCount * model.config.headCount * scoresCapacity)
    }

    /// Feeds whole prompts (of different lengths) into `slots`, batching across sequences, and
    /// leaves each prompt's last-token logits in `logits` row i.
    public func prefill(prompts: [[Int32]], slots: [Int]) throws {
        guard prompts.count == slots.count else {
            throw TransformerError.invalidInput("prefill needs one slot per prompt")
        }
        let V = model.config.vocabSize
        var last = [Float](repeating: 0, count: prompts.count * V)
        let longest = prompts.map(\.count).max() ?? 0
        for position in 0..<longest {
            let rows = prompts.indices.filter { position < prompts[$0].count }
            try step(tokens: rows.map { prompts[$0][position] }, slots: rows.map { slots[$0] })
            for (r, i) in rows.enumerated() where position == prompts[i].count - 1 {
                for v in 0..<V { last[i * V + v] = logits[r * V + v] }
            }
        }
        for i in 0..<(prompts.count * V) { logits[i] = last[i] }
    }

    /// Attention of each row's new query against its slot's cached keys/values (0...position),
    /// reading queries from (R, W) `qkv` and writing (R, Dq) `output`.
    private func attend(layer l: Int, rows R: Int, slots: [Int], qkv: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        let config = model.config
        let D = config.headDim, width = config.qkvWidth
        let group = config.headCount / config.keyValueHeadCount, P = scoresCapacity
        let scale = 1 / Float(D).squareRoot()
        let keys = cache.keys[l], values = cache.values[l], scores = self.scores
        let G = config.keyValueHeadCount
        // One task per (row, kv head): a single pass over the cached keys/values serves the
        // kv head's whole group of query heads.
        parallelChunks(R * G, minimumPerChunk: max(1, 8 / group)) { range in
            for task in range {
                let i = task / G, g = task % G
                let length = Int(positions[i]) + 1
                let base = cache.offset(slot: slots[i], position: 0) + g * D
                attendCachedGroup(queries: qkv + i * width + g * group * D, group: group,
                                  keys: keys + base, values: values + base, stride: config.keyValueWidth,
                                  length: length, headDim: D, scale: scale, scores: scores + task * group * P,
                                  output: output + i * config.queryWidth + g * group * D)
            }
        }
    }
}
