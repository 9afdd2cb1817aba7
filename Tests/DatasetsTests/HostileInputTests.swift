import Datasets
import Foundation
import Support
import Testing

/// Issue 18: bad input loses nothing. Each case is read both ways (stop at the first bad record,
/// and skip-and-count) and checked for file, physical line and field.
@Suite struct HostileInputTests {
    func write(_ text: String, _ name: String, in dir: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let problemA = #"{"id": "a", "problem": "1 + 1", "level": 1, "subject": "s", "answer": "2"}"#
    static let problemB = #"{"id": "b", "problem": "2 + 2", "level": 4, "subject": "s", "answer": "4"}"#

    @Test(arguments: ["p.jsonl", "p.json"])
    func jsonLinesWhoseFirstLineIsAnArrayKeepEveryRecordAndLine(name: String) throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try write("[1, 2]\n\(Self.problemA)\n\n{\"id\": \n\(Self.problemB)\n", name, in: dir)
        let (records, report) = try RecordReader.readAll(Problem.self, from: path)
        #expect(records.map(\.id) == ["a", "b"])
        #expect(report.read == 2 && report.skipped == 2)
        #expect(report.issues.map(\.line) == [1, 4])
        do {
            _ = try RecordReader.readAll(Problem.self, from: path, options: ReadOptions(strict: true))
            Issue.record("expected an error")
        } catch let DataError.malformedRecord(issue) {
            #expect(issue.line == 1 && issue.message.contains("expected an object, found an array"))
        }
    }

    @Test func aOneLineJSONArrayIsStillAnArrayDocument() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try write("[\(Self.problemA), \(Self.problemB)]", "p.json", in: dir)
        #expect(try RecordReader.readAll(Problem.self, from: path).records.map(\.id) == ["a", "b"])
    }

    static func prm800k(steps: String) -> String {
        #"{"question": {"problem": "What is 1 + 1?"}, "label": {"steps": \#(steps), "finish_reason": "solution"}}"#
    }

    static let goodStep = #"[{"completions": [{"text": "1 + 1 = 2.\n\n# Answer\n\n2", "rating": 1}], "chosen_completion": 0}]"#

    @Test(arguments: [
        (#"[{"completions": [{"text": "x", "rating": 0.5}], "chosen_completion": 0}]"#,
         "label.steps[0].completions[0].rating", "0.5"),
        (#"[{"completions": [{"text": "x", "rating": 2}], "chosen_completion": 0}]"#,
         "label.steps[0].completions[0].rating", "found 2"),
        (#"[{"completions": [{"text": "x", "rating": 1}, {"text": "y", "rating": -1}], "chosen_completion": 2}]"#,
         "label.steps[0].chosen_completion", "0...1"),
        (#"[{"completions": [{"text": "x", "rating": 1}], "chosen_completion": -1}]"#,
         "label.steps[0].chosen_completion", "out of range"),
    ])
    func prm800kRatingsAndChosenCompletionsOutOfRangeAreFieldErrors(steps: String, field: String, found: String) throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try write(Self.prm800k(steps: Self.goodStep) + "\n" + Self.prm800k(steps: steps) + "\n", "prm.jsonl", in: dir)
        let (records, report) = try RecordReader.readAll(PRM800KRecord.self, from: path)
        #expect(records.count == 1 && report.skipped == 1)
        let issue = try #require(report.issues.first)
        #expect(issue.line == 2 && issue.field == field, "\(issue)")
        #expect(issue.message.contains(found) && !issue.message.contains("not valid JSON"), "\(issue)")
    }

    @Test(arguments: ["[]", #"[{"completions": [], "chosen_completion": null}]"#])
    func prm800kRecordsWithoutStepsAreCounted(steps: String) throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try write(Self.prm800k(steps: Self.goodStep) + "\n" + Self.prm800k(steps: steps) + "\n", "prm.jsonl", in: dir)
        for target in [DataPipeline.Target.prm, .sft, .labelled, .trl] {
            let report = try DataPipeline.convert(from: .prm800k, to: target, input: path, output: dir + "/out.jsonl")
            #expect(report.reads.first?.read == 2)
            #expect(report.dropped.values.reduce(0, +) == 1, "\(target): \(report.dropped)")
            #expect(report.dropped.keys.contains { $0.contains("no steps") }, "\(target): \(report.dropped)")
            #expect(report.written.first?.count == 1)
        }
    }

    @Test func duplicateProblemIDsStopTheSplitOrAreSkippedAndCounted() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let duplicate = Self.problemB.replacingOccurrences(of: "2 + 2", with: "2 + 3")
        let path = try write([Self.problemA, Self.problemB, duplicate].joined(separator: "\n"), "p.jsonl", in: dir)
        let split = try DifficultySplit(easyLevels: [1, 2, 3], hardLevels: [4, 5])
        do {
            _ = try DataPipeline.split(input: path, split: split, easyOutput: dir + "/e.jsonl", hardOutput: dir + "/h.jsonl",
                                       read: ReadOptions(strict: true))
            Issue.record("expected an error")
        } catch let DataError.malformedRecord(issue) {
            #expect(issue.line == 3 && issue.field == "id" && issue.message.contains("first on line 2"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/e.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/h.jsonl"))
        let report = try DataPipeline.split(input: path, split: split, easyOutput: dir + "/e.jsonl", hardOutput: dir + "/h.jsonl")
        #expect(report.reads.first?.skipped == 1)
        #expect(try lines(of: dir + "/h.jsonl").count == 1)
    }

    @Test func aLenientConvertThatConvertsNothingFailsAndWritesNothing() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try write("{\"problem\": 1}\nnot json\n", "m.jsonl", in: dir)
        do {
            _ = try DataPipeline.convert(from: .math, to: .problems, input: path, output: dir + "/out.jsonl")
            Issue.record("expected an error")
        } catch let error as DataError {
            #expect(error.description.contains("none of the 2 records"))
            #expect(error.description.contains("m.jsonl:1"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))
    }
}
