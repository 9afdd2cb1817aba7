// Choosing the next token from logits: temperature, top-k, top-p (nucleus), seeded.

import Kernels

/// Picks a token id from one row of logits.
///
/// - Parameters:
///   - logits: (V) raw logits; not modified. Only ids below `vocab` are candidates (a model's
///     embedding table may be padded beyond its tokenizer).
///   - banned: ids never produced (e.g. PAD and BOS).
///   - scratch: reusable buffer (grown as needed) so the hot loop does not allocate.
public func sampleToken(
    logits: UnsafePointer<Float>, vocab: Int, banned: [Int] = [], temperature: Float, topK: Int, topP: Float,
    generator: inout SeededGenerator, scratch: inout [(id: Int, weight: Float)]
) -> Int {
    if temperature <= 0 {
        // The first largest logit is the answer unless it is banned (then the scan below skips banned ids).
        if let first = firstIndexOfMaximum(logits, count: vocab), !banned.contains(first) { return first }
        var best = -1
        for v in 0..<vocab where !banned.contains(v) && (best < 0 || logits[v] > logits[best]) { best = v }
        return max(best, 0)
    }
    scratch.removeAll(keepingCapacity: true)
    // Highest first; ties by id so the order is deterministic.
    if topK > 0, topK < vocab - banned.count {
        // The topK best in that order, kept sorted while scanning: a large vocabulary (1,160 ids with
        // numbers as tokens) is not sorted whole for every token. Ids come in increasing order, so a
        // newcomer goes after every kept entry of equal weight.
        for v in 0..<vocab where !banned.contains(v) {
            let weight = logits[v] / temperature
            if scratch.count == topK {
                guard weight > scratch[topK - 1].weight else { continue }
                scratch.removeLast()
            }
            var i = scratch.count
            while i > 0, scratch[i - 1].weight < weight { i -= 1 }
            scratch.insert((v, weight), at: i)
        }
    } else {
        // Without top-k: first the draw on the head of the order only, which gives the full sort's
        // token whenever it returns one; else (rare) the whole vocabulary sorted.
        let saved = generator
        if let id = drawFromHead(logits: logits, vocab: vocab, banned: banned, temperature: temperature, topP: topP,
                                 generator: &generator, scratch: &scratch) {
            return id
        }
        generator = saved
        scratch.removeAll(keepingCapacity: true)
        for v in 0..<vocab where !banned.contains(v) { scratch.append((v, logits[v] / temperature)) }
        scratch.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.id < $1.id }
    }
    return draw(from: &scratch, topP: topP, generator: &generator)
}

/// The draw on candidates sorted highest first (ties by id), weights divided by the temperature:
/// softmax weights, the top-p cut, then the first candidate whose cumulative weight passes
/// uniform · total.
func draw(from scratch: inout [(id: Int, weight: Float)], topP: Float, generator: inout SeededGenerator) -> Int {
    let maximum = scratch[0].weight
    var total: Float = 0
    for i in scratch.indices {
        scratch[i].weight = expScalar(scratch[i].weight - maximum)
        total += scratch[i].weight
    }
    if topP < 1 {
        var cumulative: Float = 0
        var keep = scratch.count
        for i in scratch.indices {
            cumulative += scratch[i].weight / total
            if cumulative >= topP { keep = i + 1; break }
        }
        scratch.removeSubrange(keep...)
        total = scratch.reduce(0) { $0 + $1.weight }
    }
    var threshold = generator.nextUniform() * total
    for candidate in scratch {
        threshold -= candidate.weight
        if threshold < 0 { return candidate.id }
    }
    return scratch[scratch.count - 1].id
}

/// How far below the highest weight (logit / temperature) the head reaches: e^-17.5 ≈ 2.5e-8 is
/// below half the float spacing at 1 (6e-8), and the total is at least 1 (the highest weight's
/// term is e^0). The proof below does not depend on this value, only how often it succeeds.
let headDepth: Float = 17.5

/// `sampleToken`'s draw without top-k, exactly as on the whole sorted vocabulary but sorting only
/// its head (weights within `headDepth` of the highest), or nil when that cannot be shown equal.
///
/// Why equal: the head holds every candidate with weight ≥ cut, so sorted by the same order it
/// is the prefix of the full order. The full sort's total adds the terms in that order; after the
/// head it holds S, and every later term e satisfies |e| < half the float spacing around S
/// (checked below on every tail term), so S + e rounds to S and the total is S. The top-p
/// cumulative sum and the draw's running threshold read the terms in the same order with the
/// same totals, so when they stop inside the head they stop at the same candidate; where they
/// would read into the tail this returns nil. Any NaN or infinite weight returns nil too.
func drawFromHead(
    logits: UnsafePointer<Float>, vocab: Int, banned: [Int], temperature: Float, topP: Float,
    generator: inout SeededGenerator, scratch: inout [(id: Int, weight: Float)]
) -> Int? {
    var highest = -Float.infinity
    for v in 0..<vocab where !banned.contains(v) {
        let weight = logits[v] / temperature
        if weight.isNaN { return nil }
        if weight > highest { highest = weight }
    }
    guard highest.isFinite else { return nil }
    let cut = highest - headDepth
    scratch.removeAll(keepingCapacity: true)
    for v in 0..<vocab where !banned.contains(v) {
        let weight = logits[v] / temperature
        if weight >= cut { scratch.append((v, weight)) }
    }
    scratch.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.id < $1.id }
    let maximum = scratch[0].weight
    var total: Float = 0
    for i in scratch.indices {
        scratch[i].weight = expScalar(scratch[i].weight - maximum)
        total += scratch[i].weight
    }
    // Every tail term must leave the total unchanged: below half the spacing on either side.
    let halfSpacing = min(total.nextUp - total, total - total.nextDown) / 2
    guard halfSpacing.isFinite else { return nil }
    for v in 0..<vocab where !banned.contains(v) {
        let weight = logits[v] / temperature
        if weight < cut, !(abs(expScalar(weight - maximum)) < halfSpacing) { return nil }
    }
    if topP < 1 {
        var cumulative: Float = 0
        var keep = -1
        for i in scratch.indices {
            cumulative += scratch[i].weight / total
            if cumulative >= topP { keep = i + 1; break }
        }
        guard keep > 0 else { return nil }
        scratch.removeSubrange(keep...)
        total = scratch.reduce(0) { $0 + $1.weight }
    }
    var threshold = generator.nextUniform() * total
    for candidate in scratch {
        threshold -= candidate.weight
        if threshold < 0 { return candidate.id }
    }
    // After a top-p cut these are all of the full sort's candidates, so its last one; without a
    // cut the full sort would read on into the tail.
    return topP < 1 ? scratch[scratch.count - 1].id : nil
}
