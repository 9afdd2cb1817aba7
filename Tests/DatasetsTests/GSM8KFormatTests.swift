import Datasets
import Foundation
import Support
import Testing

/// GSM8K as published: the answer after `####`, the worked lines as steps, calculator annotations.
@Suite struct GSM8KFormatTests {
    @Test func firstTestRecordBecomesStepsAndAnswer() throws {
        let line = try lines(of: fixture("gsm8k_test_head.jsonl"))[0]
        let record = try JSONDecoder().decode(GSM8KRecord.self, from: Data(line.utf8))
        let s = try record.solution(problemID: "gsm8k:1")
        #expect(s.answer == "18")
        #expect(s.steps == ["Janet sells 16 - 3 - 4 = 9 duck eggs a day.",
                            "She makes 9 * 2 = $18 every day at the farmer\u{2019}s market."])
        #expect(s.level == 1)
        let kept = try record.solution(problemID: "gsm8k:1", keepCalculatorAnnotations: true)
        #expect(kept.steps[0] == "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.")
    }

    @Test func annotationsAreRemovedAndUnclosedOnesKept() {
        #expect(GSM8KRecord.removingCalculatorAnnotations("48/2 = <<48/2=24>>24 clips, <<1+1=2>>2") == "48/2 = 24 clips, 2")
        #expect(GSM8KRecord.removingCalculatorAnnotations("a << b") == "a << b")
        #expect(GSM8KRecord.removingCalculatorAnnotations("<<x>>") == "")
    }

    @Test func levelsFollowTheNumberOfSteps() {
        #expect([1, 2, 3, 4, 5, 6, 9].map { GSM8KRecord.level(steps: $0) } == [1, 1, 2, 3, 4, 5, 5])
    }

    @Test func missingFinalAnswerNamesTheField() throws {
        let record = GSM8KRecord(question: "q", answer: "1 + 1 = 2")
        #expect(throws: FieldError(field: "answer", "no '#### <answer>' line")) { try record.solution(problemID: "x") }
        let empty = GSM8KRecord(question: "q", answer: "1 + 1 = 2\n#### ")
        #expect(throws: FieldError(field: "answer", "nothing after '####'")) { try empty.solution(problemID: "x") }
    }

    @Test func convertWritesProblemsAndSolutions() throws {
        let folder = try temporaryFolder()
        let problems = folder + "/gsm8k.jsonl", sft = folder + "/gsm8k-sft.jsonl"
        let report = try DataPipeline.convert(from: .gsm8k, to: .problems, input: fixture("gsm8k_test_head.jsonl"), output: problems)
        #expect(report.reads.first?.read == 25)
        let written = try RecordReader.readAll(Problem.self, from: problems, options: ReadOptions(strict: true)).records
        #expect(written.count == 25)
        for (p, raw) in zip(written, try lines(of: fixture("gsm8k_test_head.jsonl"))) {
            let published = try JSONDecoder().decode(GSM8KRecord.self, from: Data(raw.utf8))
            // The gold answer is the published one after "####", and no annotation survives.
            #expect(published.answer.hasSuffix("#### " + p.answer))
            #expect(!(p.solution ?? "").contains("<<"))
            #expect((1...5).contains(p.level))
            #expect(p.subject == "gsm8k")
        }
        var options = DataPipeline.ConvertOptions()
        options.levels = LevelSet(1...2)
        _ = try DataPipeline.convert(from: .gsm8k, to: .sft, input: fixture("gsm8k_test_head.jsonl"), output: sft, options: options)
        let solutions = try RecordReader.readAll(SolutionRecord.self, from: sft, options: ReadOptions(strict: true)).records
        #expect(!solutions.isEmpty && solutions.count < 25)
        #expect(solutions.allSatisfy { $0.steps.count <= 3 && ($0.level ?? 0) <= 2 })
    }
}
