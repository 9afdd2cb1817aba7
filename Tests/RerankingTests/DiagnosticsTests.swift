import Foundation
import Testing
import Reranking
import RerankingFixtures

private func logit(_ p: Double) -> Double { log(p / (1 - p)) }

@Suite struct DiagnosticsTests {
    /// Outcome AUC on `last`: positives score 0.9 and 0.6, negatives 0.6 and 0.1 (one has no answer):
    /// pairs (0.9, 0.6) (0.9, 0.1) (0.6, 0.1) win, (0.6, 0.6) ties: AUC = 3.5 / 4.
    @Test func outcomeAUC() throws {
        let input = Pools.input([
            (id: "a", level: 1, gold: "1", samples: [.init("1", [logit(0.9)]), .init("2", [logit(0.6)])]),
            (id: "b", level: 5, gold: "1", samples: [.init("1", [logit(0.6)]), .init(nil, [logit(0.1)])]),
        ])
        let s = try Pools.run(input, Pools.options(aggregations: [.last, .min]))
        let all = s.diagnostics.outcomeAUC.first { $0.aggregation == .last && $0.group == "all" }!
        #expect(abs(all.auc! - 3.5 / 4) < 1e-12)
        #expect(all.positives == 2 && all.negatives == 2)
        let easy = s.diagnostics.outcomeAUC.first { $0.aggregation == .last && $0.group == "easy" }!
        #expect(easy.auc == 1)
        let hard = s.diagnostics.outcomeAUC.first { $0.aggregation == .min && $0.group == "hard" }!
        #expect(hard.auc == 1)
        #expect(s.diagnostics.stepAUC.isEmpty && s.diagnostics.firstErrorStep.isEmpty)
    }

    /// Within-problem AUC ignores differences between problems: here the pooled AUC is 0.75 because
    /// the all-wrong problem b scores low, yet inside problem a the correct sample sits between two
    /// wrong ones (0.5); in c the correct sample ties one wrong sample and beats one without an
    /// answer (0.75). b has no correct sample and is left out.
    @Test func withinProblemAUC() throws {
        let input = Pools.input([
            (id: "a", level: 1, gold: "1", samples: [.init("1", [logit(0.9)]), .init("2", [logit(0.95)]), .init("3", [logit(0.85)])]),
            (id: "b", level: 5, gold: "1", samples: [.init("2", [logit(0.1)]), .init("3", [logit(0.2)])]),
            (id: "c", level: 4, gold: "1", samples: [.init("1", [logit(0.6)]), .init("2", [logit(0.6)]), .init(nil, [logit(0.4)])]),
        ])
        let d = try Pools.run(input, Pools.options(aggregations: [.last])).diagnostics
        func within(_ g: String) -> WithinProblemAUC { d.withinProblemAUC.first { $0.aggregation == .last && $0.group == g }! }
        #expect(within("easy").auc == 0.5 && within("easy").problems == 1)
        #expect(within("hard").auc == 0.75 && within("hard").problems == 1)
        #expect(within("all").auc == 0.625 && within("all").problems == 2)
        let pooledEasy = d.outcomeAUC.first { $0.aggregation == .last && $0.group == "easy" }!
        #expect(pooledEasy.auc == 0.5)
        // Pooled over a and b alone the same model would look good: 0.9 beats 0.85, 0.1, 0.2.
        let ab = try Pools.run(Pools.input([
            (id: "a", level: 1, gold: "1", samples: [.init("1", [logit(0.9)]), .init("2", [logit(0.95)]), .init("3", [logit(0.85)])]),
            (id: "b", level: 1, gold: "1", samples: [.init("2", [logit(0.1)]), .init("3", [logit(0.2)])]),
        ]), Pools.options(aggregations: [.last])).diagnostics
        #expect(ab.outcomeAUC.first { $0.group == "all" }!.auc == 0.75)
        #expect(ab.withinProblemAUC.first { $0.group == "all" }!.auc == 0.5)
    }

    /// Step AUC and ProcessBench first-error accuracy on labelled steps.
    @Test func stepDiagnostics() throws {
        var input = Pools.input([(id: "a", level: 1, gold: "1", samples: [
            .init("1", [logit(0.9), logit(0.8), logit(0.7)]),   // all correct, none below 0.5: hit
            .init("2", [logit(0.9), logit(0.3), logit(0.2)]),   // first error at 1, predicted 1: hit
            .init("2", [logit(0.4), logit(0.6), logit(0.1)]),   // first error at 2, predicted 0: miss
            .init("1", [logit(0.6), logit(0.45), logit(0.95)]), // all correct, predicted error at 1: miss
        ])])
        let labels: [[Bool]] = [[true, true, true], [true, false, false], [true, true, false], [true, true, true]]
        for k in input.samples.indices { input.samples[k].stepLabels = labels[k] }
        let s = try Pools.run(input, Pools.options(aggregations: [.min]))
        let f = s.diagnostics.firstErrorStep.first { $0.group == "all" }!
        #expect(f.erroneous == 2 && f.erroneousHit == 1 && f.correct == 2 && f.correctHit == 1)
        #expect(f.errorAccuracy == 0.5 && f.correctAccuracy == 0.5 && f.f1 == 0.5)
        // Positives (label 1): .9 .8 .7 .9 .4 .6 .6 .45 .95; negatives: .3 .2 .1.
        // Every positive beats every negative: AUC 1.
        let st = s.diagnostics.stepAUC.first { $0.group == "all" }!
        #expect(st.auc == 1 && st.positives == 9 && st.negatives == 3)
        #expect(s.input.hasStepLabels)
    }

    /// A stricter threshold moves the predicted first errors.
    @Test func threshold() throws {
        var input = Pools.input([(id: "a", level: 1, gold: "1", samples: [.init("1", [logit(0.7), logit(0.65)])])])
        input.samples[0].stepLabels = [true, true]
        var o = Pools.options(aggregations: [.min])
        o.errorThreshold = 0.68
        let f = try Pools.run(input, o).diagnostics.firstErrorStep[0]
        #expect(f.correct == 1 && f.correctHit == 0 && f.f1 == nil)
    }
}

/// Answers grouped by the real grader: equivalent forms of the gold answer are all correct.
@Suite struct GraderGroupingTests {
    @Test func equivalentFormsFormOneGroup() throws {
        let problems = [RerankProblem(id: "p", level: 3, answer: "\\frac{1}{2}")]
        let answers = ["1/2", "\\dfrac{1}{2}", "0.5", "\\frac12", "3", "3.0", "\\boxed{3}"]
        var samples = answers.enumerated().map { RerankSample(problemID: "p", sampleIndex: $0.offset, answer: $0.element) }
        samples.append(RerankSample(problemID: "p", sampleIndex: 7, output: "We get\n\n# Answer\n\n\\frac{2}{4}"))
        samples.append(RerankSample(problemID: "p", sampleIndex: 8, output: String(repeating: "Let me think. ", count: 20)))
        var o = RerankOptions()
        o.trials = 1
        let s = try rerank(RerankInput(problems: problems, samples: samples), options: o)
        #expect(s.input.samplesCorrect == 5)
        #expect(s.input.samplesWithoutAnswer == 1)
        #expect(s.input.answerGroups == 2)
        // Majority over the whole pool: five correct against three "3".
        #expect(s.curve(.majority)!.mean.last == 1)
    }
}
