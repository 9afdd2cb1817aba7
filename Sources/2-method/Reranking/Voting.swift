/// The voting rules on one set of samples: the plain reference implementation.
///
/// The curve engine (CurveEngine.swift) computes the same credits incrementally; tests compare
/// the two. Rules (docs/rerank.md):
/// - samples without an answer (group -1) never win, but count among the N;
/// - majority: the group with the most samples; weighted voting: the group with the largest sum
///   of scores; best-of-N: the group of the highest-scoring sample;
/// - ties are split: when k groups tie (k samples for best-of-N), the credit is the fraction of
///   them that is correct, which is the expected accuracy of breaking the tie uniformly at random.
///   It is deterministic and does not depend on sample order.

/// The credit (expected accuracy, 0...1) of each method on one set of samples.
public struct VoteCredits: Equatable, Sendable {
    public var majority: Double
    public var passAtN: Double
    /// One per aggregation, in the order of the scores given.
    public var bestOfN: [Double]
    /// One per aggregation, in the order of the scores given.
    public var weightedVoting: [Double]
}

public enum Voting {
    /// Credits of every method on a set of samples.
    /// - Parameters:
    ///   - groups: answer group of each sample; -1 = no answer.  // (N)
    ///   - scores: aggregated scores of each sample, one per aggregation (may be empty rows). // (N, A)
    ///   - correctGroup: the group of the gold answer.
    public static func credits(groups: [Int], scores: [[Double]], correctGroup: Int = 0) -> VoteCredits {
        precondition(scores.isEmpty || scores.count == groups.count, "one score row per sample")
        let aggregations = scores.first?.count ?? 0
        let answered = groups.indices.filter { groups[$0] >= 0 }

        func split(_ winners: [Int]) -> Double {
            winners.isEmpty ? 0 : Double(winners.filter { $0 == correctGroup }.count) / Double(winners.count)
        }
        var count: [Int: Int] = [:]
        for i in answered { count[groups[i], default: 0] += 1 }
        let top = count.values.max()
        let majority = split(count.filter { $0.value == top }.map(\.key))
        let pass: Double = answered.contains { groups[$0] == correctGroup } ? 1 : 0

        var best: [Double] = [], weighted: [Double] = []
        for a in 0..<aggregations {
            let high = answered.map { scores[$0][a] }.max()
            best.append(split(answered.filter { scores[$0][a] == high }.map { groups[$0] }))
            var weight: [Int: Double] = [:]
            for i in answered { weight[groups[i], default: 0] += scores[i][a] }
            let heaviest = weight.values.max()
            weighted.append(split(weight.filter { $0.value == heaviest }.map(\.key)))
        }
        return VoteCredits(majority: majority, passAtN: pass, bestOfN: best, weightedVoting: weighted)
    }
}
