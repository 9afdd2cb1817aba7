// The verdict's share of the full-supervision gain: given only when that gain is at least a point.

import Foundation
@testable import Experiment
import Testing

@Suite struct VerdictTests {
    func summary(prm: (Double, Double), full: (Double, Double)) throws -> ExperimentSummary {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-verdict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let experiment = try Experiment(config: .quick, directory: directory, quiet: true, log: { _ in })
        func row(_ model: String, _ r: (Double, Double)) -> ModelResult {
            ModelResult(model: model, group: "hard", n: 16, majority: r.0, weightedVoting: r.1, bestOfN: r.0, passAtN: 0.8,
                        withinProblemAUC: nil)
        }
        return experiment.summarize([row("prm", prm), row(Experiment.referenceModel, full)])
    }

    @Test func aShareOfAFractionOfAPointIsNotReported() throws {
        let s = try summary(prm: (0.364, 0.367), full: (0.364, 0.367))
        #expect(s.hardGapRecovered == nil)
        #expect(s.verdict.contains("the full-supervision PRM gains only 0.3 points over majority voting, too little to measure a share of"))
        #expect(!s.verdict.contains("recovered"))
    }

    @Test func aShareOfAGainOfAPointOrMoreIsReported() throws {
        let s = try summary(prm: (0.217, 0.256), full: (0.217, 0.267))
        #expect(abs(s.hardGapRecovered! - 0.039 / 0.05) < 1e-9)
        #expect(s.verdict.contains("78% of the full-supervision gain recovered"))
        let none = try summary(prm: (0.417, 0.417), full: (0.417, 0.400))
        #expect(none.hardGapRecovered == nil)
        #expect(none.verdict.contains("does not beat majority voting, so no gap to recover"))
    }
}
