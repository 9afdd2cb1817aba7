import Grading
import Testing

@Suite("Equivalence properties")
struct PropertyTests {
    /// Bare answers of the fixture file (solution texts excluded).
    static func answers() throws -> [String] {
        let cases = try Fixtures.cases()
        let all = cases.flatMap { [$0.gold, $0.pred] }.filter { !$0.contains("\n") && !$0.isEmpty }
        return Array(Set(all)).sorted()
    }

    @Test("reflexive: every answer equals itself, also when wrapped so the string rung cannot decide")
    func reflexive() throws {
        let grader = AnswerGrader()
        var failures: [String] = []
        for a in try Self.answers() {
            if !grade(gold: a, predicted: a).isEqual { failures.append(a) }
            let p = grader.parse(a)
            guard p.isParsed, !a.contains("$") else { continue }
            if !grader.equivalent(p, grader.parse("{" + a + "}")) { failures.append("{" + a + "}") }
        }
        #expect(failures.isEmpty, "not reflexive: \(failures)")
    }

    @Test("symmetric: swapping gold and prediction never changes the verdict")
    func symmetric() throws {
        var failures: [String] = []
        for c in try Fixtures.cases() {
            let forward = grade(gold: c.gold, predicted: c.pred).isEqual
            let backward = grade(gold: c.pred, predicted: c.gold).isEqual
            if forward != backward { failures.append("\(c.gold) | \(c.pred)") }
        }
        #expect(failures.isEmpty, "not symmetric: \(failures)")
    }

    static let elements = ["1", "-2", "\\frac{3}{4}", "\\sqrt{2}", "2\\pi", "0.5", "-\\frac{1}{3}", "7", "e", "1+\\sqrt{5}", "10^{3}", "\\frac{\\pi}{6}"]

    @Test("sets and solution lists: any permutation is equal, a changed element is not")
    func setPermutations() {
        var rng = TestRandom(seed: 7)
        for _ in 0..<150 {
            let n = rng.int(2...5)
            var items: [String] = []
            while items.count < n {
                let e = rng.pick(Self.elements)
                if !items.contains(e) { items.append(e) }
            }
            let shuffled = items.shuffled(using: &rng)
            #expect(grade(gold: "\\{" + items.joined(separator: ",") + "\\}", predicted: "\\{" + shuffled.joined(separator: ", ") + "\\}").isEqual)
            #expect(grade(gold: items.joined(separator: ", "), predicted: shuffled.joined(separator: ",")).isEqual)
            var changed = shuffled
            changed[rng.int(0...(n - 1))] = "1001"
            #expect(!grade(gold: "\\{" + items.joined(separator: ",") + "\\}", predicted: "\\{" + changed.joined(separator: ",") + "\\}").isEqual)
        }
    }

    @Test("tuples: order matters")
    func tuplePermutations() {
        var rng = TestRandom(seed: 11)
        for _ in 0..<150 {
            let n = rng.int(2...4)
            var items: [String] = []
            while items.count < n {
                let e = rng.pick(Self.elements)
                if !items.contains(e) { items.append(e) }
            }
            var shuffled = items.shuffled(using: &rng)
            if shuffled == items { shuffled.swapAt(0, 1) }
            let gold = "(" + items.joined(separator: ",") + ")"
            #expect(grade(gold: gold, predicted: "\\left(" + items.joined(separator: ", ") + "\\right)").isEqual)
            #expect(!grade(gold: gold, predicted: "(" + shuffled.joined(separator: ",") + ")").isEqual, "\(gold) vs \(shuffled)")
        }
    }

    @Test("fractions: scaling numerator and denominator keeps the value, exactly")
    func fractions() {
        var rng = TestRandom(seed: 3)
        for _ in 0..<200 {
            let p = rng.int(-500...500), q = rng.int(1...500), k = rng.int(2...1_000_000)
            #expect(grade(gold: "\\frac{\(p)}{\(q)}", predicted: "\\frac{\(p * k)}{\(q * k)}").isEqual)
            #expect(!grade(gold: "\\frac{\(p)}{\(q)}", predicted: "\\frac{\(p * k + 1)}{\(q * k)}").isEqual)
        }
    }

    @Test("polynomial identities hold at random points; a perturbed coefficient breaks them")
    func polynomials() {
        var rng = TestRandom(seed: 5)
        for _ in 0..<100 {
            let a = rng.int(-9...9), b = rng.int(-9...9)
            let expanded = "x^2 + \(a + b)x + \(a * b)"
            #expect(grade(gold: "(x + \(a))(x + \(b))", predicted: expanded).isEqual, "\(a) \(b)")
            #expect(!grade(gold: "(x + \(a))(x + \(b))", predicted: "x^2 + \(a + b)x + \(a * b + 1)").isEqual)
        }
    }

    @Test("huge integers are compared exactly")
    func bigIntegers() {
        var rng = TestRandom(seed: 9)
        for _ in 0..<50 {
            let digits = String((0..<rng.int(25...80)).map { _ in Character(String(rng.int(1...9))) })
            var last = Array(digits)
            last[last.count - 1] = last.last == "1" ? "2" : "1"
            #expect(grade(gold: digits, predicted: digits + ".0").isEqual)
            #expect(!grade(gold: digits, predicted: String(last)).isEqual)
        }
    }
}
