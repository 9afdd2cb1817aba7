import Foundation
import Grading
import Testing

@Suite("JSONL grading")
struct BatchGraderTests {
    let batch = BatchGrader()

    @Test("a graded line carries equal, gold_answer, pred_answer and rung")
    func gradedLine() throws {
        let r = batch.gradeLine(#"{"gold": "\\frac{2}{4}", "pred": "0.5", "id": 7}"#, lineNumber: 1)
        #expect(r.outcome == .equal)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json.utf8)) as? [String: Any])
        #expect(object["equal"] as? Bool == true)
        #expect(object["gold_answer"] as? String == "\\frac{2}{4}")
        #expect(object["pred_answer"] as? String == "0.5")
        #expect(object["rung"] as? String == "exact")
    }

    @Test("bad lines produce an error naming the problem and the line", arguments: [
        ("not json", "not valid JSON"),
        (#"{"gold": "1"}"#, "missing field \"pred\""),
        (#"{"gold": 1, "pred": "1"}"#, "field \"gold\" is not a string"),
        (#"[1, 2]"#, "expected a JSON object"),
        ("", "empty line"),
    ])
    func errors(line: String, message: String) throws {
        let r = batch.gradeLine(line, lineNumber: 12)
        #expect(r.outcome == .error)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? String)
        #expect(error.contains(message) && error.contains("line 12"), "\(error)")
        #expect(object["line"] as? Int == 12)
    }

    @Test("line splitting keeps order and ignores only the final newline")
    func lines() {
        #expect(BatchGrader.lines(of: "a\nb\n") == ["a", "b"])
        #expect(BatchGrader.lines(of: "a\n\nb") == ["a", "", "b"])
        #expect(BatchGrader.lines(of: "a\r\nb") == ["a", "b"])
    }

    @Test("answers with quotes and backslashes round-trip through the JSON output")
    func escaping() throws {
        let r = batch.gradeLine(#"{"gold": "\\text{\"A\"}\n", "pred": "\\text{\"A\"}"}"#, lineNumber: 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json.utf8)) as? [String: Any])
        #expect(object["pred_answer"] as? String == "\\text{\"A\"}")
    }

    @Test("benchmark files are read with line numbers in errors")
    func benchmarkFile() throws {
        let cases = try GradingBenchmark.loadCases(#"{"gold":"1","pred":"1","expected":true}"# + "\n")
        #expect(cases.count == 1)
        #expect(throws: BenchmarkFileError.self) { try GradingBenchmark.loadCases("{\"gold\":\"1\"}\n") }
    }
}

@Suite("JSONL reader")
struct JSONLineReaderTests {
    let batch = BatchGrader()

    func error(_ line: [UInt8]) -> String? {
        let r = batch.gradeLine(bytes: line, lineNumber: 3)
        guard r.outcome == .error else { return nil }
        return r.json
    }

    @Test("a raw U+FEFF after the opening quote reads like \\ufeff")
    func byteOrderMark() {
        let raw = batch.gradeLine("{\"gold\": \"\u{FEFF}2\", \"pred\": \"2\"}", lineNumber: 1)
        let escaped = batch.gradeLine(#"{"gold": "\ufeff2", "pred": "2"}"#, lineNumber: 1)
        #expect(raw.outcome == .equal && escaped.outcome == .equal)
        #expect(raw.json == escaped.json)
    }

    @Test("invalid UTF-8 is an error with a column, never graded equal")
    func invalidUTF8() throws {
        let line = Array(#"{"gold": ""#.utf8) + [0xFF] + Array(#"", "pred": ""#.utf8) + [0xFE] + Array(#""}"#.utf8)
        let e = try #require(error(line))
        #expect(e.contains("invalid UTF-8 byte 0xFF") && e.contains("column 11"), "\(e)")
    }

    @Test("numbers outside the double range are valid JSON")
    func bigNumbers() throws {
        let e = try #require(error(Array(#"{"gold": "1", "pred": 1e400}"#.utf8)))
        #expect(e.contains("field \\\"pred\\\" is not a string") && !e.contains("not valid JSON"), "\(e)")
        #expect(batch.gradeLine(#"{"id": 1e400, "gold": "1", "pred": "1"}"#, lineNumber: 1).outcome == .equal)
    }

    @Test("syntax errors name the column and the problem", arguments: [
        (#"{"gold": "1", "pred": "1"} x"#, "column 28"),
        (#"{"gold": "1" "pred": "1"}"#, "column 14"),
        (#"{"gold": "1", "pred": "1\q"}"#, "invalid escape"),
        (#"{"gold": "1", "pred": 01}"#, "unexpected"),
        (#"{"gold": "1", "pred": "\ud800"}"#, "unpaired surrogate"),
    ])
    func columns(line: String, message: String) throws {
        let e = try #require(error(Array(line.utf8)))
        #expect(e.contains(message) && e.contains("line 3"), "\(e)")
    }

    @Test("deeply nested values are an error, not a crash")
    func nesting() throws {
        let line = #"{"x": "# + String(repeating: "[", count: 100_000) + #", "gold": "1", "pred": "1"}"#
        let e = try #require(error(Array(line.utf8)))
        #expect(e.contains("nested deeper than 64"))
    }

    @Test("byte lines split like text lines")
    func byteLines() {
        #expect(BatchGrader.lines(ofBytes: Array("a\r\nb\n".utf8)) == [Array("a".utf8), Array("b".utf8)])
    }
}
