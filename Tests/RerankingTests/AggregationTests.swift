import Foundation
import Support
import Testing
import Reranking

@Suite struct AggregationTests {
    /// Logits 0, ln 3, -ln 3 are probabilities 1/2, 3/4, 1/4.
    @Test func handComputedValues() {
        let s = AggregatedScores(logits: [0, log(3), -log(3)])
        #expect(abs(s.min - 0.25) < 1e-15)
        #expect(abs(s.max - 0.75) < 1e-15)
        #expect(abs(s.prod - 0.5 * 0.75 * 0.25) < 1e-15)
        #expect(abs(s.mean - 0.5) < 1e-15)
        #expect(abs(s.meanLogit - 0.5) < 1e-15) // sigmoid(mean logit) = sigmoid(0)
        #expect(abs(s.meanOdd - (1 + 3 + 1.0 / 3) / 3) < 1e-14) // mean of p / (1 - p)
        #expect(abs(s.last - 0.25) < 1e-15)
    }

    @Test func extremeLogitsStayFinite() {
        let s = AggregatedScores(logits: [40, -40, 700])
        #expect(s.max == 1)
        #expect(s.min > 0 && s.min < 1e-17)
        #expect(s.prod > 0 && s.prod.isFinite)
        #expect(s.meanOdd.isFinite && s.meanOdd > 1e300)
        let one = AggregatedScores(logits: [2])
        for a in Aggregation.allCases where a != .meanOdd { #expect(abs(one[a] - 1 / (1 + exp(-2.0))) < 1e-15) }
    }

    @Test func parseList() throws {
        #expect(try Aggregation.parseList("min, prod") == [.min, .prod])
        #expect(try Aggregation.parseList("all") == Aggregation.allCases)
        #expect(throws: RerankError.self) { try Aggregation.parseList("median") }
    }
}

@Suite struct GeneratorTests {
    /// xoshiro256** seeded by SplitMix64(0): the reference implementation's first outputs.
    @Test func referenceOutputs() {
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 0x99ec5f36cb75f2b4)
        #expect(g.next() == 0xbf6e1f784956452a)
        #expect(g.next() == 0x1a5f849d4933e6e0)
    }

    @Test func belowIsUniform() {
        var g = SeededGenerator(seed: 1, stream: "p")
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[g.below(6)] += 1 }
        for c in counts { #expect(abs(c - 10_000) < 500) }
    }
}
