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
