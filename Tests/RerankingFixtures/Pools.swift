import Reranking

/// Builders of small in-memory re-ranking inputs, shared by RerankingTests and ReportsTests.
public enum Pools {
    /// One sample: an answer (nil = none) and raw step logits.
    public struct S {
        public var answer: String?
        public var logits: [Double]
        public init(_ answer: String?, _ logits: [Double]) { self.answer = answer; self.logits = logits }
    }

    /// A problem with gold `gold`, level `level`, and the given samples (indices 0...).
    public static func input(_ problems: [(id: String, level: Int?, gold: String, samples: [S])]) -> RerankInput {
        var ps: [RerankProblem] = [], ss: [RerankSample] = []
        for p in problems {
            ps.append(RerankProblem(id: p.id, level: p.level, answer: p.gold))
            for (k, s) in p.samples.enumerated() {
                // No answer: an output without any answer marker (extraction finds none).
                ss.append(RerankSample(problemID: p.id, sampleIndex: k, output: s.answer == nil ? "" : nil,
                                       answer: s.answer, stepScores: s.logits))
            }
        }
        return RerankInput(problems: ps, samples: ss)
    }

    /// Options with one trial and the given aggregations.
    public static func options(trials: Int = 1, aggregations: [Aggregation] = Aggregation.allCases, seed: UInt64 = 0) -> RerankOptions {
        var o = RerankOptions()
        o.trials = trials
        o.aggregations = aggregations
        o.seed = seed
        return o
    }

    public static func run(_ input: RerankInput, _ options: RerankOptions) throws -> RerankSummary {
        try rerank(input, options: options, equivalence: ExactStringEquivalence())
    }

    /// A small deterministic generator for test data (not the library's).
    public struct LCG {
        public var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53
        }
        public mutating func below(_ n: Int) -> Int { Int(next() * Double(n)) }
    }

    /// `problems` problems with random answers among a few values and random logits.
    public static func random(problems: Int, samples: Int, answers: Int = 4, seed: UInt64 = 7) -> RerankInput {
        var rng = LCG(state: seed)
        var spec: [(id: String, level: Int?, gold: String, samples: [S])] = []
        for p in 0..<problems {
            var ss: [S] = []
            for _ in 0..<samples {
                let a = rng.below(answers + 1)
                let steps = 1 + rng.below(4)
                ss.append(S(a == answers ? nil : "\(a)", (0..<steps).map { _ in rng.next() * 6 - 3 }))
            }
            spec.append((id: "p\(p)", level: 1 + p % 5, gold: "0", samples: ss))
        }
        return input(spec)
    }
}
