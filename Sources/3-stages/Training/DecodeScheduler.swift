// The decode scheduler: continuous batching over KV-cache slots as a value-type state machine
// (swift-nio style). It owns no model and does no I/O: a shell (``Sampler``) admits requests,
// asks `nextStep()` for the cache actions and the rows to feed, runs the model, and hands the
// logits to `didStep(logits:)`, which samples and returns the tokens, finished sequences and cache
// actions. Shapes: S slots, V logits per row.
//
// Kept from the first sampler: a request's prompt is fed once, by one slot, and its other samples
// copy that slot's cache (or keep it, when the slot itself takes the next sample); a finished
// slot takes the next queued sequence at once; sample j of a request draws from its own generator.

import GEMM
import Kernels
import Support
import Tokenizers

/// What the shell must do, in order, before the next step (cache actions) or report (events).
public enum DecodeAction: Sendable, Equatable {
    /// Empty slot `slot`'s cache: a sequence that feeds its prompt from the start takes it.
    case reset(slot: Int)
    /// Copy the first `length` cached positions of slot `from` into slot `to` (a shared prompt).
    case copy(from: Int, to: Int, length: Int)
    /// Keep only the first `length` cached positions of `slot` (its own prompt, for another sample).
    case truncate(slot: Int, length: Int)
    /// A sampled token (the streaming callback).
    case token(DecodeToken)
    /// A sequence ended; `slot` is free (the actions after it may give it to the next sequence).
    case finished(DecodeOutput, slot: Int)
}

/// The next model step: apply `actions`, then feed `tokens[i]` to slot `slots[i]` and pass the
/// logits rows, in that order, to ``DecodeScheduler/didStep(logits:)``. No rows: nothing to do.
public struct DecodeStep: Sendable, Equatable {
    public var actions: [DecodeAction]
    /// (R) token per row.
    public var tokens: [Int32]
    /// (R) slot per row, increasing.
    public var slots: [Int]
    /// (R) tokens fed to each row's slot, when any row feeds more than one (a prompt chunk, with
    /// ``DecodeScheduler/prefillChunk`` above 1): `tokens` then holds row 0's tokens, then row 1's,
    /// and the logits passed to `didStep` are those after each row's last token. Empty: one token
    /// per row.
    public var counts: [Int] = []
}

/// Continuous batching of decode requests over a fixed number of KV-cache slots.
public struct DecodeScheduler: Sendable {
    /// S, the KV-cache slots.
    public let slotCount: Int
    /// Positions each slot can hold: prompt plus generated tokens stop there (`length`).
    public let contextLength: Int
    /// Width of a logits row, V (the model's vocabulary); log-probs are over the whole row.
    public let rowWidth: Int
    /// Ids below this are candidates (a model's embedding table may be padded beyond its tokenizer).
    public let candidateCount: Int
    /// Ids never sampled (e.g. PAD and BOS).
    public let banned: [Int]
    /// Prompt tokens a slot feeds in one step (batched prefill); 1, the default, feeds prompts one
    /// token per step like generated tokens. Above 1 the steps carry ``DecodeStep/counts``, and
    /// the prompt tokens of one step are at most this many over all slots (each feeding slot gets
    /// at least one).
    public var prefillChunk = 1
    public let tokenizer: any Tokenizer
    /// (candidateCount) `tokenizer.bytes(of:)` of every id that can be sampled, looked up once.
    private let tokenBytes: [[UInt8]]

    /// One admitted request: its prompt, and the slot whose cache holds the whole prompt.
    private struct Group {
        var prompt: [Int32]
        var request: DecodeRequest
        /// (V) next-token logits after the whole prompt, once some slot fed it.
        var promptLogits: [Float]?
        var promptSlot: Int?
        /// Samples not yet taken from the queue.
        var queued: Int
    }

    private var groups: [Int: Group] = [:]
    private var admitted = 0
    /// (group, sample) in admission order; `queueHead` is the next one.
    private var queue: [(group: Int, sample: Int)] = []
    private var queueHead = 0
    /// (S) the sequence each slot decodes.
    private var slots: [DecodeSequence?]
    /// (S) mirrors of what every step scans, so the scans do not copy whole sequences (``store(_:at:)``):
    /// the slot is fed at the next step, the token it is fed, its sequence has ended.
    private var feeds: [Bool], nextTokens: [Int32], ended: [Bool]
    /// Slots fed by the last `nextStep()`, in row order, and the tokens each was fed.
    private var rows: [Int] = []
    private var rowCounts: [Int] = []
    private var actions: [DecodeAction] = []
    private var scratch: [(id: Int, weight: Float)] = []

    /// - Parameters:
    ///   - slots: S, sequences decoded together.
    ///   - contextLength: positions of each slot's cache.
    ///   - rowWidth: V, floats per logits row.
    ///   - candidateCount: ids below it may be sampled (≤ V).
    ///   - banned: ids never sampled.
    public init(slots: Int, contextLength: Int, rowWidth: Int, candidateCount: Int, banned: [Int], tokenizer: any Tokenizer) {
        precondition(slots >= 1 && contextLength >= 2 && candidateCount >= 1 && candidateCount <= rowWidth)
        slotCount = slots
        self.contextLength = contextLength
        self.rowWidth = rowWidth
        self.candidateCount = candidateCount
        self.banned = banned
        self.tokenizer = tokenizer
        tokenBytes = (0..<candidateCount).map { tokenizer.bytes(of: $0) }
        self.slots = Array(repeating: nil, count: slots)
        feeds = Array(repeating: false, count: slots)
        nextTokens = Array(repeating: 0, count: slots)
        ended = Array(repeating: false, count: slots)
    }

    /// No queued or running sequence.
    public var isIdle: Bool { queueHead == queue.count && slots.allSatisfy { $0 == nil } }

    /// Queues the request's samples behind every sequence admitted before.
    /// - Throws: ``DecodeSettingsError`` for invalid settings, ``DecodeRequestError`` for a prompt
    ///   that is empty, too long for the context or holds an id outside the logits row.
    public mutating func admit(_ request: DecodeRequest) throws {
        try request.settings.validate()
        guard !request.prompt.isEmpty else { throw DecodeRequestError(request: request.id, message: "the prompt is empty") }
        guard request.prompt.count < contextLength else {
            throw DecodeRequestError(request: request.id,
                                     message: "the prompt has \(request.prompt.count) tokens; the context holds \(contextLength)")
        }
        if let bad = request.prompt.first(where: { $0 < 0 || $0 >= rowWidth }) {
            throw DecodeRequestError(request: request.id, message: "prompt token id \(bad) is outside 0..<\(rowWidth)")
        }
        let group = admitted
        admitted += 1
        groups[group] = Group(prompt: request.prompt.map(Int32.init), request: request, queued: request.settings.samples)
        for sample in 0..<request.settings.samples { queue.append((group, sample)) }
    }

    /// Drops every queued and running sequence of request `id` (a client that went away): its slots
    /// are free for the next step, nothing of it is reported. Call it between a `didStep` and the
    /// next `nextStep`, never between a `nextStep` and its `didStep`.
    /// - Returns: how many sequences were dropped.
    @discardableResult
    public mutating func cancel(request id: Int) -> Int {
        precondition(rows.isEmpty, "cancel(request:) between nextStep() and didStep(logits:)")
        var dropped = Set(groups.filter { $0.value.request.id == id }.map(\.key))
        var count = 0
        for slot in 0..<slotCount where slots[slot]?.request == id {
            dropped.insert(slots[slot]!.group)
            store(nil, at: slot)
            count += 1
        }
        guard !dropped.isEmpty else { return count }
        for g in dropped { groups[g] = nil }
        let before = queue.count - queueHead
        queue = queue[queueHead...].filter { !dropped.contains($0.group) }
        queueHead = 0
        return count + before - queue.count
    }

    /// Gives idle slots the next queued sequences and returns the step to run.
    public mutating func nextStep() -> DecodeStep {
        for slot in 0..<slotCount where slots[slot] == nil && queueHead < queue.count {
            refill(slot)
            retire(slot)  // a sequence that starts from a cached prompt may end at once
        }
        rows = (0..<slotCount).filter { feeds[$0] }
        defer { actions = [] }
        guard prefillChunk > 1 else {
            rowCounts = []
            return DecodeStep(actions: actions, tokens: rows.map { nextTokens[$0] }, slots: rows)
        }
        var tokens: [Int32] = [], budget = prefillChunk
        rowCounts = rows.map { slot in
            let sequence = slots[slot]!
            guard !sequence.promptDone else { tokens.append(nextTokens[slot]); return 1 }
            let count = max(1, min(budget, sequence.prompt.count - sequence.fed))
            budget -= count
            tokens += sequence.prompt[sequence.fed..<(sequence.fed + count)]
            return count
        }
        return DecodeStep(actions: actions, tokens: tokens, slots: rows, counts: rowCounts)
    }

    /// Takes the logits of the step `nextStep()` returned and advances every sequence fed in it.
    ///
    /// - Parameter logits: (R, V) row r for the r-th row of the step.
    /// - Returns: the actions in order: tokens sampled, sequences finished, cache actions that give
    ///   freed slots to the next sequences.
    public mutating func didStep(logits: UnsafePointer<Float>) -> [DecodeAction] {
        // Each row's log-normalizer (a pass of exp over the vocabulary) and the draw of each row whose
        // prompt is done after this step, on all cores first: each sequence draws with its own
        // generator, so the tokens do not depend on the order. The bookkeeping below runs in order.
        let width = rowWidth, vocab = candidateCount, banned = self.banned
        var normalizers = [Float](repeating: 0, count: rows.count)
        var draws: [(token: Int, settings: DecodeSettings, generator: SeededGenerator)?] = rows.enumerated().map { r, slot in
            let sequence = slots[slot]!
            let fed = sequence.promptDone ? sequence.fed : sequence.fed + (rowCounts.isEmpty ? 1 : rowCounts[r])
            return fed == sequence.prompt.count ? (-1, sequence.settings, sequence.generator) : nil
        }
        normalizers.withUnsafeMutableBufferPointer { out in
            draws.withUnsafeMutableBufferPointer { draws in
                let out = out.baseAddress!, draws = draws.baseAddress!
                spinningChunks(rows.count, minimumPerChunk: 4, threads: defaultThreadCount) { range in
                    var scratch: [(id: Int, weight: Float)] = []
                    for r in range {
                        let row = logits + r * width
                        out[r] = logSumExp(row, count: width, kernel: .selected)
                        guard var draw = draws[r] else { continue }
                        let s = draw.settings
                        draw.token = sampleToken(logits: row, vocab: vocab, banned: banned, temperature: s.temperature, topK: s.topK,
                                                 topP: s.topP, generator: &draw.generator, scratch: &scratch)
                        draws[r] = draw
                    }
                }
            }
        }
        for (r, slot) in rows.enumerated() {
            // Out of the slot while it changes, so its arrays are not copied on write.
            var sequence = slots[slot]!
            slots[slot] = nil
            let row = logits + r * rowWidth
            if !sequence.promptDone {
                sequence.fed += rowCounts.isEmpty ? 1 : rowCounts[r]
                if !sequence.promptDone {
                    sequence.next = sequence.prompt[sequence.fed]
                    store(sequence, at: slot)
                    continue
                }
                if groups[sequence.group] != nil {  // later samples of the request are queued: keep the prompt
                    groups[sequence.group]!.promptLogits = Array(UnsafeBufferPointer(start: row, count: rowWidth))
                    groups[sequence.group]!.promptSlot = slot
                }
                release(group: sequence.group, from: slot, logits: row)
            }
            let draw = draws[r]!
            sequence.generator = draw.generator
            sample(&sequence, logits: row, logNormalizer: normalizers[r], drawn: draw.token)
            store(sequence, at: slot)
        }
        rows = []
        rowCounts = []
        for slot in 0..<slotCount { retire(slot) }
        defer { actions = [] }
        return actions
    }

    // MARK: - Transitions

    /// Draws the next token of `sequence` from one logits row.
    /// - Parameters:
    ///   - logNormalizer: `logSumExp` of the row when the caller has it.
    ///   - drawn: the token when the caller drew it (with the sequence's generator, already advanced).
    private mutating func sample(_ sequence: inout DecodeSequence, logits row: UnsafePointer<Float>, logNormalizer known: Float? = nil,
                                 drawn: Int? = nil) {
        let s = sequence.settings
        let token = drawn ?? sampleToken(logits: row, vocab: candidateCount, banned: banned, temperature: s.temperature, topK: s.topK,
                                         topP: s.topP, generator: &sequence.generator, scratch: &scratch)
        let logNormalizer = known ?? logSumExp(row, count: rowWidth, kernel: .selected)
        let logprob = row[token] - logNormalizer
        let top = s.topLogprobs > 0 ? mostLikely(row, count: candidateCount, k: s.topLogprobs, banned: banned, logNormalizer: logNormalizer) : []
        if !top.isEmpty { sequence.topLogprobs.append(top) }
        let text = sequence.accept(token: token, bytes: tokenBytes[token], logprob: logprob, contextLength: contextLength)
        actions.append(.token(DecodeToken(request: sequence.request, sample: sequence.sample, tokenID: token,
                                          logprob: logprob, text: text, top: top)))
    }

    /// Reports the slot's sequence if it ended and gives the slot to the next queued one, until the
    /// slot runs a sequence that goes on (one that starts from a cached prompt may end at once).
    private mutating func retire(_ slot: Int) {
        while ended[slot], let sequence = slots[slot] {
            actions.append(.finished(DecodeOutput(request: sequence.request, sample: sequence.sample, text: sequence.output,
                                                  tokenIDs: sequence.tokenIDs, logprobs: sequence.logprobs,
                                                  finishReason: sequence.finish!, topLogprobs: sequence.topLogprobs), slot: slot))
            refill(slot)
        }
    }

    /// Gives `slot` the next queued sequence (or leaves it idle): it starts from its request's
    /// cached prompt when a slot still holds it, else it feeds the prompt, or waits for the slot
    /// already feeding it.
    private mutating func refill(_ slot: Int) {
        guard queueHead < queue.count else { store(nil, at: slot); return }
        let (g, sampleIndex) = queue[queueHead]
        queueHead += 1
        if queueHead > 4096, queueHead * 2 > queue.count { queue.removeFirst(queueHead); queueHead = 0 }
        var group = groups[g]!
        group.queued -= 1
        var sequence = DecodeSequence(group: g, request: group.request.id, sample: sampleIndex, prompt: group.prompt,
                                      settings: group.request.settings)
        let P = group.prompt.count
        if let logits = group.promptLogits, let source = group.promptSlot,
           let holder = slots[source], holder.group == g, holder.promptDone {
            actions.append(source == slot ? .truncate(slot: slot, length: P) : .copy(from: source, to: slot, length: P))
            sequence.fed = P
            logits.withUnsafeBufferPointer { sample(&sequence, logits: $0.baseAddress!) }
        } else {
            actions.append(.reset(slot: slot))
            sequence.next = group.prompt[0]
            // Feed each prompt once: wait for a slot already feeding it.
            sequence.waiting = slots.contains { $0.map { $0.group == g && !$0.promptDone && !$0.waiting } ?? false }
        }
        // The last sample taken: nobody needs the prompt's logits any more.
        groups[g] = group.queued == 0 ? nil : group
        store(sequence, at: slot)
    }

    /// Gives every slot waiting for group `g`'s prompt a copy of `source`'s cache and a first token.
    private mutating func release(group g: Int, from source: Int, logits row: UnsafePointer<Float>) {
        for slot in 0..<slotCount {
            guard var sequence = slots[slot], sequence.waiting, sequence.group == g else { continue }
            slots[slot] = nil
            actions.append(.copy(from: source, to: slot, length: sequence.prompt.count))
            sequence.waiting = false
            sequence.fed = sequence.prompt.count
            sample(&sequence, logits: row)
            store(sequence, at: slot)
        }
    }

    /// Puts `sequence` in `slot` and updates the mirrors.
    private mutating func store(_ sequence: DecodeSequence?, at slot: Int) {
        feeds[slot] = sequence.map { !$0.waiting && $0.finish == nil } ?? false
        nextTokens[slot] = sequence?.next ?? 0
        ended[slot] = sequence?.finish != nil
        slots[slot] = sequence
    }
}

/// The `k` largest of `row[0..<count]` as log-probabilities (minus `logNormalizer`), most likely
/// first, ties by lower id; `banned` ids (never sampled) are left out.
func mostLikely(_ row: UnsafePointer<Float>, count: Int, k: Int, banned: [Int], logNormalizer: Float) -> [TokenLogprob] {
    var best: [(id: Int, logit: Float)] = []
    best.reserveCapacity(k + 1)
    for i in 0..<count {
        let x = row[i]
        guard best.count < k || x > best[best.count - 1].logit, !banned.contains(i) else { continue }
        var at = best.count
        while at > 0, best[at - 1].logit < x { at -= 1 }
        best.insert((i, x), at: at)
        if best.count > k { best.removeLast() }
    }
    return best.map { TokenLogprob(id: $0.id, logprob: $0.logit - logNormalizer) }
}

/// A request the scheduler cannot take, naming the request's id.
public struct DecodeRequestError: Error, Equatable, CustomStringConvertible {
    public var request: Int
    public var message: String
    public var description: String { "decode request \(request): \(message)" }
}
