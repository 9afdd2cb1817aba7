// Is a gain of weighted voting over majority voting more than the luck of the test problems?
// Per problem, both methods either pick the right answer or not (ties split the credit); only the
// problems where they differ carry information, and under "no difference" each of those goes
// either way with probability 1/2: a one-sided sign test.

import Datasets
import Foundation
import Reranking
import Training

/// Weighted voting (`prod`) against majority voting, problem by problem, at the full sample pool.
public struct PairedComparison: Codable, Sendable, Equatable {
    public var problems: Int
    /// Problems where weighted voting's credit is above majority voting's, and below it.
    public var wins: Int
    public var losses: Int
    /// One-sided sign test: P(at least `wins` of the `wins + losses` differing problems go to
    /// weighted voting | each goes either way with probability 1/2). 1 when none differ.
    public var pValue: Double

    enum CodingKeys: String, CodingKey {
        case problems, wins, losses
        case pValue = "sign_test_p"
    }

    /// Compares the two methods on the given problems' scored samples; a sample's answer is right
    /// when the grader marked it correct, and other answers are told apart by their text.
    public init(samples: [SampleRecord], problems: [Problem]) {
        let pools = Dictionary(grouping: samples, by: \.problemID)
        var wins = 0, losses = 0
        for problem in problems {
            let credits = Self.credits(pools[problem.id] ?? [])
            if credits.weightedVoting[0] > credits.majority + 1e-9 { wins += 1 }
            if credits.weightedVoting[0] < credits.majority - 1e-9 { losses += 1 }
        }
        self.problems = problems.count
        self.wins = wins
        self.losses = losses
        pValue = Self.signTest(wins: wins, of: wins + losses)
    }

    /// Two sets of samples of the same problems (`challenger` against `baseline`, e.g. the RL policy's
    /// against the SFT policy's), compared problem by problem by one method's credit: wins where the
    /// challenger's is higher.
    public init(challenger: [SampleRecord], baseline: [SampleRecord], problems: [Problem], weighted: Bool) {
        let a = Dictionary(grouping: challenger, by: \.problemID), b = Dictionary(grouping: baseline, by: \.problemID)
        var wins = 0, losses = 0
        for problem in problems {
            let x = Self.credits(a[problem.id] ?? []), y = Self.credits(b[problem.id] ?? [])
            let (p, q) = weighted ? (x.weightedVoting[0], y.weightedVoting[0]) : (x.majority, y.majority)
            if p > q + 1e-9 { wins += 1 }
            if p < q - 1e-9 { losses += 1 }
        }
        self.problems = problems.count
        self.wins = wins
        self.losses = losses
        pValue = Self.signTest(wins: wins, of: wins + losses)
    }

    /// Counts already made (e.g. read back from `evaluation.json`).
    public init(problems: Int, wins: Int, losses: Int) {
        self.problems = problems
        self.wins = wins
        self.losses = losses
        pValue = Self.signTest(wins: wins, of: wins + losses)
    }

    /// Two policies' greedy verdicts by problem id (`challenger` against `baseline`): wins where only
    /// the challenger is right, losses where only the baseline is; a missing verdict counts as wrong.
    public init(challenger: [String: Bool], baseline: [String: Bool], problems: [Problem]) {
        self.init(problems: problems.count,
                  wins: problems.filter { challenger[$0.id] == true && baseline[$0.id] != true }.count,
                  losses: problems.filter { challenger[$0.id] != true && baseline[$0.id] == true }.count)
    }

    /// The voting credits of one problem's samples (weighted voting by the `prod` of the step scores).
    static func credits(_ pool: [SampleRecord]) -> VoteCredits {
        var groupOfAnswer: [String: Int] = [:]
        let groups = pool.map { sample -> Int in
            guard let answer = sample.answer else { return -1 }
            if sample.correct == true { return 0 }
            if let group = groupOfAnswer[answer] { return group }
            groupOfAnswer[answer] = groupOfAnswer.count + 1
            return groupOfAnswer.count
        }
        let scores = pool.map { sample -> [Double] in
            let logits = (sample.stepScores ?? []).map(Double.init)
            return [logits.isEmpty ? 0 : AggregatedScores(logits: logits).prod]
        }
        return Voting.credits(groups: groups, scores: scores)
    }

    /// A clear gain: more wins than losses, one-sided sign test p <= 0.05.
    public var clearGain: Bool { wins > losses && pValue <= 0.05 }
    /// A clear loss: more losses than wins, the sign test the other way p <= 0.05.
    public var clearLoss: Bool { losses > wins && Self.signTest(wins: losses, of: wins + losses) <= 0.05 }

    /// P(X ≥ wins) for X ~ Binomial(n, 1/2).
    static func signTest(wins: Int, of n: Int) -> Double {
        guard n > 0 else { return 1 }
        var term = pow(0.5, Double(n))  // C(n, 0) / 2^n
        var tail = 0.0
        for k in 0...n {
            if k >= wins { tail += term }
            term *= Double(n - k) / Double(k + 1)
        }
        return min(1, tail)
    }
}
