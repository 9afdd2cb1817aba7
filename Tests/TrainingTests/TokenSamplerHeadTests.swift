import Kernels
import Testing
@testable import Training

/// `sampleToken` without top-k sorts only the head of the vocabulary; these draws must be the
/// ones the whole-vocabulary sort gave, for the same generator state, and leave the generator in
/// the same state.
@Suite("Token sampling on the head of the order")
struct TokenSamplerHeadTests {
    /// `sampleToken` as it was before the head path (session 10), kept verbatim as the reference.
    static func fullSort(
        logits: UnsafePointer<Float>, vocab: Int, banned: [Int], temperature: Float, topK: Int, topP: Float,
        generator: inout SeededGenerator, scratch: inout [(id: Int, weight: Float)]
    ) -> Int {
        if temperature <= 0 {
            var best = -1
            for v in 0..<vocab where !banned.contains(v) && (best < 0 || logits[v] > logits[best]) { best = v }
            return max(best, 0)
        }
        scratch.removeAll(keepingCapacity: true)
        if topK > 0, topK < vocab - banned.count {
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

    /// Logits of several shapes: coarse integers (many ties), Gaussian-like at several spreads, a
    /// language model's shape (a few high, a long low tail), all equal, and rows with ±inf or NaN.
    static func logits(kind: Int, vocab: Int, source: inout SeededGenerator) -> [Float] {
        func normal() -> Float {
            Float((0..<6).map { _ in source.nextUniform() }.reduce(0, +) - 3)
        }
        switch kind {
        case 0: return (0..<vocab).map { _ in Float(Int(source.next() % 9)) - 4 }
        case 1: return (0..<vocab).map { _ in normal() }
        case 2: return (0..<vocab).map { _ in 4 * normal() }
        case 3: return (0..<vocab).map { _ in 12 * normal() }
        case 4:
            var row = (0..<vocab).map { _ in 2 * normal() - 10 }
            for _ in 0..<min(8, vocab) { row[Int(source.next() % UInt64(vocab))] = 8 + 3 * normal() }
            // Ties at the top and inside the head.
            row[Int(source.next() % UInt64(vocab))] = row.max()!
            return row.map { ($0 * 4).rounded() / 4 }
        case 5: return [Float](repeating: 0.5, count: vocab)
        case 6:
            var row = (0..<vocab).map { _ in 3 * normal() }
            row[Int(source.next() % UInt64(vocab))] = -.infinity
            row[Int(source.next() % UInt64(vocab))] = -0.0
            row[Int(source.next() % UInt64(vocab))] = 0.0
            return row
        case 7:
            var row = (0..<vocab).map { _ in normal() }
            row[Int(source.next() % UInt64(vocab))] = [Float.nan, .infinity][Int(source.next() % 2)]
            return row
        default: return (0..<vocab).map { _ in 30 * normal() }
        }
    }

    @Test func drawsMatchTheFullSort() {
        var source = SeededGenerator(seed: 2026)
        var scratch: [(id: Int, weight: Float)] = [], reference: [(id: Int, weight: Float)] = []
        var headAnswered = 0, headDeclined = 0, draws = 0
        for trial in 0..<900 {
            let vocab = [3, 17, 200, 1160, 5000][trial % 5]
            let logits = Self.logits(kind: trial % 9, vocab: vocab, source: &source)
            let banned = trial % 2 == 0 ? [] : [0, 2]
            let temperature: Float = [0.05, 0.3, 0.7, 0.8, 1, 1.7, 6][trial % 7]
            let topP: Float = [1, 0.95, 0.9, 0.5, 0.01, 0.999, 0.9999999, 1][(trial / 7) % 8]
            let topK = [0, 0, vocab - banned.count, vocab][(trial / 3) % 4]
            var a = SeededGenerator(seed: UInt64(trial)), b = a
            logits.withUnsafeBufferPointer { row in
                for _ in 0..<12 {
                    var probe = a, probeScratch: [(id: Int, weight: Float)] = []
                    if drawFromHead(logits: row.baseAddress!, vocab: vocab, banned: banned, temperature: temperature,
                                    topP: topP, generator: &probe, scratch: &probeScratch) != nil {
                        headAnswered += 1
                    } else {
                        headDeclined += 1
                    }
                    let found = sampleToken(logits: row.baseAddress!, vocab: vocab, banned: banned, temperature: temperature,
                                            topK: topK, topP: topP, generator: &a, scratch: &scratch)
                    let expected = Self.fullSort(logits: row.baseAddress!, vocab: vocab, banned: banned, temperature: temperature,
                                                 topK: topK, topP: topP, generator: &b, scratch: &reference)
                    #expect(found == expected, "trial \(trial): vocab \(vocab), kind \(trial % 9), T \(temperature), top-p \(topP)")
                    #expect(a == b, "trial \(trial): generator states differ")
                    draws += 1
                }
            }
        }
        // Both paths ran: most draws on the head alone, the rest (flat rows, NaN, u near 1) sorted whole.
        #expect(headAnswered > draws / 2 && headDeclined > 0, "head \(headAnswered), whole sort \(headDeclined)")
    }

    /// Terms on both sides of the head's edge (e^-17 in it, e^-17.6 and e^-25 outside), each below
    /// the total's rounding: many seeds, with and without a top-p cut.
    @Test func drawsAtTheHeadsEdgeMatch() {
        var logits = [Float](repeating: -25, count: 3000)
        logits[7] = 0
        logits[8] = -17
        logits[9] = -17.6
        var scratch: [(id: Int, weight: Float)] = [], reference: [(id: Int, weight: Float)] = []
        for seed in 0..<4000 {
            for topP: Float in [1, 0.999] {
                var a = SeededGenerator(seed: UInt64(seed)), b = a
                let found = logits.withUnsafeBufferPointer {
                    sampleToken(logits: $0.baseAddress!, vocab: 3000, temperature: 1, topK: 0, topP: topP,
                                generator: &a, scratch: &scratch)
                }
                let expected = logits.withUnsafeBufferPointer {
                    Self.fullSort(logits: $0.baseAddress!, vocab: 3000, banned: [], temperature: 1, topK: 0, topP: topP,
                                  generator: &b, scratch: &reference)
                }
                #expect(found == expected && a == b, "seed \(seed), top-p \(topP)")
            }
        }
    }
}
