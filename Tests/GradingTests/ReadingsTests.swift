import Foundation
import Grading
import Testing

/// The rules added for what other graders' test suites exercise (docs/grading.md): clauses that justify
/// an answer, word answers in sentences, second readings of `0,5` and of choice letters with content,
/// rational functions of any degree, GSM8K and multilingual answer lines. Each is checked in both
/// directions, since grading must be symmetric.
@Suite("Readings and clauses")
struct ReadingsTests {
    func equal(_ a: String, _ b: String) -> Bool {
        let x = grade(gold: a, predicted: b).isEqual, y = grade(gold: b, predicted: a).isEqual
        #expect(x == y, "asymmetric: \(a) | \(b)")
        return x && y
    }

    @Test("a value inside a clause giving a reason or a condition is not the answer", arguments: [
        ("x = 2 is the only solution, because 3 fails.", "2", "3"),
        ("The remainder is 2 when 17 is divided by 5.", "2", "5"),
        ("When 17 is divided by 5, the remainder is 2.", "2", "17"),
        ("She has 2 left after eating 3.", "2", "3"),
        ("The answer is 2, not 3.", "2", "3"),
        ("$x = 2$ is the only solution, because $3$ fails.", "2", "3"),
        ("It takes 18 minutes, as each of the 6 laps takes 3 minutes.", "18", "3"),
    ])
    func clauses(text: String, answer: String, other: String) {
        #expect(equal(text, answer))
        #expect(!equal(text, other))
    }

    @Test("word answers stated at the end of a sentence, not negated")
    func wordAnswers() {
        #expect(equal("\\text{Monday}", "It will be Monday."))
        #expect(equal("odd", "Hence $f$ is odd."))
        #expect(equal("\\text{yes}", "Yes, it is possible."))
        #expect(!equal("\\text{Monday}", "It is not Monday."))
        #expect(!equal("\\text{Monday}", "Monday is not the day; it is Tuesday."))
        #expect(!equal("\\text{odd}", "The sum of two odd numbers is even."))
        #expect(!equal("\\text{yes}", "No, it is not possible."))
    }

    @Test("0,5 is the decimal and the list; 0, 5 is a list")
    func decimalComma() {
        #expect(equal("0,5", "0.5"))
        #expect(equal("0,5", "\\{0, 5\\}"))
        #expect(!equal("0,5", "0.05"))
        #expect(!equal("0, 5", "0.5"))
        #expect(!equal("1,2", "1.2"))
    }

    @Test("a choice letter with content equals the letter and the content")
    func choiceWithContent() {
        #expect(equal("B", "\\textbf{(B) }5"))
        #expect(equal("5", "\\textbf{(B) }5"))
        #expect(equal("B", "B)"))
        #expect(!equal("C", "\\textbf{(B) }5"))
        #expect(!equal("6", "\\textbf{(B) }5"))
    }

    @Test("rational functions of high degree are decided exactly", arguments: [
        ("x^{20000}-1", "(x^{10000}-1)(x^{10000}+1)", true),
        ("\\frac{x^{4000}-y^{4000}}{x-y}", "\\frac{y^{4000}-x^{4000}}{y-x}", true),
        ("x^{20000}-1", "x^{20000}+1", false),
        ("x^{2^{20}}", "x^{1048576}", true),
        ("x^{2^{20}}", "x^{1048577}", false),
    ])
    func modular(a: String, b: String, expected: Bool) {
        let v = grade(gold: a, predicted: b)
        #expect(v.isEqual == expected && v.rung == .exact, "\(v.rung) \(v.reason ?? "")")
    }

    @Test("answer lines of GSM8K, MetaMath, Minerva and MGSM")
    func answerLines() {
        #expect(equal("72", "Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72"))
        #expect(!equal("24", "Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72"))
        #expect(equal("1234", "#### 1,234"))
        #expect(equal("18", "Jibu: 18"))
        #expect(equal("3.5", "Ответ: 3,5."))
        #expect(equal("B", "所以答案是B。"))
        #expect(equal("B", "答案：（Ｂ）"))
        #expect(!equal("C", "所以答案是B。"))
        #expect(equal("42", "The answer is **42**."))
    }

    @Test("a combination of names asked for is its value; other equations are not")
    func namedSums() {
        #expect(equal("41", "Therefore, $m+n = 41$."))
        #expect(!equal("41", "$m^2 + n^2 = 41$"))
        #expect(!equal("41", "$m + 2 = 41$"))
        #expect(equal("\\frac{x-3}{2}", "f^{-1}(x) = \\frac{x-3}{2}"))
    }

    @Test("inputs the fuzzer found slow finish quickly with a bound and a reason", arguments: [
        ("x^{100}+x", "x^{1/00}"), ("S^{1000.0}+xx", "z+x^{0100%}"), ("x^{2584.0}+x", "x+xx^{250%}"),
    ])
    func formerlySlow(a: String, b: String) {
        let clock = ContinuousClock()
        let start = clock.now
        let v = grade(gold: a, predicted: b)
        let e = clock.now - start
        #expect(e < .milliseconds(500), "\(e)")
        #expect(!v.isEqual && v.rung == .bound && v.reason != nil)
    }
}
