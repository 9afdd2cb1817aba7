import Kernels
import Testing
import Training

/// The top-k selection against the plain way: sort every candidate, keep the first k.
@Suite("Token sampling")
struct TokenSamplerTests {
    /// The reference: the whole vocabulary sorted (highest first, ties by id), cut to k, then the
    /// same draw.
    func reference(_ logits: [Float], banned: [Int], temperature: Float, topK: Int, generator: inout SeededGenerator) -> Int {
        var candidates = logits.indices.filter { !banned.contains($0) }.map { (id: $0, weight: logits[$0] / temperature) }
        candidates.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.id < $1.id }
        if topK > 0, topK < candidates.count { candidates.removeSubrange(topK...) }
        let maximum = candidates[0].weight
        for i in candidates.indices { candidates[i].weight = expScalar(candidates[i].weight - maximum) }
        var threshold = generator.nextUniform() * candidates.reduce(0) { $0 + $1.weight }
        for c in candidates {
            threshold -= c.weight
            if threshold < 0 { return c.id }
        }
        return candidates[candidates.count - 1].id
    }

    @Test func topKDrawsMatchTheFullSort() {
        var source = SeededGenerator(seed: 9)
        var scratch: [(id: Int, weight: Float)] = []
        for trial in 0..<300 {
            let vocab = [7, 64, 1160][trial % 3]
            // Coarse values, so ties are common.
            let logits = (0..<vocab).map { _ in Float(Int(source.next() % 9)) - 4 }
            for topK in [1, 2, 20, vocab - 3, vocab] {
                var a = SeededGenerator(seed: UInt64(trial)), b = a
                for _ in 0..<5 {
                    let fast = logits.withUnsafeBufferPointer {
                        sampleToken(logits: $0.baseAddress!, vocab: vocab, banned: [0, 1], temperature: 0.7, topK: topK,
                                    topP: 1, generator: &a, scratch: &scratch)
                    }
                    let slow = reference(logits, banned: [0, 1], temperature: 0.7, topK: topK, generator: &b)
                    #expect(fast == slow, "vocab \(vocab), k \(topK)")
                }
            }
        }
    }
}
