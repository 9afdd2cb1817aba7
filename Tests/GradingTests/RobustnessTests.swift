import Foundation
import Grading
import Testing

/// Issue 17's reproducers: every kind of work is bounded, verdicts that hit a bound say so, floating
/// point never turns a tiny nonzero value into an equality, extraction is linear.
@Suite("Robustness bounds")
struct RobustnessTests {
    /// Seconds taken by `body` (generous limits below: tests also run in debug builds).
    func seconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        let e = clock.now - start
        return Double(e.components.seconds) + Double(e.components.attoseconds) * 1e-18
    }

    /// Issue 17's reproducers and the known gap of session 8 (equal polynomials of degree above ~2000 ended
    /// at `bound`): rational functions of any degree are decided exactly, modulo primes (Modular.swift).
    static let powers: [(String, String, Bool)] = [
        ("x^{10000}+x", "x+x^{10000}", true),
        ("x^{20000}-1", "x^{20000}-1+0", true),
        ("f(x) = x^2", "f(x) = x^20000", false),
        ("\\frac{x^{5000}-1}{x-1}", "\\frac{x^{5000}-1}{x-1}+0", true),
        ("x^{3000}-1", "x^{3000}-1+0", true),
        ("x^{3000}-1", "(x^{1500}-1)(x^{1500}+1)", true),
        ("(x+1)^{2500}", "(1+x)^{2500}", true),
        ("x^{100000}", "x^{1120000}+x^{200}", false),
        ("x^{10^{6}} y^{-3}", "\\frac{x^{1000000}}{y^3}", true),
    ]

    @Test("large powers of a variable are decided exactly and quickly", arguments: powers)
    func largePowers(gold: String, pred: String, expected: Bool) {
        var v: Verdict? = nil
        let t = seconds { v = grade(gold: gold, predicted: pred) }
        #expect(t < 2, "took \(t) s")
        guard let v else { return }
        #expect(v.isEqual == expected, "\(v.rung) \(v.reason ?? "")")
        // Equal pairs are decided by the modular rung. Two equations of high degree are still compared for
        // proportionality at random points, which may end at a bound (not equal, with the reason).
        if expected { #expect(v.rung != .bound, "\(v.reason ?? "")") } else if v.rung == .bound { #expect(v.reason != nil) }
    }

    @Test("a power too large for exact arithmetic at random points is not equal to a different one")
    func differentPowers() {
        #expect(!grade(gold: "x^{10000}+x", predicted: "x").isEqual)
        #expect(!grade(gold: "x^{20000}", predicted: "x^{20001}").isEqual)
    }

    @Test("underflow is not equality", arguments: [
        ("e^{-1000}", "0"), ("\\frac{1}{2^{200000}}", "\\frac{1}{2^{200001}}"), ("\\pi^{-1000}", "0"),
        ("\\exp(-2000)", "0"), ("10^{-400} \\cdot \\pi", "0"),
    ])
    func underflow(gold: String, pred: String) {
        let v = grade(gold: gold, predicted: pred)
        #expect(!v.isEqual, "\(gold) vs \(pred)")
        #expect(v.rung == .bound && v.reason?.contains("underflow") == true, "\(v.rung) \(v.reason ?? "")")
    }

    @Test("small values that doubles hold still compare")
    func smallValues() {
        #expect(grade(gold: "e^{-10}", predicted: "\\frac{1}{e^{10}}").isEqual)
        #expect(!grade(gold: "e^{-10}", predicted: "0").isEqual)
        #expect(grade(gold: "2^{-1000}", predicted: "\\frac{1}{2^{1000}}").isEqual)
    }

    @Test("nesting counts each bracket once")
    func nesting() {
        let open24 = String(repeating: "(", count: 24), close24 = String(repeating: ")", count: 24)
        #expect(grade(gold: open24 + "1" + close24, predicted: "1").isEqual)
        let open47 = String(repeating: "(", count: 47), close47 = String(repeating: ")", count: 47)
        #expect(grade(gold: open47 + "2" + close47, predicted: "2+0").isEqual)
        let deep = grade(gold: String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50), predicted: "1+0")
        #expect(!deep.isEqual && deep.rung == .bound && deep.reason == "nesting deeper than 48")
    }

    @Test("extraction is linear on unclosed boxes and delimiters", arguments: ["\\boxed{", "\\(", "\\[", "$$x", "\\fbox{"])
    func linearExtraction(unit: String) {
        let text = String(repeating: unit + " 1 ", count: 320_000 / (unit.count + 3))
        let t = seconds { _ = extractAnswer(from: text) }
        #expect(t < 3, "took \(t) s for \(text.utf8.count) bytes")
        let small = String(repeating: unit + " 1 ", count: 32_000 / (unit.count + 3))
        let ts = seconds { _ = extractAnswer(from: small) }
        // Ten times the text may not take a hundred times as long (with slack for noise).
        #expect(t < 30 * max(ts, 0.002), "\(t) s vs \(ts) s")
    }

    @Test("grading is symmetric on the reproducers and on invisible characters")
    func symmetric() {
        for (a, b) in Self.powers.map({ ($0.0, $0.1) }) + [("\u{FEFF}2", "2"), ("2\u{200B}", "2"), ("e^{-1000}", "0")] {
            #expect(grade(gold: a, predicted: b).isEqual == grade(gold: b, predicted: a).isEqual, "\(a) | \(b)")
        }
    }
}
