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
        for v in 0..<vocab where !banned.contains(v) { scratch.append((v, logits[v] / temperature)) }
        scratch.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.id < $1.id }
    }
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
