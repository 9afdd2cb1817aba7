// Human (PRM800K) and Math-Shepherd labels as reward-model data, under the levels guard.

import Datasets
@testable import Experiment
import Foundation
import Testing
import Training

@Suite struct HumanLabelTests {
    func write(_ records: [LabelledSolution]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labelled-\(UUID().uuidString).jsonl")
        let encoder = JSONEncoder()
        let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    @Test func recordsBecomeLabelledSamplesInThePapersFormat() throws {
        let path = try write([
            LabelledSolution(problemID: "test/algebra/1.json", problem: "Solve x + 1 = 3.",
                             steps: ["Subtract 1.\n\nSo x = 2.", "Check: 2 + 1 = 3.", "# Answer\n\n2"],
                             labels: [true, false, true], level: 2),
            LabelledSolution(problemID: "", problem: "What is 2 + 2?", steps: ["2 + 2 = 5"], labels: [false], level: 1),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (problems, samples) = try labelledSamples(from: path, allowedLevels: [1, 2, 3])
        #expect(samples.count == 2)
        let first = samples[0]
        // The two-paragraph step stays one step; the answer section carries the last label.
        #expect(first.steps == ["Subtract 1.\nSo x = 2.", "Check: 2 + 1 = 3."])
        #expect(first.answer == "2" && first.correct == true)
        #expect(first.stepLabels == [1, 0, 1])
        let parsed = SolutionFormat.parseCompletion(first.output)
        #expect(parsed.steps == first.steps && parsed.answer == "2")
        #expect(problems["test/algebra/1.json"]?.level == 2)
        // No answer step: every label is a step label, no outcome; an empty id becomes file:line.
        #expect(samples[1].stepLabels == [0] && samples[1].correct == nil && samples[1].answer == nil)
        #expect(samples[1].problemID == path + ":2")
    }

    @Test func otherLevelsAndUnknownLevelsAreRefusedWithTheirLine() throws {
        let path = try write([
            LabelledSolution(problemID: "a", problem: "p", steps: ["s"], labels: [true], level: 1),
            LabelledSolution(problemID: "b", problem: "p", steps: ["s"], labels: [true], level: 5),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try labelledSamples(from: path, allowedLevels: [1, 2, 3])
            Issue.record("a level-5 record was accepted")
        } catch let error as ExperimentError {
            #expect("\(error)".contains("\(path):2") && "\(error)".contains("level 5"))
        }
        let unknown = try write([LabelledSolution(problemID: "c", problem: "p", steps: ["s"], labels: [true])])
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        #expect(throws: ExperimentError.self) { try labelledSamples(from: unknown, allowedLevels: [1, 2, 3]) }
    }
}
