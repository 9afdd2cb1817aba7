import Grading
import Testing

@Suite("Answer extraction")
struct ExtractionTests {
    @Test("the # Answer header wins and is cut at the end-of-sequence marker")
    func answerHeader() {
        let text = "# Question\n\nWhat is $2+3$?\n\n# Solution\n\nSo it is $\\boxed{4}$.\n\n# Answer\n\n5<eos>junk"
        #expect(extractAnswer(from: text) == ExtractedAnswer(text: "5", rule: .answerHeader))
    }

    @Test("a header inside a line does not count")
    func headerMidLine() {
        #expect(extractAnswer(from: "text # Answer 5 and $\\boxed{7}$")?.rule == .boxed)
    }

    @Test("the last boxed answer, with nested braces")
    func boxed() {
        let text = "First \\boxed{1}, then finally $\\boxed{\\frac{\\sqrt{2}}{2}}$."
        #expect(extractAnswer(from: text) == ExtractedAnswer(text: "\\frac{\\sqrt{2}}{2}", rule: .boxed))
        #expect(extractAnswer(from: "so \\fbox{(1,2)} holds")?.text == "(1,2)")
        #expect(extractAnswer(from: "so \\boxed 5 holds")?.text == "5")
    }

    @Test("the last math span of any kind")
    func mathSpans() {
        #expect(extractAnswer(from: "We get $x=1$ and then $y=2$") == ExtractedAnswer(text: "y=2", rule: .mathSpan))
        #expect(extractAnswer(from: "We get \\(x=1\\) and then \\[ 7 \\]")?.text == "7")
        #expect(extractAnswer(from: "Cost \\$5 and so $$12$$ total")?.text == "12")
    }

    @Test("answer phrases")
    func phrases() {
        #expect(extractAnswer(from: "Some reasoning.\nThe answer is: 42") == ExtractedAnswer(text: "42", rule: .answerPhrase))
        #expect(extractAnswer(from: "Thus the final answer is 3.5. I hope it is correct.")?.text == "3.5")
    }

    @Test("a short field is a bare answer; empty and long unmarked texts give nil")
    func wholeField() {
        #expect(extractAnswer(from: "  \\frac{1}{2} ") == ExtractedAnswer(text: "\\frac{1}{2}", rule: .wholeField))
        #expect(extractAnswer(from: "") == nil)
        #expect(extractAnswer(from: "   \n ") == nil)
        #expect(extractAnswer(from: String(repeating: "words without any marker ", count: 20)) == nil)
    }

    @Test("grade reports the extracted answers and no answer means not equal")
    func gradeExtraction() {
        let v = grade(gold: "\\boxed{12}", predicted: "We find $12$.")
        #expect(v.isEqual && v.goldAnswer == "12" && v.predictedAnswer == "12")
        let none = grade(gold: "5", predicted: "")
        #expect(!none.isEqual && none.rung == .extraction && none.predictedAnswer == nil)
    }
}
