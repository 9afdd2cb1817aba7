// Batched incremental decoding with a KV cache: each step feeds new tokens to each of several
// sequences (of different lengths): one token per sequence while decoding, a whole prompt chunk
// in one causal pass while prefilling. It returns the next-token logits after each sequence's last
// token. Shapes: R sequences in the step (≤ S slots), N ≥ R tokens, C hidden, V vocabulary.

import GEMM
import Kernels

/// Runs the model one token at a time over many sequences at once, reusing cached keys/values, so
/// a step costs O(length) per sequence instead of recomputing the prefix.
public final class IncrementalDecoder {
    public let model: TransformerModel
    public let cache: KVCache
    /// The model's matrices packed for the GEMM once, instead of in every product (nil when the
    /// model is too large or the caller asked for none, and for a quantized model until, in
    /// bfloat16, a step of ``PackedWeights/tileRows`` rows makes its tiles); re-packed by the next
    /// step after the model's ``TransformerModel/weightVersion`` changes.
    public private(set) var packedWeights: PackedWeights?
    /// The precision `packedWeights` are (or will be) packed in.
    private let precision: MatmulPrecision
    /// A quantized model's bfloat16 tiles, made at the first step of ``PackedWeights/tileRows`` rows.
    private var tilesPending: Bool
    /// (S, V) logits of the last step, row i for the i-th row of that step.
    public let logits: UnsafeMutableBufferPointer<Float>
    private var scratch: UnsafeMutablePointer<Float>
    /// Rows the scratch holds (S, more after a multi-token step), N below.
    private var rowCapacity: Int
    /// (N, C) the residual stream, updated in place; (N, C) a norm's output; (N, W) q, k, v;
    /// (N, Dq) attention output; (N, 2I), (N, I) the MLP's intermediates; (N) reciprocal RMS.
    private var x, xn, qkv, attention, gateUp, hidden, rstd: UnsafeMutablePointer<Float>
    /// (N) each row's position and slot.
    private var positions, rowSlots: UnsafeMutablePointer<Int32>
    /// (N·H, cache.capacity) attention scores, one row per (row, head) task; grows with the cache.
    private var scores: UnsafeMutablePointer<Float>
    private var scoresCapacity: Int

    /// - Parameters:
    ///   - slots: sequences decoded together, S.
    ///   - maxPositions: the context to allocate for (at most `max_position_embeddings`); nil
    ///     grows the cache with the longest sequence instead.
    ///   - packWeights: pack the weight matrices once (``PackedWeights``); the products are
    ///     bit-identical either way.
    ///   - precision: `.bfloat16` (where AMX runs) packs the weights as bfloat16 tiles and keeps a
    ///     bfloat16 KV cache, as `torch.autocast(bfloat16)` decodes; default the process's `--matmul`.
    ///   - reusing: another decoder's ``packedWeights`` of the same model, to use instead of packing
    ///     again (ignored when its precision differs; re-packed at a step if the weights changed).
    public init(model: TransformerModel, slots: Int, maxPositions: Int? = nil, packWeights: Bool = true,
                precision: MatmulPrecision = MatmulPrecision.processDefault, reusing: PackedWeights? = nil) {
        self.model = model
        // A quantized model's tiles serve only steps of many rows: made when the first one comes.
        self.precision = precision
        let reused = packWeights ? reusing.flatMap { $0.precision == precision.effective ? $0 : nil } : nil
        tilesPending = reused == nil && packWeights && model.quantizedWeights != nil && precision.effective == .bfloat16
        packedWeights = reused ?? (packWeights && model.quantizedWeights == nil ? PackedWeights(model: model, precision: precision) : nil)
        let config = model.config
        cache = KVCache(config: config, slotCount: slots, maxPositions: maxPositions, precision: precision)
        logits = .allocate(capacity: slots * config.vocabSize)
        logits.initialize(repeating: 0)
        rowCapacity = slots
        scoresCapacity = cache.capacity
        (scratch, x, xn, qkv, attention, gateUp, hidden, rstd, positions, rowSlots) = Self.scratch(config: config, rows: slots)
        scores = .allocate(capacity: slots * config.headCount * scoresCapacity)
    }

    deinit {
        logits.deallocate()
        scratch.deallocate()
        scores.deallocate()
    }

    /// One allocation for the per-row scratch of `rows` rows, and the views into it.
    private static func scratch(config: TransformerConfig, rows S: Int) -> (
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
        UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>
    ) {
        let C = config.hiddenSize, I = config.intermediateSize
        let counts = [S * C, S * C, S * config.qkvWidth, S * config.queryWidth, S * 2 * I, S * I, S, S, S]
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: counts.reduce(0, +))
        scratch.initialize(repeating: 0, count: counts.reduce(0, +))
        var cursor = scratch
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { cursor += n }; return cursor }
        let views = (take(counts[0]), take(counts[1]), take(counts[2]), take(counts[3]), take(counts[4]),
                     take(counts[5]), take(counts[6]))
        let positions = UnsafeMutableRawPointer(take(counts[7])).bindMemory(to: Int32.self, capacity: S)
        let rowSlots = UnsafeMutableRawPointer(take(counts[8])).bindMemory(to: Int32.self, capacity: S)
        return (scratch, views.0, views.1, views.2, views.3, views.4, views.5, views.6, positions, rowSlots)
    }

    /// Bytes held by the decoder: the KV cache, the logits and the per-step scratch.
    public var byteCount: Int {
        cache.byteCount + (packedWeights?.byteCount ?? 0) + Self.scratchBytes(config: model.config, slots: cache.slotCount, positions: scoresCapacity)
            + 4 * (rowCapacity - cache.slotCount) * (Self.perRowFloats(model.config) + model.config.headCount * scoresCapacity)
    }

    private static func perRowFloats(_ config: TransformerConfig) -> Int {
        2 * config.hiddenSize + config.qkvWidth + config.queryWidth + 3 * config.intermediateSize + 3
    }

    /// Bytes of the logits and scratch of a decoder of `slots` slots whose cache holds `positions`.
    public static func scratchBytes(config: TransformerConfig, slots S: Int, positions: Int) -> Int {
        4 * (S * config.vocabSize + S * perRowFloats(config) + S * config.headCount * positions)
    }

    /// Appends `tokens[i]` to sequence `slots[i]` for every i and computes next-token logits into
    /// `logits` rows 0..<tokens.count.
    ///
    /// - Throws: `TransformerError.invalidInput` for a bad token id, a repeated or unknown slot, or
    ///   a full slot.
    public func step(tokens: [Int32], slots: [Int]) throws {
        try step(tokens: tokens, counts: Array(repeating: 1, count: tokens.count), slots: slots)
    }

    /// Appends `counts[i]` consecutive tokens to sequence `slots[i]` for every i (the tokens of row
    /// i follow those of row i-1 in `tokens`) in one batched causal pass, and computes the
    /// next-token logits after the last token of each row into `logits` row i. A prompt is fed
    /// this way in one step (batched prefill) while other slots feed one token each.
    ///
    /// - Throws: `TransformerError.invalidInput` for a bad token id or count, a repeated or unknown
    ///   slot, or a slot that the tokens would overfill.
    public func step(tokens: [Int32], counts: [Int], slots: [Int]) throws {
        let config = model.config
        let R = slots.count
        guard R == counts.count, R <= cache.slotCount, counts.allSatisfy({ $0 >= 1 }),
              counts.reduce(0, +) == tokens.count else {
            throw TransformerError.invalidInput(
                "step needs one slot and a positive token count per row (≤ \(cache.slotCount) rows), counts summing to the tokens")
        }
        guard R > 0 else { return }
        let N = tokens.count
        reserveRows(N)
        var longest = 0, n = 0
        for i in 0..<R {
            let s = slots[i]
            guard s >= 0, s < cache.slotCount else { throw TransformerError.invalidInput("slot \(s) does not exist") }
            guard cache.lengths[s] + counts[i] <= cache.maxPositions else {
                throw TransformerError.invalidInput("slot \(s) is full (\(cache.maxPositions) positions)")
            }
            for j in 0..<counts[i] {
                guard tokens[n] >= 0, Int(tokens[n]) < config.vocabSize else {
                    throw TransformerError.invalidInput("token id \(tokens[n]) is outside the vocabulary")
                }
                positions[n] = Int32(cache.lengths[s] + j)
                rowSlots[n] = Int32(s)
                n += 1
            }
            longest = max(longest, cache.lengths[s] + counts[i])
        }
        guard Set(slots).count == R else { throw TransformerError.invalidInput("a slot appears twice in one step") }
        reserve(positions: longest)

        let C = config.hiddenSize, width = config.qkvWidth
        let Dq = config.queryWidth, Dkv = config.keyValueWidth, D = config.headDim, G = config.keyValueHeadCount
        tokens.withUnsafeBufferPointer { model.embed(tokens: $0, into: x) }
        if tilesPending, N >= PackedWeights.tileRows {
            packedWeights = PackedWeights(model: model, precision: precision)
            tilesPending = false
        }
        packedWeights?.refresh(from: model)

        // The residual stream is updated in place; both norms share one output buffer.
        let buffers = LayerActivations(norm1Out: xn, norm1Rstd: rstd, qkv: qkv, probabilities: scores,
                                       attentionOut: attention, middle: x, norm2Out: xn, norm2Rstd: rstd,
                                       gateUp: gateUp, hidden: hidden)
        for l in 0..<config.layerCount {
            model.blockForward(layer: l, rows: N, input: x, buffers: buffers, output: x,
                               positions: positions, positionLimit: longest,
                               packed: packedWeights?.layers[l]) { qkv, out in
                // Every row's key and value go into the cache first, so each row then attends to
                // its slot's positions 0...its own (causal within a multi-token row).
                for r in 0..<N {
                    for g in 0..<G {
                        cache.store(layer: l, slot: Int(rowSlots[r]), head: g, position: Int(positions[r]),
                                    key: qkv + r * width + Dq + g * D, value: qkv + r * width + Dq + Dkv + g * D)
                    }
                }
                attend(layer: l, rows: N, qkv: qkv, output: out)
            }
        }
        for i in 0..<R { cache.lengths[slots[i]] += counts[i] }
        // The last token of each row moves to row i (rows only move down), then norm and LM head.
        var last = -1
        for i in 0..<R {
            last += counts[i]
            if last != i { (x + i * C).update(from: x + last * C, count: C) }
        }
        rmsNormForward(output: xn, rstd: rstd, input: x, weight: model.parameter(model.layout.finalNorm),
                       rows: R, channels: C, epsilon: config.normEpsilon)
        model.lmHead(rows: R, hidden: xn, logits: logits.baseAddress!, packed: packedWeights?.lmHead)
    }

    /// Grows the cache (and the score scratch) to hold `positions` positions per slot.
    private func reserve(positions: Int) {
        cache.reserve(positions: positions)
        guard cache.capacity > scoresCapacity else { return }
        scores.deallocate()
        scoresCapacity = cache.capacity
        scores = .allocate(capacity: rowCapacity * model.config.headCount * scoresCapacity)
    }

    /// Grows the per-row scratch to `rows` rows (a multi-token step); what it holds is not kept.
    private func reserveRows(_ rows: Int) {
        guard rows > rowCapacity else { return }
        scratch.deallocate()
        scores.deallocate()
        rowCapacity = rows
        (scratch, x, xn, qkv, attention, gateUp, hidden, rstd, positions, rowSlots) = Self.scratch(config: model.config, rows: rows)
        scores = .allocate(capacity: rowCapacity * model.config.headCount * scoresCapacity)
    }

    /// Tokens of one slot fed in one step by ``prefill(prompts:slots:chunk:)``.
    public static let defaultPrefillChunk = 256

    /// Feeds whole prompts (of different lengths) into `slots` in batched causal passes of at most
    /// `chunk` tokens per prompt, and leaves each prompt's last-token logits in `logits` row i.
    public func prefill(prompts: [[Int32]], slots: [Int], chunk: Int = IncrementalDecoder.defaultPrefillChunk) throws {
        guard prompts.count == slots.count, chunk >= 1 else {
            throw TransformerError.invalidInput("prefill needs one slot per prompt and a chunk of at least 1")
        }
        let V = model.config.vocabSize
        var last = [Float](repeating: 0, count: prompts.count * V)
        var fed = Array(repeating: 0, count: prompts.count)
        while true {
            let rows = prompts.indices.filter { fed[$0] < prompts[$0].count }
            guard !rows.isEmpty else { break }
            let counts = rows.map { min(chunk, prompts[$0].count - fed[$0]) }
            let tokens = zip(rows, counts).flatMap { i, c in prompts[i][fed[i]..<(fed[i] + c)] }
            try step(tokens: tokens, counts: counts, slots: rows.map { slots[$0] })
            for (r, i) in rows.enumerated() {
                fed[i] += counts[r]
                if fed[i] == prompts[i].count { for v in 0..<V { last[i * V + v] = logits[r * V + v] } }
            }
        }
        for i in 0..<(prompts.count * V) { logits[i] = last[i] }
    }

    /// Attention of each row's new query against its slot's cached keys/values (0...position),
    /// reading queries from (R, W) `qkv` and writing (R, Dq) `output`.
    private func attend(layer l: Int, rows R: Int, qkv: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        let config = model.config
        let D = config.headDim, width = config.qkvWidth
        let group = config.headCount / config.keyValueHeadCount, P = scoresCapacity
        let scale = 1 / Float(D).squareRoot()
        let keys = cache.keys[l], values = cache.values[l], scores = self.scores
        let positions = self.positions, rowSlots = self.rowSlots
        let G = config.keyValueHeadCount, cache = self.cache, queryWidth = config.queryWidth
        let half = cache.precision == .bfloat16, e = cache.elementBytes
        // One task per (row, kv head): a single pass over the cached keys/values serves the
        // kv head's whole group of query heads. On the GEMM's workers: no wake-up per layer.
        spinningChunks(R * G, minimumPerChunk: 1, threads: defaultThreadCount) { range in
            for task in range {
                let i = task / G, g = task % G
                let length = Int(positions[i]) + 1
                let base = cache.offset(slot: Int(rowSlots[i]), head: g, position: 0)
                var next: NextBlocks?
                if task + 1 < range.upperBound {
                    // The next task's keys and values come from memory while this one computes (at batch
                    // 64 each task reads its own blocks, which are in no cache); the AVX-512 kernels
                    // spread the requests over their passes rather than issue them in one burst.
                    let ni = (task + 1) / G
                    let at = cache.offset(slot: Int(rowSlots[ni]), head: (task + 1) % G, position: 0)
                    next = NextBlocks(keys: keys + at * e, values: values + at * e, bytes: (Int(positions[ni]) + 1) * D * e)
                }
                let query = qkv + i * width + g * group * D, out = output + i * queryWidth + g * group * D
                if half {
                    attendCachedGroupBFloat16(queries: query, group: group,
                                              keys: (keys + 2 * base).assumingMemoryBound(to: UInt16.self),
                                              values: (values + 2 * base).assumingMemoryBound(to: UInt16.self), stride: D,
                                              length: length, headDim: D, scale: scale, scores: scores + task * group * P,
                                              output: out, prefetch: next)
                } else {
                    attendCachedGroup(queries: query, group: group,
                                      keys: (keys + 4 * base).assumingMemoryBound(to: Float.self),
                                      values: (values + 4 * base).assumingMemoryBound(to: Float.self), stride: D,
                                      length: length, headDim: D, scale: scale, scores: scores + task * group * P,
                                      output: out, prefetch: next)
                }
            }
        }
    }
}
