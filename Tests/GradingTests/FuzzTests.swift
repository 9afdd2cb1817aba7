import Grading
import Testing

/// Random and mutated LaTeX must never crash or hang the grader; bounds answer "not equal" with a reason.
@Suite("Fuzzing and bounds")
struct FuzzTests {
    static let pieces = [
        "\\frac", "\\sqrt", "\\sqrt[3]", "{", "}", "(", ")", "[", "]", "\\{", "\\}", "\\left(", "\\right)", "^", "_",
        "1", "2", "0", "9", ".", ",", ";", "x", "y", "e", "i", "\\pi", "+", "-", "*", "/", "=", "<", "\\le", "!",
        "\\cdot", "\\times", "\\pm", "\\infty", "\\cup", "\\in", "\\%", "^\\circ", "\\text{", "cm", "and", "|",
        "\\sin", "\\log", "\\ln", "\\binom", "\\begin{pmatrix}", "\\end{pmatrix}", "&", "\\\\", "$", "\\boxed{",
        "\\overline{3}", "\\dfrac", "10^{", "99999999999999999999", "!", "\\mathbb{R}", " ", "π", "√", "−", "\u{0}",
        "\\", "\\unknown", "#", "# Answer\n\n", "\\lfloor", "\\rfloor", "e^{", "\\exp", "2^{2^{2^{2", "…",
    ]

    static func randomString(_ rng: inout TestRandom) -> String {
        (0..<rng.int(0...30)).map { _ in rng.pick(pieces) }.joined()
    }

    static func mutate(_ s: String, _ rng: inout TestRandom) -> String {
        var chars = Array(s)
        for _ in 0..<rng.int(1...4) {
            let op = rng.int(0...5)
            let at = chars.isEmpty ? 0 : rng.int(0...(chars.count - 1))
            switch op {
            case 0 where !chars.isEmpty: chars.remove(at: at)
            case 1: chars.insert(contentsOf: Array(rng.pick(pieces)), at: min(at, chars.count))
            case 2 where chars.count > 1: chars.swapAt(at, rng.int(0...(chars.count - 1)))
            case 3: chars = Array(String(chars).prefix(rng.int(0...max(0, chars.count))))
            case 4: chars += chars
            default: chars.insert(contentsOf: Array("{("), at: min(at, chars.count))
            }
        }
        return String(chars)
    }

    @Test("random LaTeX strings: verdicts are produced, reflexive on the parse level, symmetric")
    func randomStrings() {
        var rng = TestRandom(seed: 2024)
        var previous = "0"
        for _ in 0..<3000 {
            let s = Self.randomString(&rng)
            let v = grade(gold: s, predicted: previous)
            let w = grade(gold: previous, predicted: s)
            #expect(v.isEqual == w.isEqual, "asymmetric: \(s) | \(previous)")
            if !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, extractAnswer(from: s) != nil {
                #expect(grade(gold: s, predicted: s).isEqual, "not reflexive: \(s)")
            }
            previous = s
        }
    }

    @Test("mutated fixture answers never crash")
    func mutatedFixtures() throws {
        var rng = TestRandom(seed: 99)
        let answers = try Fixtures.cases().flatMap { [$0.gold, $0.pred] }
        for _ in 0..<3000 {
            let a = rng.pick(answers)
            let m = Self.mutate(a, &rng)
            _ = grade(gold: a, predicted: m)
            _ = grade(gold: m, predicted: rng.pick(answers))
        }
    }

    /// Pathological answers, built inside the test so the report stays short.
    static let pathological: [String: (String, String)] = [
        "5000 nested parentheses": (String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000), "1"),
        "5000 unary minus signs": (String(repeating: "-", count: 5000) + "1", "1"),
        "300 nested fractions": (String(repeating: "\\frac{1}{", count: 300) + "2" + String(repeating: "}", count: 300), "2"),
        "3000-term sum": (String(repeating: "x+", count: 3000) + "x", "3001x"),
        "100000!": ("100000!", "100001!"),
        "power tower": ("2^{2^{2^{2^{2^{2}}}}}", "2^{2^{2^{2^{2^{2}}}}}+1"),
        "10^(10^10)": ("10^{10^{10}}", "10^{10^{10}}+1"),
        "nested text": ("\\text{" + String(repeating: "\\text{", count: 50) + "a" + String(repeating: "}", count: 51), "b"),
        "huge answer": (String(repeating: "1+", count: 200_000) + "1", "200001"),
    ]

    @Test("pathological answers hit a bound and say why", arguments: pathological.keys.sorted())
    func bounds(name: String) throws {
        let (gold, pred) = try #require(Self.pathological[name])
        let grader = AnswerGrader()
        let v = grader.compare(grader.parse(gold), grader.parse(pred))
        #expect(!v.isEqual)
        #expect(v.rung == .bound || v.rung == .parse, "\(v.rung) \(v.reason ?? "")")
        #expect(v.reason != nil)
    }

    @Test("big but reasonable values still work exactly")
    func bigButFine() {
        #expect(grade(gold: "\\frac{2006!}{2004!}", predicted: "4022030").isEqual)
        #expect(!grade(gold: "\\frac{1}{2004!}", predicted: "\\frac{1}{2006!}").isEqual)
        #expect(grade(gold: "2^{1000}", predicted: "2^{500}\\cdot 2^{500}").isEqual)
        #expect(!grade(gold: "3^{500}", predicted: "3^{500}+1").isEqual)
    }

    @Test("division by zero and undefined values are not equal to anything")
    func undefined() {
        #expect(!grade(gold: "\\frac{1}{0}", predicted: "\\frac{2}{0}").isEqual || grade(gold: "\\frac{1}{0}", predicted: "\\frac{2}{0}").rung == .normalizedString)
        #expect(!grade(gold: "\\frac{1}{0}", predicted: "1").isEqual)
        #expect(!grade(gold: "0^{-1}", predicted: "5").isEqual)
    }
}
