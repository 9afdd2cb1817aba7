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

    @Test("answers with quotes and backslashes round-trip through the JSON output")
    func escaping() throws {
        let r = batch.gradeLine(#"{"gold": "\\text{\"A\"}\n", "pred": "\\text{\"A\"}"}"#, lineNumber: 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json.utf8)) as? [String: Any])
        #expect(object["pred_answer"] as? String == "\\text{\"A\"}")
    }

    @Test("benchmark lines name the line and the field in errors")
    func benchmarkFile() throws {
        let c = try GradingBenchmark.parseCase(Array(#"{"gold":"1","pred":"1","expected":true,"category":"x"}"#.utf8), lineNumber: 1)
        #expect(c == BenchmarkCase(gold: "1", pred: "1", expected: true, category: "x"))
        func message(_ line: String) -> String? {
            do { _ = try GradingBenchmark.parseCase(Array(line.utf8), lineNumber: 7); return nil } catch let e as BenchmarkFileError {
                #expect(e.line == 7)
                return e.message
            } catch { return "\(error)" }
        }
        #expect(message(#"{"gold":"1","pred":"1"}"#) == #"missing field "expected""#)
        #expect(message(#"{"gold":"1","pred":"1","expected":"yes"}"#) == #"field "expected" is not true or false"#)
        #expect(message(#"{"gold":1,"pred":"1","expected":true}"#) == #"field "gold" is not a string"#)
        #expect(message(#"{"gold":"1","pred":"1","expected":tru}"#)?.hasPrefix("column 35: not valid JSON") == true)
        #expect(message("[1]") == "expected a JSON object")
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
}
