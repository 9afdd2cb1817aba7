// The verdict's sign test: weighted voting against majority voting, problem by problem.

import Datasets
@testable import Experiment
import Testing
import Training

@Suite struct PairedComparisonTests {
    @Test func signTestTailsAreBinomial() {
        #expect(PairedComparison.signTest(wins: 0, of: 0) == 1)
        #expect(PairedComparison.signTest(wins: 0, of: 7) == 1)
        #expect(abs(PairedComparison.signTest(wins: 5, of: 5) - 1.0 / 32) < 1e-12)
        #expect(abs(PairedComparison.signTest(wins: 4, of: 5) - 6.0 / 32) < 1e-12)
        // 10 of 12: (C(12,10) + C(12,11) + C(12,12)) / 4096 = 79 / 4096.
        #expect(abs(PairedComparison.signTest(wins: 10, of: 12) - 79.0 / 4096) < 1e-12)
        // A large n stays finite and a probability.
        let p = PairedComparison.signTest(wins: 70, of: 120)
        #expect(p > 0.03 && p < 0.05)
    }

    @Test func clearGainsAndLossesNeedTheSignTestEitherWay() {
        #expect(PairedComparison(problems: 400, wins: 10, losses: 0).clearGain)
        #expect(!PairedComparison(problems: 400, wins: 10, losses: 0).clearLoss)
        // 11 won, 24 lost (session 16's PRM-rewarded GRPO against the outcome baseline): P(≥ 24 of 35) ≈ 0.02.
        let worse = PairedComparison(problems: 400, wins: 11, losses: 24)
        #expect(worse.clearLoss && !worse.clearGain && worse.pValue > 0.95)
        #expect(!PairedComparison(problems: 400, wins: 10, losses: 17).clearLoss)  // P(≥ 17 of 27) ≈ 0.12
        #expect(!PairedComparison(problems: 400, wins: 0, losses: 0).clearGain && !PairedComparison(problems: 400, wins: 0, losses: 0).clearLoss)
        // Greedy verdicts: a missing one counts as wrong.
        let problems = ["a", "b", "c"].map { Problem(id: $0, problem: "Compute 1 + 1.", level: 4, subject: "arithmetic", answer: "2") }
        let greedy = PairedComparison(challenger: ["a": true, "b": false], baseline: ["a": false, "b": true, "c": true], problems: problems)
        #expect(greedy.wins == 1 && greedy.losses == 2 && greedy.problems == 3)
    }

    /// Samples of one problem: (answer, correct, logit of its one score).
    func pool(_ id: String, _ samples: [(String?, Bool, Float)]) -> [SampleRecord] {
        samples.enumerated().map { i, s in
            SampleRecord(problemID: id, sampleIndex: i, output: "", answer: s.0, steps: [], finishReason: "eos",
                         stepScores: [s.2], correct: s.1)
        }
    }

    @Test func countsProblemsWhereTheMethodsDiffer() {
        let problems = ["a", "b", "c", "d"].map { Problem(id: $0, problem: "Compute 1 + 1.", level: 4, subject: "arithmetic", answer: "2") }
        let samples =
            // a: the wrong answer has the votes, the right one the scores: weighted voting wins.
            pool("a", [("7", false, -4), ("7", false, -4), ("7", false, -4), ("2", true, 4), ("2", true, 4)])
            // b: the right answer has the votes, a confident wrong one the scores: it loses.
            + pool("b", [("2", true, -4), ("2", true, -4), ("9", false, 4)])
            // c: both right; d: both wrong (no answer counts for nothing).
            + pool("c", [("2", true, 1), ("2", true, 1), ("5", false, 0)])
            + pool("d", [(nil, false, 9), ("5", false, 0), ("6", false, 0), ("6", false, 0)])
        let c = PairedComparison(samples: samples, problems: problems)
        #expect(c.problems == 4)
        #expect(c.wins == 1)
        #expect(c.losses == 1)
        #expect(c.pValue == 0.75)
    }
}
