import ArgumentParser
import Datasets
import Support

/// `e2h data`: real-data conversion, the easy/hard split, the built-in benchmark and statistics.
/// Argument parsing only; the work is done by `Datasets.DataPipeline`.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate the built-in benchmark, convert real data sets, split by difficulty, print statistics.",
        subcommands: [Generate.self, Convert.self, Split.self, Stats.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate benchmark problems (levels 1-5) with step-format solutions, and optionally the pretraining corpus.")

        @Option(help: "Levels to generate, e.g. 1-5 or 4.")
        var levels = "1-5"

        @Option(help: "Problems per level.")
        var count = 100

        @Option(help: "Per-level counts overriding --count, e.g. 1:500,2:500,3:500,4:200,5:200.")
        var counts: String?

        @Option(help: "Random seed; the same seed gives the same bytes.")
        var seed: UInt64 = 1

        @Option(name: outputNames, help: "Output JSON Lines file of problems.")
        var output: String

        @Option(help: "Problems files whose problem texts must not be generated (e.g. a test set).")
        var exclude: [String] = []

        @Option(help: "Test problems per level, drawn with the others as one pool and split off at random (needs --test-out).")
        var testCount: Int?

        @Option(name: [.customLong("test-out"), .customLong("test-output")],
                help: "Output JSON Lines file of the test split (needs --test-count).")
        var testOutput: String?

        @Option(help: "Number of pretraining-corpus documents (single facts, no problems).")
        var pretraining = 0

        @Option(name: [.customLong("pretraining-out"), .customLong("pretraining-output")],
                help: "Output JSON Lines file of the pretraining corpus ({text}).")
        var pretrainingOutput: String?

        func validate() throws {
            if pretraining > 0, pretrainingOutput == nil {
                throw ValidationError("--pretraining needs --pretraining-out")
            }
            try requireDistinctOutputs([("--out", output), ("--test-out", testOutput), ("--pretraining-out", pretrainingOutput)])
            if count < 0 { throw ValidationError("--count must be >= 0") }
            if (testCount == nil) != (testOutput == nil) { throw ValidationError("--test-count and --test-out go together") }
            if let testCount, testCount < 0 { throw ValidationError("--test-count must be >= 0") }
        }

        func run() throws {
            var byLevel: [Int: Int] = [:]
            for level in try DifficultySplit.parseLevels(levels).levels { byLevel[level] = count }
            if let counts {
                byLevel = [:]
                for item in counts.split(separator: ",") {
                    let kv = item.split(separator: ":")
                    guard kv.count == 2, let l = Int(kv[0]), let n = Int(kv[1]), n >= 0 else {
                        throw ValidationError("--counts items look like 4:200, found '\(item)'")
                    }
                    byLevel[l] = n
                }
            }
            let testByLevel = testCount.map { n in byLevel.mapValues { _ in n } } ?? [:]
            let report = try DataPipeline.generate(
                generator: BenchmarkGenerator(seed: seed), countsByLevel: byLevel, output: output,
                exclude: exclude, pretrainingDocuments: pretraining, pretrainingOutput: pretrainingOutput,
                testCountsByLevel: testByLevel, testOutput: testOutput)
            print(report.render())
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a published data set to the project's records.",
            discussion: """
            math -> problems; prm800k -> sft | prm | trl | labelled; metamath -> sft; \
            shepherd -> prm | trl | labelled; gsm8k -> problems | sft (the answer after "####"; calculator \
            annotations such as <<48/2=24>> removed unless --keep-calculator-annotations; level from the \
            number of steps: 2 or fewer -> 1, 3 -> 2, 4 -> 3, 5 -> 4, 6 or more -> 5). PRM labels: 1 if \
            rating >= 0 (neutral counts as positive).
            """)

        @Option(help: "Input format: \(DataPipeline.Source.allCases.map(\.rawValue).joined(separator: ", ")).")
        var from: DataPipeline.Source

        @Option(help: "Output records: \(DataPipeline.Target.allCases.map(\.rawValue).joined(separator: ", ")) (default: problems for math and gsm8k, sft for metamath, prm otherwise).")
        var to: DataPipeline.Target?

        @Option(name: .shortAndLong, help: "Input file (JSON Lines or a JSON array) or MATH folder.")
        var input: String

        @Option(name: outputNames, help: "Output JSON Lines file (written atomically).")
        var output: String

        @OptionGroup var badInput: BadInputOptions

        @Option(help: "Keep only these levels, e.g. 1-3 (PRM800K needs --levels-from).")
        var levels: String?

        @Option(help: "Problems files (e.g. PRM800K math_splits) giving levels, subjects and ids by problem text.")
        var levelsFrom: [String] = []

        @Option(help: "Problems files to keep out, by id or text (e.g. math_splits/test.jsonl = MATH500).")
        var exclude: [String] = []

        @Option(help: "PRM800K -> sft: lowest rating of a machine-written step.")
        var minRating = 1

        @Flag(help: "GSM8K: keep the <<48/2=24>> calculator annotations in the steps.")
        var keepCalculatorAnnotations = false

        func run() throws {
            var options = DataPipeline.ConvertOptions()
            options.read = badInput.readOptions
            options.levels = try levels.map(DifficultySplit.parseLevels)
            options.levelsFrom = levelsFrom
            options.exclude = exclude
            options.minimumRating = minRating
            options.keepCalculatorAnnotations = keepCalculatorAnnotations
            let report = try DataPipeline.convert(
                from: from, to: to ?? .defaultTarget(for: from), input: input, output: output, options: options)
            print(report.render())
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split problems into easy and hard files by level, keeping a test set out.")

        @Option(name: [.customLong("problems"), .customShort("i"), .customLong("input")],
                help: "Problems (project, MATH or math_splits records).")
        var input: String

        @Option(help: "Easy levels.")
        var easy = "1-3"

        @Option(help: "Hard levels.")
        var hard = "4-5"

        @Option(name: [.customLong("easy-out"), .customLong("easy-output")], help: "Output file of easy problems.")
        var easyOutput: String

        @Option(name: [.customLong("hard-out"), .customLong("hard-output")], help: "Output file of hard problems.")
        var hardOutput: String

        @Option(help: "Problems files to keep out, by id or text (e.g. MATH500).")
        var exclude: [String] = []

        @OptionGroup var badInput: BadInputOptions

        func validate() throws {
            try requireDistinctOutputs([("--easy-out", easyOutput), ("--hard-out", hardOutput)])
            for (flag, text) in [("--easy", easy), ("--hard", hard)] {
                do { _ = try LevelSet(parsing: text) } catch { throw ValidationError("\(flag): \(error)") }
            }
        }

        func run() throws {
            let split = try DifficultySplit(easyLevels: DifficultySplit.parseLevels(easy),
                                            hardLevels: DifficultySplit.parseLevels(hard))
            let report = try DataPipeline.split(input: input, split: split, easyOutput: easyOutput,
                                                hardOutput: hardOutput, exclude: exclude,
                                                read: badInput.readOptions)
            print(report.render())
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts per level and subject, steps per solution, label balance and text lengths.")

        @Argument(help: "Data files (kind detected from the first record).")
        var files: [String] = []

        @Option(name: [.customShort("i"), .customLong("input")], help: "A data file (repeatable; the same as a positional file).")
        var inputs: [String] = []

        func validate() throws {
            if files.isEmpty && inputs.isEmpty { throw ValidationError("give at least one data file (--input FILE or FILE)") }
        }

        @Option(help: "Record kind, if detection fails: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: RecordKind?

        @OptionGroup var badInput: BadInputOptions

        func run() throws {
            for (i, file) in (inputs + files).enumerated() {
                if i > 0 { print("") }
                print(try DatasetStats.compute(path: file, kind: kind, options: badInput.readOptions).render())
            }
        }
    }
}

extension DataPipeline.Source: ExpressibleByArgument {}
extension DataPipeline.Target: ExpressibleByArgument {}
extension RecordKind: ExpressibleByArgument {}
