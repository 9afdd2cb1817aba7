import Datasets
import Testing

@Suite struct SolutionFormatTests {
    @Test func formatsThePaperLayout() {
        let text = SolutionFormat.text(problem: "P", steps: ["a", "b"], answer: "7")
        #expect(text == "# Question\n\nP\n\n# Solution\n\na\n\nb\n\n# Answer\n\n7")
        #expect(SolutionFormat.prompt(problem: "P") + SolutionFormat.completion(steps: ["a", "b"], answer: "7") == text)
        #expect(SolutionFormat.completion(steps: [], answer: "7") == "# Answer\n\n7")
    }

    @Test func parsesAWholeTextBack() throws {
        let text = SolutionFormat.text(problem: "Compute 2 + 3.", steps: ["2 + 3 = 5"], answer: "5")
        let parsed = try #require(SolutionFormat.parse(text))
        #expect(parsed.question == "Compute 2 + 3.")
        #expect(parsed.completion.steps == ["2 + 3 = 5"])
        #expect(parsed.completion.answer == "5")
        #expect(parsed.completionOffset == SolutionFormat.prompt(problem: "Compute 2 + 3.").unicodeScalars.count)
    }

    @Test func stepRangesPointAtTheStepsAndTheirNewlines() {
        let completion = "12 + 3 = 15\n\n15 * 2 = 30\n\n# Answer\n\n30"
        let p = SolutionFormat.parseCompletion(completion)
        let s = Array(completion.unicodeScalars)
        #expect(p.steps == ["12 + 3 = 15", "15 * 2 = 30"])
        #expect(p.stepRanges == [0..<11, 13..<24])
        #expect(s[p.stepRanges[0].upperBound] == "\n")
        #expect(p.answerRange == 36..<38)
        #expect(p.stepsWithAnswer == ["12 + 3 = 15", "15 * 2 = 30", "# Answer\n\n30"])
    }

    @Test func toleratesModelOutput() {
        // No answer section: all steps, no answer.
        let a = SolutionFormat.parseCompletion("1 + 1 = 2\n\n\n\n2 + 2 = 4\n")
        #expect(a.steps == ["1 + 1 = 2", "2 + 2 = 4"] && a.answer == nil && !a.hasAnswerSection)
        // Text after the answer (a model that did not stop) is ignored; an empty answer is nil.
        #expect(SolutionFormat.parseCompletion("# Answer\n\n42\n\n# Question\n\nmore").answer == "42")
        let empty = SolutionFormat.parseCompletion("3 * 3 = 9\n\n# Answer\n\n")
        #expect(empty.answer == nil && empty.hasAnswerSection)
        // "# Answer" inside a line is not a marker; single newlines stay inside a step.
        let b = SolutionFormat.parseCompletion("so # Answer is\nnear\n\n# Answer\n\n1")
        #expect(b.steps == ["so # Answer is\nnear"] && b.answer == "1")
        #expect(SolutionFormat.parseCompletion("").steps.isEmpty)
        #expect(SolutionFormat.parse("no headers at all") == nil)
    }
}
