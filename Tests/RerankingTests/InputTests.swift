import Foundation
import Testing
import Reranking

private let problemsJSONL = """
{"id": "a", "level": "Level 2", "answer": "5", "problem": "ignored"}
{"id": "b", "level": 4, "answer": 7}

{"id": "c", "level": "Level ?", "answer": "x"}
"""

private func message(_ body: () throws -> Void) -> String {
    do { try body(); return "no error" } catch { return "\(error)" }
}

private func problems() throws -> [RerankProblem] {
    try RerankReader.problems(from: Array(problemsJSONL.utf8), source: "problems.jsonl").records
}

private func rerankSamples(_ text: String, skipInvalid: Bool = false) throws -> RerankSummary {
    let samples = try RerankReader.samples(from: Array(text.utf8), source: "samples.jsonl", skipInvalid: skipInvalid)
    let input = RerankInput(problems: try problems(), samples: samples.records, problemsSource: "problems.jsonl",
                            samplesSource: "samples.jsonl", skipped: samples.skipped, skippedExamples: samples.skippedExamples)
    var o = RerankOptions()
    o.trials = 2
    o.skipInvalid = skipInvalid
    return try rerank(input, options: o, equivalence: ExactStringEquivalence())
}

@Suite struct ReaderTests {
    @Test func problemFields() throws {
        let p = try problems()
        #expect(p.map(\.id) == ["a", "b", "c"])
        #expect(p.map(\.level) == [2, 4, nil])
        #expect(p.map(\.answer) == ["5", "7", "x"])
        #expect(p.map(\.line) == [1, 2, 4])
    }

    @Test func sampleFields() throws {
        let text = """
        {"problem_id": "a", "sample_index": 0, "output": "x\\n\\n# Answer\\n\\n5", "step_scores": [1, -2.5e-1, 3], "step_labels": [1, 0, true]}
        {"problem_id": "a", "sample_index": 1, "answer": "\\u00e9\\ud83d\\ude00", "step_scores": null}\r
        """
        let s = try RerankReader.samples(from: Array(text.utf8)).records
        #expect(s.count == 2)
        #expect(s[0].output == "x\n\n# Answer\n\n5")
        #expect(s[0].stepScores == [1, -0.25, 3])
        #expect(s[0].stepLabels == [true, false, true])
        #expect(s[1].answer == "é😀")
        #expect(s[1].stepScores == nil)
        #expect(s[1].line == 2)
    }

    @Test func finishReasonLengthMarksACutOutput() throws {
        let text = """
        {"problem_id": "a", "sample_index": 0, "output": "She sells 9 eggs, and 9 * 2 = 18", "finish_reason": "length"}
        {"problem_id": "a", "sample_index": 1, "output": "She sells 9 eggs, and 9 * 2 = 18", "finish_reason": "eos"}
        """
        let s = try RerankReader.samples(from: Array(text.utf8)).records
        #expect(s[0].cutAtTokenLimit && !s[1].cutAtTokenLimit)
        // The grader's extraction: the cut one states no answer, the complete one ends on its answer.
        let g = GraderEquivalence()
        #expect(g.extract(fromOutput: s[0].output!, cutAtTokenLimit: s[0].cutAtTokenLimit) == nil)
        #expect(g.extract(fromOutput: s[1].output!, cutAtTokenLimit: s[1].cutAtTokenLimit) == "18")
    }

    @Test func numbersParseExactly() throws {
        let values = ["0.1", "-1.5e300", "123456789.123456789", "4.9e-324", "0.30000000000000004", "1E2"]
        let text = "{\"problem_id\":\"a\",\"sample_index\":0,\"answer\":\"1\",\"step_scores\":[\(values.joined(separator: ","))]}"
        let s = try RerankReader.samples(from: Array(text.utf8)).records
        #expect(s[0].stepScores == values.map { Double($0)! })
    }

    @Test func syntaxErrorsNameTheLine() {
        let m = message { _ = try RerankReader.samples(from: Array("{\"problem_id\": \"a\"}\n{\"problem_id\": ".utf8), source: "s.jsonl") }
        #expect(m.hasPrefix("s.jsonl:1:") && m.contains("sample_index"))
        let m2 = message { _ = try RerankReader.samples(from: Array("{\"problem_id\":\"a\",\"sample_index\":0,\"answer\":\"1\"}\n{\"problem_id\": ".utf8), source: "s.jsonl") }
        #expect(m2.hasPrefix("s.jsonl:2:") && m2.contains("not valid JSON"))
        let m3 = message { _ = try RerankReader.samples(from: Array("{\"problem_id\":\"a\",\"sample_index\":0.5}".utf8), source: "s.jsonl") }
        #expect(m3.contains("\"sample_index\" must be an integer"))
    }
}

@Suite struct BadInputTests {
    @Test func nonFiniteScores() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": [1, 2]}
            {"problem_id": "a", "sample_index": 1, "answer": "5", "step_scores": [1, NaN]}
            """) }
        #expect(m == "samples.jsonl:2: step_scores[1] is nan; scores must be finite logits")
        let m2 = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": [-Infinity]}
            """) }
        #expect(m2.hasPrefix("samples.jsonl:1: step_scores[0] is -inf"))
    }

    @Test func emptyStepList() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": []}
            """) }
        #expect(m.hasPrefix("samples.jsonl:1: step_scores is empty"))
    }

    @Test func unknownProblem() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5"}
            {"problem_id": "zz", "sample_index": 0, "answer": "5"}
            """) }
        #expect(m == "samples.jsonl:2: problem_id \"zz\" is not in problems.jsonl")
    }

    @Test func duplicateSampleIndex() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 3, "answer": "5"}
            {"problem_id": "b", "sample_index": 3, "answer": "5"}
            {"problem_id": "a", "sample_index": 3, "answer": "6"}
            """) }
        #expect(m == "samples.jsonl:3: duplicate sample_index 3 for problem \"a\" (first at line 1)")
    }

    @Test func noAnswerField() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "text": "5"}
            """) }
        #expect(m.hasPrefix("samples.jsonl:1: sample has neither \"answer\" nor \"output\""))
    }

    @Test func mixedScoring() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": [1]}
            {"problem_id": "a", "sample_index": 1, "answer": "5"}
            """) }
        #expect(m.hasPrefix("samples.jsonl:2: sample has no step_scores while others do (line 1)"))
    }

    @Test func labelLengthMismatch() {
        let m = message { _ = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": [1, 2, 3], "step_labels": [1]}
            """) }
        #expect(m.hasPrefix("samples.jsonl:1: step_labels has 1 entries"))
    }

    @Test func nothingUsable() {
        let m = message { _ = try rerankSamples("") }
        #expect(m.contains("no problem has a valid sample"))
    }

    /// With skipInvalid every dropped record is counted by reason; problems without samples too.
    @Test func skippedRecordsAreCounted() throws {
        let s = try rerankSamples("""
            {"problem_id": "a", "sample_index": 0, "answer": "5", "step_scores": [1]}
            {"problem_id": "a", "sample_index": 1, "answer": "5", "step_scores": [NaN]}
            {"problem_id": "a", "sample_index": 2, "answer": "5", "step_scores": []}
            {"problem_id": "q", "sample_index": 0, "answer": "5", "step_scores": [1]}
            {"problem_id": "a", "sample_index": 0, "answer": "6", "step_scores": [1]}
            {"problem_id": "a", "sample_index": 3, "step_scores": [1]}
            {"problem_id": "a", "sample_index": 4, "answer": "5"}
            {"problem_id": "a", "sample_index": 5, "answer": "5", "step_scores": [2]}
            not json
            {"problem_id": "b", "sample_index": 0, "output": "no marker here but a long text that is not an answer", "step_scores": [1]}
            """, skipInvalid: true)
        #expect(s.input.skipped == ["non_finite_score": 1, "empty_step_scores": 1, "unknown_problem": 1,
                                    "duplicate_sample": 1, "no_answer_field": 1, "missing_step_scores": 1,
                                    "malformed_json": 1])
        #expect(s.input.skippedExamples.count == 7)
        #expect(s.input.skippedExamples.contains("samples.jsonl:9: not valid JSON: unexpected character at column 1"))
        #expect(s.input.samples == 9)
        #expect(s.input.samplesUsed == 3)
        #expect(s.input.problemsWithSamples == 2 && s.input.problemsWithoutSamples == 1)
        #expect(s.input.samplesWithoutAnswer == 0) // ExactStringEquivalence takes a whole output as its answer
        #expect(s.input.samplesCorrect == 2)
    }
}
