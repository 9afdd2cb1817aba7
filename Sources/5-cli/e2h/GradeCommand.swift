import ArgumentParser
import Foundation
import Grading
import Support

/// `e2h grade`: answer extraction and mathematical equivalence (Sources/Grading, docs/grading.md).
struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Decide whether predicted answers equal gold answers (prints true/false, or JSON lines).",
        discussion: """
            e2h grade GOLD PRED
              prints true or false (exit status 0 either way)
            e2h grade --explain GOLD PRED
              the extracted answers, their extraction rules, the deciding rung
            e2h grade --input FILE.jsonl
              one JSON line out per line in {"gold": ..., "pred": ...}
            e2h grade --benchmark FILE.jsonl
              accuracy against "expected", cases/second
            FILE may be - (stdin). Counts go to stderr.
            """)

    /// GOLD and PRED; collected this way so that answers starting with `-` (`-5`, `-\infty`) are not
    /// taken for options.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("GOLD PRED: gold and predicted answers or solution texts.",
                                                             valueName: "answers"))
    var answers: [String] = []

    /// The answers without a `--` separator.
    private var positional: [String] { answers.filter { $0 != "--" } }
    private var gold: String? { positional.count == 2 ? positional[0] : nil }
    private var pred: String? { positional.count == 2 ? positional[1] : nil }

    @Option(name: .long, help: "JSONL file with string fields gold and pred (- for stdin).")
    var input: String?

    @Option(name: .long, help: "JSONL file with gold, pred and expected (bool): report accuracy and speed.")
    var benchmark: String?

    @Option(name: .long, help: "Rounds over the benchmark file (timing covers all rounds).")
    var repeats: Int = 1

    @Flag(name: .long, help: "With GOLD PRED: print the extracted answers, the rule that extracted each, and the rung that decided (with the reason).")
    var explain = false

    @Flag(name: .long, help: "With --benchmark: list the cases where the verdict differs from expected (stderr).")
    var showFailures = false

    mutating func validate() throws {
        let modes = [input != nil, benchmark != nil, !answers.isEmpty].filter { $0 }.count
        if modes != 1 { throw ValidationError("give either GOLD PRED, or --input FILE, or --benchmark FILE") }
        if input == nil && benchmark == nil && positional.count != 2 {
            throw ValidationError("expected exactly two answers, GOLD and PRED, got \(positional.count): \(positional)")
        }
        if explain && (input != nil || benchmark != nil) { throw ValidationError("--explain goes with GOLD PRED") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        if let path = input {
            try gradeFile(path)
        } else if let path = benchmark {
            try runBenchmark(path)
        } else if let gold, let pred {
            let verdict = Grading.grade(gold: gold, predicted: pred)
            print(explain ? verdict.explanation : (verdict.isEqual ? "true" : "false"))
        }
    }

    private func readBytes(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): no such file or not readable")
        }
        return Array(data)
    }

    /// Calls `body` with each line of the file (Support's JSON Lines splitting: physical line numbers, a
    /// byte order mark at the start skipped, `\r\n` endings).
    private func forEachLine(_ path: String, _ body: (Int, [UInt8]) throws -> Void) throws {
        let bytes = try readBytes(path)
        try bytes.withUnsafeBufferPointer { all in
            let start = JSONLines.bodyStart(all)
            try JSONLines.forEachLine(in: UnsafeBufferPointer(rebasing: all[start...])) { n, line in try body(n, Array(line)) }
        }
    }

    private func gradeFile(_ path: String) throws {
        let batch = BatchGrader()
        var counts: [BatchOutcome: Int] = [:]
        var out = ""
        try forEachLine(path) { n, line in
            let r = batch.gradeLine(bytes: line, lineNumber: n)
            counts[r.outcome, default: 0] += 1
            out += r.json + "\n"
            if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        let total = counts.values.reduce(0, +)
        let summary = "graded \(total) lines: \(counts[.equal] ?? 0) equal, \(counts[.notEqual] ?? 0) not equal, \(counts[.error] ?? 0) errors\n"
        FileHandle.standardError.write(Data(summary.utf8))
    }

    private func runBenchmark(_ path: String) throws {
        var cases: [BenchmarkCase] = []
        do {
            try forEachLine(path) { n, line in
                if !JSONLines.isBlank(line) { cases.append(try GradingBenchmark.parseCase(line, lineNumber: n)) }
            }
        } catch let e as BenchmarkFileError {
            throw ValidationError("\(path == "-" ? "<stdin>" : path):\(e.line): \(e.message)")
        }
        let report = GradingBenchmark.run(cases, repeats: repeats)
        if showFailures {
            for (k, c, v) in report.failures {
                let line = "case \(k + 1) [\(c.category ?? "-")]: expected \(c.expected), got \(v.isEqual) (\(v.rung.rawValue)\(v.reason.map { ": " + $0 } ?? "")) gold=\(c.gold) pred=\(c.pred)\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        print(String(format: "accuracy %.2f%% (%d/%d), %.0f cases/second wall, %.0f per CPU second (%d rounds in %.3f s, %.3f s CPU)",
                     report.accuracy * 100, report.correct, report.cases, report.casesPerSecond, report.casesPerCPUSecond,
                     report.repeats, report.seconds, report.cpuSeconds))
        print(report.json)
    }
}
