import Foundation
import Testing
import Reranking
import RerankingFixtures

private func sig(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Hand-made pools whose results follow from the definitions (N = pool size: one exact evaluation).
@Suite struct HandComputedPoolTests {
    /// Gold 5. Two samples say 5, three say 7, one has no answer but the highest scores.
    static let pool: [Pools.S] = [
        .init("5", [2, 2]),
        .init("5", [0, 0]),
        .init("7", [-1, 1]),
        .init("7", [-2, 3]),
        .init("7", [-3, -3]),
        .init(nil, [5, 5]),
    ]

    @Test func everyMethodAtFullPool() throws {
        let input = Pools.input([(id: "a", level: 1, gold: "5", samples: Self.pool)])
        let s = try Pools.run(input, Pools.options())
        #expect(s.nValues == [1, 2, 4, 6])
        #expect(s.trials == [1, 1, 1, 1])
        func at6(_ m: RerankMethod, _ a: Aggregation? = nil) -> Double { s.curve(m, a)!.mean.last! }
        #expect(at6(.majority) == 0)          // 7 has three votes, 5 two
        #expect(at6(.passAtN) == 1)
        // Best-of-N. min: s0 (sigmoid 2) beats all; max and last: s3 (sigmoid 3) says 7.
        #expect(at6(.bestOfN, .min) == 1)
        #expect(at6(.bestOfN, .max) == 0)
        #expect(at6(.bestOfN, .last) == 0)
        // The sample without an answer has the top score under every aggregation, yet never wins.
        #expect(at6(.bestOfN, .mean) == 1)    // mean p: s0 0.881, s3 (0.119 + 0.953) / 2 = 0.536
        // Weighted voting. min: 5 weighs sig(2) + 1/2 = 1.38, 7 weighs sig(-1) + sig(-2) + sig(-3) = 0.44.
        #expect(at6(.weightedVoting, .min) == 1)
        // max: 5 weighs 1.38, 7 weighs sig(1) + sig(3) + sig(-3) = 1.73.
        #expect(sig(1) + sig(3) + sig(-3) > sig(2) + 0.5)
        #expect(at6(.weightedVoting, .max) == 0)
        // mean_odd: 5 weighs e^2 + 1 = 8.39; 7 weighs (e^-1 + e)/2 + (e^-2 + e^3)/2 + e^-3 = 11.6.
        #expect(at6(.weightedVoting, .meanOdd) == 0)
        // Every curve agrees with the reference implementation on the whole pool.
        let scores = Self.pool.map { p in Aggregation.allCases.map { AggregatedScores(logits: p.logits)[$0] } }
        let groups = Self.pool.map { $0.answer == nil ? -1 : ($0.answer == "5" ? 0 : 1) }
        let ref = Voting.credits(groups: groups, scores: scores)
        for (a, agg) in Aggregation.allCases.enumerated() {
            #expect(at6(.bestOfN, agg) == ref.bestOfN[a])
            #expect(at6(.weightedVoting, agg) == ref.weightedVoting[a])
        }
    }

    /// Ties are split: the credit is the fraction of tied groups (samples for best-of-N) that is correct.
    @Test func tiesAreSplit() throws {
        let tie: [Pools.S] = [.init("1", [0.5]), .init("2", [0.5]), .init("3", [0.5]), .init("3", [-9])]
        let input = Pools.input([(id: "t", level: 2, gold: "1", samples: tie)])
        let s = try Pools.run(input, Pools.options(aggregations: [.last]))
        #expect(s.curve(.majority)!.mean.last! == 0)            // 3 has two votes
        #expect(abs(s.curve(.bestOfN, .last)!.mean.last! - 1.0 / 3) < 1e-12) // three samples tie at the top
        // Weights: 1 -> p, 2 -> p, 3 -> p + tiny: 3 wins.
        #expect(s.curve(.weightedVoting, .last)!.mean.last! == 0)
        let even: [Pools.S] = [.init("1", [1]), .init("2", [1])]
        let s2 = try Pools.run(Pools.input([(id: "e", level: 2, gold: "1", samples: even)]), Pools.options(aggregations: [.min]))
        #expect(s2.curve(.majority)!.mean.last! == 0.5)
        #expect(s2.curve(.bestOfN, .min)!.mean.last! == 0.5)
        #expect(s2.curve(.weightedVoting, .min)!.mean.last! == 0.5)
    }

    /// Groups of levels: easy/hard/all and per level average over their problems.
    @Test func groupBreakdown() throws {
        let right: [Pools.S] = [.init("1", [1]), .init("1", [1])]
        let wrong: [Pools.S] = [.init("2", [1]), .init("2", [1])]
        let input = Pools.input([
            (id: "e1", level: 1, gold: "1", samples: right), (id: "e2", level: 3, gold: "1", samples: wrong),
            (id: "h1", level: 4, gold: "1", samples: right), (id: "h2", level: 5, gold: "1", samples: right),
            (id: "u", level: nil, gold: "1", samples: wrong),
        ])
        let s = try Pools.run(input, Pools.options(aggregations: [.min]))
        func acc(_ g: String) -> Double { s.curve(.majority, group: g)!.mean.last! }
        #expect(acc("all") == 3.0 / 5)
        #expect(acc("easy") == 0.5)
        #expect(acc("hard") == 1)
        #expect(acc("level_3") == 0)
        #expect(acc("level_unknown") == 0)
        #expect(s.groups.map(\.name) == ["all", "easy", "hard", "level_1", "level_3", "level_4", "level_5", "level_unknown"])
        #expect(s.groups.first { $0.name == "easy" }!.problems == 2)
    }

    @Test func unscoredInputHasMajorityAndPassOnly() throws {
        var input = Pools.input([(id: "a", level: 1, gold: "5", samples: Self.pool)])
        for k in input.samples.indices { input.samples[k].stepScores = nil }
        let s = try Pools.run(input, Pools.options())
        #expect(s.methods == [.majority, .passAtN])
        #expect(s.aggregations.isEmpty)
        #expect(s.curve(.majority)!.mean.last! == 0)
        #expect(s.curve(.bestOfN, .min) == nil)
        #expect(s.diagnostics.outcomeAUC.isEmpty)
    }
}

/// The subsampled curves against exhaustive enumeration of every N-subset of small pools.
@Suite struct ExhaustiveTests {
    static func subsets(_ n: Int, of size: Int) -> [[Int]] {
        if n == 0 { return [[]] }
        if size < n { return [] }
        return subsets(n, of: size - 1) + subsets(n - 1, of: size - 1).map { $0 + [size - 1] }
    }

    @Test func meansAndSpreadsMatchEnumeration() throws {
        // Two problems with ties, wrong majorities and answerless samples.
        let pools: [[Pools.S]] = [
            [.init("0", [1, 2]), .init("1", [2]), .init("1", [0, 0]), .init(nil, [3]), .init("2", [-1]),
             .init("0", [0.5]), .init("1", [1, -1])],
            [.init("0", [-1]), .init("0", [-1]), .init("3", [0]), .init("3", [0]), .init("4", [2, 1]), .init("0", [0])],
        ]
        let spec = pools.enumerated().map { (id: "p\($0.offset)", level: Optional(1), gold: "0", samples: $0.element) }
        let trials = 20_000
        let s = try Pools.run(Pools.input(spec), Pools.options(trials: trials, seed: 42))
        #expect(s.nValues == [1, 2, 4, 6])
        let A = Aggregation.allCases.count
        // Exhaustive distribution of each method's credit per problem, at each N.
        for (k, n) in s.nValues.enumerated() {
            var mean = [Double](repeating: 0, count: 2 + 2 * A), variance = mean
            for pool in pools {
                let groups = pool.map { $0.answer.map { Int($0)! } ?? -1 }
                let scores = pool.map { p in Aggregation.allCases.map { AggregatedScores(logits: p.logits)[$0] } }
                let all = Self.subsets(n, of: pool.count)
                var sum = [Double](repeating: 0, count: 2 + 2 * A), sq = sum
                for sub in all {
                    let c = Voting.credits(groups: sub.map { groups[$0] }, scores: sub.map { scores[$0] })
                    let v = [c.majority, c.passAtN] + c.bestOfN + c.weightedVoting
                    for i in v.indices { sum[i] += v[i]; sq[i] += v[i] * v[i] }
                }
                for i in sum.indices {
                    let m = sum[i] / Double(all.count)
                    // At N = 6 the smaller pool is whole: one value, no spread.
                    mean[i] += m / Double(pools.count)
                    variance[i] += (sq[i] / Double(all.count) - m * m) / Double(pools.count * pools.count)
                }
            }
            var curves: [Curve] = [s.curve(.majority)!, s.curve(.passAtN)!]
            curves += Aggregation.allCases.map { s.curve(.bestOfN, $0)! }
            curves += Aggregation.allCases.map { s.curve(.weightedVoting, $0)! }
            for (i, c) in curves.enumerated() {
                let sd = variance[i].squareRoot()
                // The trial mean of a quantity with spread sd has error sd / sqrt(trials).
                #expect(abs(c.mean[k] - mean[i]) <= 5 * sd / Double(trials).squareRoot() + 1e-12,
                        "N=\(n) \(c.method) \(c.aggregation?.rawValue ?? "") mean \(c.mean[k]) vs \(mean[i])")
                #expect(abs(c.std[k] - sd) <= 0.05 * sd + 1e-12, "N=\(n) \(c.method) std \(c.std[k]) vs \(sd)")
            }
        }
    }
}

/// Identities that hold trial by trial: at N = 1 every method reads the same sample; at N = 2
/// weighted voting and best-of-N pick the same answer (two different answers: the higher score).
@Suite struct IdentityTests {
    @Test func smallN() throws {
        let s = try Pools.run(Pools.random(problems: 20, samples: 9, answers: 3), Pools.options(trials: 40))
        let reference = s.curve(.passAtN)!
        for c in s.curves where c.group == "all" {
            #expect(c.mean[0] == reference.mean[0] && c.std[0] == reference.std[0], "\(c.method) \(c.aggregation?.rawValue ?? "")")
        }
        for a in Aggregation.allCases {
            #expect(s.curve(.bestOfN, a)!.mean[1] == s.curve(.weightedVoting, a)!.mean[1])
        }
    }
}

/// Results depend neither on the order of records, nor on threads, and the seed only moves subsampled N.
@Suite struct DeterminismTests {
    @Test func sampleAndProblemOrderDoNotMatter() throws {
        let input = Pools.random(problems: 12, samples: 20)
        let a = try Pools.run(input, Pools.options(trials: 30))
        var shuffled = input
        var rng = Pools.LCG(state: 3)
        for i in stride(from: shuffled.samples.count - 1, to: 0, by: -1) { shuffled.samples.swapAt(i, rng.below(i + 1)) }
        shuffled.problems.reverse()
        let b = try Pools.run(shuffled, Pools.options(trials: 30))
        #expect(a == b)
    }

    @Test func threadsDoNotMatter() throws {
        let input = Pools.random(problems: 9, samples: 17)
        var one = Pools.options(trials: 25), many = one
        one.threads = 1; many.threads = 4
        var a = try Pools.run(input, one), b = try Pools.run(input, many)
        a.options.threads = nil; b.options.threads = nil
        #expect(a == b)
    }

    @Test func seedMovesOnlySubsampledN() throws {
        let input = Pools.random(problems: 6, samples: 16)
        let a = try Pools.run(input, Pools.options(trials: 10, seed: 1))
        let b = try Pools.run(input, Pools.options(trials: 10, seed: 2))
        #expect(a.curve(.majority)!.mean.last == b.curve(.majority)!.mean.last)
        #expect(a.curve(.majority)!.std.last == 0)
        #expect(a.curve(.bestOfN, .min)!.mean.dropLast() != b.curve(.bestOfN, .min)!.mean.dropLast())
        #expect(a.trials == [10, 10, 10, 10, 1])
    }

    @Test func unevenPoolsUseTheSmallest() throws {
        var input = Pools.random(problems: 3, samples: 10)
        input.samples.removeAll { $0.problemID == "p1" && $0.sampleIndex >= 5 }
        let s = try Pools.run(input, Pools.options(trials: 10))
        #expect(s.nValues == [1, 2, 4, 5])
        #expect(s.trials == [10, 10, 10, 10]) // the other pools are still subsampled at N = 5
        #expect(s.input.poolSizeMin == 5 && s.input.poolSizeMax == 10)
        var capped = Pools.options(trials: 10)
        capped.maxN = 3
        #expect(try Pools.run(input, capped).nValues == [1, 2, 3])
    }
}
