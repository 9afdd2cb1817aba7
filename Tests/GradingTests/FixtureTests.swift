import Foundation
import Grading
import Testing

/// Loads `Fixtures/cases.jsonl` (gold, pred, expected, category).
enum Fixtures {
    static func cases(_ name: String = "cases") throws -> [BenchmarkCase] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "jsonl", subdirectory: "Fixtures"))
        return try parse(Array(try Data(contentsOf: url)))
    }

    /// Cases of a JSON Lines text (the CLI splits with Support's JSONLines; the fixtures are plain files).
    static func parse(_ bytes: [UInt8]) throws -> [BenchmarkCase] {
        var out: [BenchmarkCase] = []
        for (k, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where line.contains(where: { $0 != 0x20 && $0 != 0x0D }) {
            out.append(try GradingBenchmark.parseCase(Array(line), lineNumber: k + 1))
        }
        return out
    }

    /// `Fixtures/model_output_cases.jsonl`: kinds seen in real model output (truncation, unclosed think blocks,
    /// dollar amounts, ...), written by bench/peers/grading/make_model_output_cases.py.
    static func modelOutputCases() throws -> [BenchmarkCase] { try cases("model_output_cases") }

    /// `Fixtures/prose_cases.jsonl`: answers as models write them (issue 17), written by
    /// bench/peers/grading/make_prose_cases.py.
    static func proseCases() throws -> [BenchmarkCase] { try cases("prose_cases") }

    /// `Fixtures/harness_cases.jsonl`: the kinds of cases other graders' and evaluation harnesses' test
    /// suites exercise, written by bench/peers/grading/make_harness_cases.py.
    static func harnessCases() throws -> [BenchmarkCase] { try cases("harness_cases") }
}

@Suite("Fixture cases")
struct FixtureTests {
    @Test("at least 300 cases covering every category of the issue")
    func coverage() throws {
        let cases = try Fixtures.cases()
        #expect(cases.count >= 300)
        let categories = Set(cases.compactMap(\.category))
        for required in ["normalization", "fractions", "mixed_numbers", "decimals_rounding", "integers_big", "radicals",
                         "powers", "constants", "complex", "trig_log", "symbolic", "percent", "degrees_units", "text",
                         "tuples", "sets_lists", "plus_minus", "intervals", "unions", "inequalities", "equations",
                         "matrices", "scientific", "bases_factorials", "sign_errors", "extraction"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
        #expect(cases.filter { !$0.expected }.count >= 100, "too few negatives")
    }

    @Test("every fixture case is graded as expected")
    func allCases() throws {
        let cases = try Fixtures.cases()
        var failures: [String] = []
        for (k, c) in cases.enumerated() {
            let v = grade(gold: c.gold, predicted: c.pred)
            if v.isEqual != c.expected {
                failures.append("case \(k + 1) [\(c.category ?? "-")] gold=\(c.gold) pred=\(c.pred): expected \(c.expected), got \(v.isEqual) (\(v.rung)\(v.reason.map { ": " + $0 } ?? ""))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
    }

    @Test("the prose cases: at least 300, a third negatives, every kind of issue 17")
    func proseCoverage() throws {
        let cases = try Fixtures.proseCases()
        #expect(cases.count >= 300)
        #expect(cases.filter { !$0.expected }.count * 3 >= cases.count, "fewer than a third negatives")
        let categories = Set(cases.compactMap(\.category))
        for required in ["prose", "think", "units", "languages", "decimal_comma", "multi_boxed", "labelled", "chains",
                         "approx", "inequalities_intervals", "matrices_prose", "gold_sentence", "invisible"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
    }

    @Test("every prose case is graded as expected, in both directions")
    func proseCases() throws {
        var failures: [String] = []
        for (k, c) in try Fixtures.proseCases().enumerated() {
            let v = grade(gold: c.gold, predicted: c.pred), w = grade(gold: c.pred, predicted: c.gold)
            if v.isEqual != c.expected || w.isEqual != c.expected {
                failures.append("case \(k + 1) [\(c.category ?? "-")] gold=\(c.gold) pred=\(c.pred): expected \(c.expected), got \(v.isEqual)/\(w.isEqual) (\(v.rung)\(v.reason.map { ": " + $0 } ?? ""))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
    }

    @Test("the harness cases: at least 300, a third negatives, every kind")
    func harnessCoverage() throws {
        let cases = try Fixtures.harnessCases()
        #expect(cases.count >= 300)
        #expect(cases.filter { !$0.expected }.count * 3 >= cases.count, "fewer than a third negatives")
        let categories = Set(cases.compactMap(\.category))
        for required in ["latex", "percent", "units", "degrees", "mixed", "scientific", "sets_intervals", "plus_minus",
                         "choice", "equations", "matrices", "complex", "radicals", "logs", "trig", "infinity_empty",
                         "thousands_currency", "order", "formats", "languages", "words", "justification",
                         "decimal_comma", "polynomials"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
    }

    @Test("every harness case is graded as expected, in both directions")
    func harnessCases() throws {
        var failures: [String] = []
        for (k, c) in try Fixtures.harnessCases().enumerated() {
            let v = grade(gold: c.gold, predicted: c.pred), w = grade(gold: c.pred, predicted: c.gold)
            if v.isEqual != c.expected || w.isEqual != c.expected {
                failures.append("case \(k + 1) [\(c.category ?? "-")] gold=\(c.gold) pred=\(c.pred): expected \(c.expected), got \(v.isEqual)/\(w.isEqual) (\(v.rung)\(v.reason.map { ": " + $0 } ?? ""))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
    }

    @Test("the model-output cases: every kind, a third negatives, graded as expected in both directions")
    func modelOutputCases() throws {
        let cases = try Fixtures.modelOutputCases()
        #expect(cases.count >= 100)
        #expect(cases.filter { !$0.expected }.count * 3 >= cases.count, "fewer than a third negatives")
        let categories = Set(cases.compactMap(\.category))
        for required in ["truncated", "think_unclosed", "currency_dollars", "answer_line", "answer_tag", "number_words_prose",
                         "markdown_steps", "chat_markers", "choice_prose", "intersection"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
        var failures: [String] = []
        for (k, c) in cases.enumerated() {
            let v = grade(gold: c.gold, predicted: c.pred), w = grade(gold: c.pred, predicted: c.gold)
            if v.isEqual != c.expected || w.isEqual != c.expected {
                failures.append("case \(k + 1) [\(c.category ?? "-")] gold=\(c.gold) pred=\(c.pred): expected \(c.expected), got \(v.isEqual)/\(w.isEqual) (\(v.rung)\(v.reason.map { ": " + $0 } ?? ""))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
    }

    @Test("the held-out kinds (session 11): every kind, a third negatives, graded as expected in both directions")
    func kindsCases() throws {
        let cases = try Fixtures.cases("kinds_cases")
        #expect(cases.count >= 60)
        #expect(cases.filter { !$0.expected }.count * 3 >= cases.count, "fewer than a third negatives")
        let categories = Set(cases.compactMap(\.category))
        for required in ["prose", "languages", "multi_boxed", "labelled", "chains", "inequalities_intervals",
                         "matrices_prose", "gold_sentence", "invisible"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
        var failures: [String] = []
        for (k, c) in cases.enumerated() {
            let v = grade(gold: c.gold, predicted: c.pred), w = grade(gold: c.pred, predicted: c.gold)
            if v.isEqual != c.expected || w.isEqual != c.expected {
                failures.append("case \(k + 1) [\(c.category ?? "-")] gold=\(c.gold) pred=\(c.pred): expected \(c.expected), got \(v.isEqual)/\(w.isEqual)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
    }

    @Test("the benchmark runner agrees with grade(gold:predicted:)")
    func benchmarkRunner() throws {
        let cases = Array(try Fixtures.cases().prefix(40))
        let report = GradingBenchmark.run(cases)
        #expect(report.cases == 40)
        #expect(report.correct + report.failures.count == 40)
        #expect(report.json.contains("\"cases_per_second\""))
    }
}
