import Datasets
import Foundation
import Testing

@Suite struct RecordIOTests {
    @Test func malformedLinesAreSkippedAndCountedWithFileLineAndField() throws {
        let path = fixture("malformed/problems.jsonl")
        let (records, report) = try RecordReader.readAll(Problem.self, from: path)
        #expect(records.map(\.id) == ["a", "e"])
        #expect(report.read == 2 && report.skipped == 3)
        #expect(report.issues.map(\.line) == [2, 3, 5])
        #expect(report.issues[0].field == nil && report.issues[0].message.contains("not valid JSON"))
        #expect(report.issues[1].field == "answer" && report.issues[1].message.contains("missing"))
        #expect(report.issues[2].field == "level")
        #expect(report.issues[2].description.hasPrefix("\(path):5: field 'level': expected a number"))
    }

    @Test func strictStopsAtTheFirstBadRecord() throws {
        let path = fixture("malformed/problems.jsonl")
        do {
            _ = try RecordReader.readAll(Problem.self, from: path, options: ReadOptions(strict: true))
            Issue.record("expected an error")
        } catch let DataError.malformedRecord(issue) {
            #expect(issue.file == path && issue.line == 2)
        }
    }

    @Test func nestedFieldPathsAreNamed() throws {
        let (records, report) = try RecordReader.readAll(PRM800KRecord.self, from: fixture("malformed/prm800k.jsonl"))
        #expect(records.count == 1 && report.skipped == 1)
        #expect(report.issues.first?.field == "label.steps[0].completions[0].rating")
        #expect(report.issues.first?.line == 1)
    }

    @Test func labelCountsMustMatchStepCounts() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"problem_id": "p", "problem": "q", "steps": ["a", "b"], "labels": [true]}"#
            .write(toFile: dir + "/l.jsonl", atomically: true, encoding: .utf8)
        let (records, report) = try RecordReader.readAll(LabelledSolution.self, from: dir + "/l.jsonl")
        #expect(records.isEmpty && report.issues.first?.field == "labels")
        try #"{"prompt": "q", "completions": ["a", "b"], "labels": [true]}"#
            .write(toFile: dir + "/t.jsonl", atomically: true, encoding: .utf8)
        let stats = try DatasetStats.compute(path: dir + "/t.jsonl")
        #expect(stats.kind == .trl && stats.read.skipped == 1 && stats.records == 0)
    }

    @Test func missingFileIsAnError() {
        #expect(throws: DataError.self) { try RecordReader.readAll(Problem.self, from: "/nonexistent/x.jsonl") }
    }

    @Test func writerIsAtomicAndDeterministic() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.jsonl"
        let p = Problem(id: "x/1", problem: "Compute 1 + 1.", level: 1, subject: "arithmetic", answer: "2")
        #expect(try RecordWriter.write([p, p], to: path) == 2)
        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(before == String(repeating: #"{"answer":"2","id":"x/1","level":1,"problem":"Compute 1 + 1.","subject":"arithmetic"}"# + "\n", count: 2))
        // An abandoned write leaves the old file and no temporary file behind.
        let w = try RecordWriter(path: path)
        try w.write(p)
        w.abandon()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.jsonl"])
        // Round trip.
        #expect(try RecordReader.readAll(Problem.self, from: path).records == [p, p])
    }

    @Test func longLinesAcrossChunksAndJSONArraysStream() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/long.jsonl"
        let big = String(repeating: "7 + 1 = 8 ", count: 250_000)  // 2.5 MB line, > 2 chunks
        try RecordWriter.write([TextDocument(text: "a"), TextDocument(text: big), TextDocument(text: "b")], to: path)
        let (docs, report) = try RecordReader.readAll(TextDocument.self, from: path)
        #expect(docs.map(\.text.count) == [1, big.count, 1] && report.skipped == 0)

        let arrayPath = dir + "/array.json"
        try #"[{"text": "x\n]"}, {"text": "{\"y\"}"},"# .appending("\n  {\"text\": \"z\"}\n]\n")
            .write(toFile: arrayPath, atomically: true, encoding: .utf8)
        let (arr, arrReport) = try RecordReader.readAll(TextDocument.self, from: arrayPath)
        #expect(arr.map(\.text) == ["x\n]", "{\"y\"}", "z"] && arrReport.skipped == 0)

        let bom = dir + "/bom.jsonl"
        try Data([0xEF, 0xBB, 0xBF] + Array(#"{"text": "q"}"#.utf8) + [0x0D, 0x0A]).write(to: URL(fileURLWithPath: bom))
        #expect(try RecordReader.readAll(TextDocument.self, from: bom).records == [TextDocument(text: "q")])

        let truncated = dir + "/truncated.json"
        try #"[{"text": "x"}, {"text": "#.write(toFile: truncated, atomically: true, encoding: .utf8)
        let (t, tReport) = try RecordReader.readAll(TextDocument.self, from: truncated)
        #expect(t.count == 1 && tReport.skipped == 1)
    }
}
