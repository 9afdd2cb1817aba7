import Benchmarks
import ArgumentParser
import Foundation
import Reports
import Reranking

/// `e2h rerank`: majority voting, best-of-N, weighted voting and pass@N curves over scored samples
/// (Sources/Reranking, docs/rerank.md), with the report (Sources/Reports).
struct Rerank: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Re-rank scored samples: accuracy vs N curves, easy vs hard, reward-model diagnostics.",
        discussion: """
            e2h rerank --problems P.jsonl --samples S.jsonl --out DIR
              Prints the table and writes DIR/summary.json, SVG figures and
              DIR/index.html. Without --out only the table is printed (a note
              on stderr says so). DIR must not be an existing file.
              problems: {id, level, answer, ...}
              samples: {problem_id, sample_index, output and/or answer,
                step_scores? (raw logits, the final answer's last),
                step_labels? (0/1)}
              Stops at the first invalid record (FILE:LINE: field);
              --skip-invalid counts and skips them instead.

            e2h rerank --benchmark
              Paper-scale speed benchmark on synthetic data
              (500 problems x 1024 samples).
            """)

    @Option(name: .long, help: "Problems JSONL file ({id, level, answer, ...}).")
    var problems: String?

    @Option(name: .long, help: "Samples JSONL file ({problem_id, sample_index, output/answer, step_scores?, step_labels?}).")
    var samples: String?

    @Option(name: outputNames, help: "Directory for summary.json, the SVG figures and index.html.")
    var out: String?

    @Option(name: .long, help: "Subsampling trials per N (one at N = pool size).")
    var trials: Int = 100

    @Option(name: .long, help: "Seed of the trials.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Levels of the easy group, e.g. 1-3 or 1,2.")
    var easyLevels: String = "1-3"

    @Option(name: .long, help: "Levels of the hard group, e.g. 4-5.")
    var hardLevels: String = "4-5"

    @Option(name: .long, help: "Aggregations of step scores: all, or a list of min,max,prod,mean,mean_logit,mean_odd,last.")
    var aggregations: String = "all"

    @Option(name: .long, help: "Largest N (default: the smallest pool size).")
    var maxN: Int?

    @Option(name: .long, help: "First-error-step diagnostics: a step with probability below this is predicted wrong.")
    var errorThreshold: Double = 0.5

    @Flag(name: .long, help: "Drop invalid records and count them in the summary instead of stopping at the first.")
    var skipInvalid = false

    @Option(name: .long, help: "Worker threads (default: all cores); results do not depend on it.")
    var threads: Int?

    @Flag(name: .long, help: "Run the speed benchmark on synthetic data instead.")
    var benchmark = false

    @Option(name: .long, help: "Benchmark: number of problems.")
    var benchmarkProblems: Int = 500

    @Option(name: .long, help: "Benchmark: samples per problem.")
    var benchmarkSamples: Int = 1024

    mutating func validate() throws {
        if !benchmark && (problems == nil || samples == nil) {
            throw ValidationError("give --problems FILE and --samples FILE (or --benchmark)")
        }
        if let out {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--out \(out) is an existing file; give a folder (new or existing) for the report")
            }
        }
        if benchmarkProblems < 1 || benchmarkSamples < 1 {
            throw ValidationError("--benchmark-problems and --benchmark-samples must be at least 1")
        }
    }

    func options() throws -> RerankOptions {
        var o = RerankOptions()
        o.trials = trials
        o.seed = seed
        o.easyLevels = try RerankOptions.parseLevels(easyLevels)
        o.hardLevels = try RerankOptions.parseLevels(hardLevels)
        o.aggregations = try Aggregation.parseList(aggregations)
        o.maxN = maxN
        o.errorThreshold = errorThreshold
        o.skipInvalid = skipInvalid
        o.threads = threads
        try o.validate()
        return o
    }

    /// Errors of the library (`RerankError`) name the file and line; they print as they are.
    func run() throws {
        let options = try options()
        if benchmark {
            var config = RerankBenchmark.Config()
            config.problems = benchmarkProblems
            config.samplesPerProblem = benchmarkSamples
            let report = try RerankBenchmark.run(config, options: options)
            print(TerminalTable.render(report.summary, groups: ["all"]))
            print(report.text)
            if let out { try writeReport(report.summary, to: out) }
            return
        }
        let input = try RerankReader.load(problemsPath: problems!, samplesPath: samples!, skipInvalid: skipInvalid)
        let summary = try rerank(input, options: options)
        print(TerminalTable.render(summary), terminator: "")
        if let out {
            let files = try writeReport(summary, to: out)
            print("\nwrote \(files.map { (out as NSString).appendingPathComponent($0) }.joined(separator: ", "))")
        } else {
            logLine("no --out: only the table was printed (summary.json, figures and index.html need --out DIR)")
        }
    }
}
