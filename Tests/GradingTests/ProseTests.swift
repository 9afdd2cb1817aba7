import Foundation
import Grading
import Testing

/// Extraction from prose (issue 17) and the explanation of a verdict.
@Suite("Prose extraction and explanations")
struct ProseTests {
    @Test("the final value of a sentence, in any language")
    func finalValue() {
        #expect(extractAnswer(from: "We test each case. For n = 12 it fails, so the largest n is 34.")
            == ExtractedAnswer(text: "34", rule: .finalValue))
        #expect(extractAnswer(from: "所以答案是 5。")?.text == "5")
        #expect(extractAnswer(from: "La réponse est 2,74 $")?.text == "2.74")
        #expect(extractAnswer(from: "The total is 1,000 dollars.")?.text == "1000")
        #expect(extractAnswer(from: "The vector is (0, -1, 1).")?.text == "(0, -1, 1)")
        #expect(extractAnswer(from: "अतः उत्तर ५ है।")?.text == "5")
        #expect(extractAnswer(from: "So it is \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}.")?.text == "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")
    }

    @Test("a short answer with words but no sentence stays whole")
    func bareAnswers() {
        #expect(extractAnswer(from: "20 \\text{ square units}")?.rule == .wholeField)
        #expect(extractAnswer(from: "\\text{all real numbers}")?.rule == .wholeField)
        #expect(extractAnswer(from: "x = 2 \\text{ or } 3")?.rule == .wholeField)
    }

    @Test("what follows a think block is the solution")
    func think() {
        let text = "<think>It might be \\boxed{3}.</think>\nThe answer is \\boxed{4}."
        #expect(extractAnswer(from: text)?.text == "4")
        #expect(grade(gold: "3", predicted: text).isEqual == false)
    }

    @Test("adjacent boxes form one answer; boxes separated by prose do not")
    func boxes() {
        #expect(extractAnswer(from: "\\boxed{1}, \\boxed{2}")?.text == "1, 2")
        #expect(extractAnswer(from: "$x = \\boxed{2}$ or $x = \\boxed{-1}$")?.text == "2, -1")
        #expect(extractAnswer(from: "First \\boxed{1}. After checking again, \\boxed{2}")?.text == "2")
        // Nested boxes overlap: not a list (found by the fuzzer: a crash before the fix).
        #expect(extractAnswer(from: "\\boxed{\\boxed{1}}")?.text == "1")
        #expect(extractAnswer(from: "\\boxed{a \\boxed{1} b}, \\boxed{2}") != nil)
    }

    @Test("a choice letter in a sentence")
    func choice() {
        #expect(grade(gold: "B", predicted: "The correct option is (B).").isEqual)
        #expect(!grade(gold: "C", predicted: "The correct option is (B).").isEqual)
    }

    @Test("the phrase's first span is the answer, not a later check")
    func phraseFirstSpan() {
        #expect(extractAnswer(from: "The final answer is $7$. Check: $7 - 3 = 4$.")?.text == "7")
    }

    @Test("invisible characters are dropped", arguments: ["\u{FEFF}2", "2\u{200B}", "\u{2060}2", "\u{200D}2\u{00AD}"])
    func invisible(text: String) {
        #expect(grade(gold: "2", predicted: text).isEqual)
        #expect(!grade(gold: "3", predicted: text).isEqual)
    }

    @Test("decimal commas only where the digits say so")
    func decimalCommas() {
        #expect(grade(gold: "0.111", predicted: "0,111").isEqual)
        #expect(grade(gold: "1000", predicted: "1,000").isEqual)
        #expect(!grade(gold: "1.2", predicted: "(1, 2)").isEqual)
        #expect(grade(gold: "1, 2", predicted: "1,2").isEqual)
    }

    @Test("labelled answers, chains and approximations")
    func labelled() {
        #expect(grade(gold: "(3,2)", predicted: "$(p,q)=(3,2)$").isEqual)
        #expect(!grade(gold: "(2,3)", predicted: "$(p,q)=(3,2)$").isEqual)
        #expect(grade(gold: "11:21", predicted: "$V_1:V_2 = 11:21$").isEqual)
        #expect(grade(gold: "4, 5", predicted: "$AB=4, CD=5$").isEqual)
        #expect(grade(gold: "11", predicted: "$x = 5+5+1 = 11$").isEqual)
        #expect(grade(gold: "\\frac13", predicted: "$x = 1/3 \\approx 0.33$").isEqual)
        #expect(!grade(gold: "25", predicted: "$x^2+y^2 = 25$").isEqual)
        #expect(grade(gold: "y = 2x+1", predicted: "y = 1 + 2x").isEqual)
        #expect(grade(gold: "f(x) = x^2", predicted: "x^2").isEqual)
    }

    @Test("two-sided bounds on |x| are unions of intervals")
    func absoluteBounds() {
        #expect(grade(gold: "(-3,-1) \\cup (1,3)", predicted: "1 < |x| < 3").isEqual)
        #expect(!grade(gold: "(1,3)", predicted: "1 < |x| < 3").isEqual)
        #expect(grade(gold: "x \\in [-2, 7]", predicted: "-2 \\le x \\le 7").isEqual)
        #expect(grade(gold: "[-2,2]", predicted: "|x| \\le 2").isEqual)
    }

    @Test("a verdict names the extraction rules and explains the rung")
    func explanation() {
        let v = grade(gold: "\\boxed{1,2}", predicted: "The solutions are \\boxed{1} and \\boxed{2}.")
        #expect(v.isEqual && v.goldRule == .boxed && v.predictedRule == .boxed)
        let text = v.explanation
        #expect(text.contains("rule: boxed") && text.contains("rung") && text.contains(v.rung.rawValue))
        let u = grade(gold: "e^{-1000}", predicted: "0")
        #expect(u.explanation.contains("reason:") && u.explanation.contains("underflow"))
        let none = grade(gold: "5", predicted: "")
        #expect(none.explanation.contains("(none found)"))
    }
}
