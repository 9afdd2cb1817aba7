import Support
/// The data commands as library functions (the CLI only parses arguments and calls these).
public enum DataPipeline {
    /// Real-data formats that `convert` reads.
    public enum Source: String, CaseIterable, Sendable {
        /// MATH (folder of `.json` files or JSON Lines) and PRM800K `math_splits`.
        case math
        /// PRM800K step labels (`phase*_*.jsonl`).
        case prm800k
        /// MetaMathQA (`MetaMathQA-395K.json` array or JSON Lines).
        case metamath
        /// Math-Shepherd (`math-shepherd.jsonl`).
        case shepherd
        /// GSM8K (`{question, answer}` with a final `#### N` line).
        case gsm8k
    }

    /// What `convert` writes.
    public enum Target: String, CaseIterable, Sendable {
        /// ``Problem`` records (from `math`, `gsm8k`).
        case problems
        /// ``SolutionRecord`` demonstrations (from `prm800k`, `metamath`).
        case sft
        /// ``PRMRecord`` step records (from `prm800k`, `shepherd`).
        case prm
        /// ``TRLPRMRecord`` (from `prm800k`, `shepherd`).
        case trl
        /// ``LabelledSolution`` records (from `prm800k`, `shepherd`).
        case labelled

        /// The default target of a source.
        public static func defaultTarget(for source: Source) -> Target {
            switch source {
            case .math, .gsm8k: return .problems
            case .prm800k, .shepherd: return .prm
            case .metamath: return .sft
            }
        }
    }

    /// Options of `convert`.
    public struct ConvertOptions: Sendable {
        /// How to treat malformed records.
        public var read = ReadOptions()
        /// Keep only problems of these levels (needs a level: MATH, or `levelsFrom` for PRM800K).
        public var levels: LevelSet?
        /// Problems (e.g. PRM800K math_splits train + test) giving level, subject and id to
        /// records that carry only the problem text.
        public var levelsFrom: [String] = []
        /// Problems to keep out (e.g. MATH500 = math_splits/test.jsonl), by id or text.
        public var exclude: [String] = []
        /// PRM800K -> SFT: lowest rating a machine-written step may have.
        public var minimumRating = 1
        /// GSM8K: keep the `<<48/2=24>>` calculator annotations in the steps.
        public var keepCalculatorAnnotations = false

        public init() {}
    }

    /// Converts `input` of format `source` to records of `target` in `output` (atomically).
    /// - Throws: ``DataError`` for unreadable inputs, an unsupported source/target pair, or (in
    ///   strict mode) the first malformed record.
    public static func convert(from source: Source, to target: Target, input: String, output: String,
                               options: ConvertOptions = ConvertOptions()) throws -> PipelineReport {
        let supported: [Source: [Target]] = [
            .math: [.problems], .prm800k: [.sft, .prm, .trl, .labelled], .metamath: [.sft],
            .shepherd: [.prm, .trl, .labelled], .gsm8k: [.problems, .sft],
        ]
        guard supported[source, default: []].contains(target) else {
            let ok = supported[source, default: []].map(\.rawValue).joined(separator: ", ")
            throw DataError.invalidArgument("cannot convert \(source.rawValue) to \(target.rawValue); choose one of: \(ok)")
        }
        var report = PipelineReport()
        let levelIndex = try loadIndex(options.levelsFrom, options.read, &report)
        let excluded = try loadIndex(options.exclude, options.read, &report)
        let writer = try RecordWriter(path: output)
        do {
            func keep(id: String?, text: String, level: Int?) -> Bool {
                if excluded.contains(id: id, text: text) {
                    report.dropped["excluded (in --exclude)", default: 0] += 1
                    return false
                }
                if let levels = options.levels {
                    guard let level else {
                        report.dropped["level unknown (use --levels-from)", default: 0] += 1
                        return false
                    }
                    if !levels.contains(level) {
                        report.dropped["level outside \(levels)", default: 0] += 1
                        return false
                    }
                }
                return true
            }
            switch source {
            case .math:
                report.reads.append(try RecordReader.read(MATHRecord.self, from: input, options: options.read) { r, loc in
                    let p = try r.problem(at: loc)
                    if keep(id: p.id, text: p.problem, level: p.level) { try writer.write(p) }
                })
            case .prm800k:
                var counts = PRM800KConversionCounts()
                report.reads.append(try RecordReader.read(PRM800KRecord.self, from: input, options: options.read) { r, loc in
                    if r.isEmpty {
                        counts.emptyRecords += 1
                        return
                    }
                    let known = levelIndex.problem(withText: r.question.problem)
                    guard keep(id: nil, text: r.question.problem, level: known?.level) else { return }
                    let id = known?.id ?? "\(loc.file.split(separator: "/").last ?? ""):\(loc.line)"
                    switch target {
                    case .sft:
                        if var s = r.sftRecord(problemID: id, minimumRating: options.minimumRating, counts: &counts) {
                            s.level = known?.level; s.subject = known?.subject
                            try writer.write(s)
                        }
                    case .prm:
                        for p in r.prmRecords(counts: &counts) { try writer.write(p) }
                    case .trl, .labelled:
                        var l = r.labelledWalk(problemID: id)
                        l.level = known?.level; l.subject = known?.subject
                        if target == .trl { try writer.write(l.trl) } else { try writer.write(l) }
                    case .problems:
                        break
                    }
                })
                for (reason, n) in counts.rejectedSolutions { report.dropped["no SFT record: \(reason)", default: 0] += n }
                if counts.unratedCompletions > 0 { report.notes["unrated completions skipped"] = counts.unratedCompletions }
                if counts.emptyRecords > 0 {
                    report.dropped["no steps (steps: [] or a first step without completions)", default: 0] += counts.emptyRecords
                }
            case .metamath:
                report.reads.append(try RecordReader.read(MetaMathRecord.self, from: input, options: options.read) { r, loc in
                    guard keep(id: nil, text: r.query, level: nil) else { return }
                    try writer.write(try r.solution(problemID: "metamath:\(loc.line)"))
                })
            case .gsm8k:
                report.reads.append(try RecordReader.read(GSM8KRecord.self, from: input, options: options.read) { r, loc in
                    let id = "gsm8k:\(loc.line)"
                    let keepAnnotations = options.keepCalculatorAnnotations
                    if target == .sft {
                        let s = try r.solution(problemID: id, keepCalculatorAnnotations: keepAnnotations)
                        if keep(id: id, text: s.problem, level: s.level) { try writer.write(s) }
                    } else {
                        let p = try r.problem(id: id, keepCalculatorAnnotations: keepAnnotations)
                        if keep(id: id, text: p.problem, level: p.level) { try writer.write(p) }
                    }
                })
            case .shepherd:
                report.reads.append(try RecordReader.read(MathShepherdRecord.self, from: input, options: options.read) { r, loc in
                    let l = try r.labelledSolution(problemID: "shepherd:\(loc.line)")
                    guard keep(id: nil, text: l.problem, level: nil) else { return }
                    switch target {
                    case .prm: for p in l.prmRecords { try writer.write(p) }
                    case .trl: try writer.write(l.trl)
                    default: try writer.write(l)
                    }
                })
            }
            try requireSomethingRead(report.reads.last, input: input)
            report.written.append((output, try writer.finish()))
        } catch {
            writer.abandon()
            throw error
        }
        return report
    }

    /// Splits problems by level into an easy and a hard file, keeping `exclude` problems out.
    /// Problems of levels on neither side are counted, not written.
    public static func split(input: String, split: DifficultySplit, easyOutput: String, hardOutput: String,
                             exclude: [String] = [], read: ReadOptions = ReadOptions()) throws -> PipelineReport {
        var report = PipelineReport()
        let excluded = try loadIndex(exclude, read, &report)
        let easy = try RecordWriter(path: easyOutput), hard = try RecordWriter(path: hardOutput)
        var firstLineOfID: [String: Int] = [:]
        do {
            report.reads.append(try RecordReader.read(MATHRecord.self, from: input, options: read) { r, loc in
                let p = try r.problem(at: loc)
                if let first = firstLineOfID[p.id] {
                    throw FieldError(field: "id", "duplicate problem id '\(p.id)' (first on line \(first))")
                }
                firstLineOfID[p.id] = loc.line
                if excluded.contains(id: p.id, text: p.problem) {
                    report.dropped["excluded (in --exclude)", default: 0] += 1
                    return
                }
                switch split.side(ofLevel: p.level) {
                case .easy: try easy.write(p)
                case .hard: try hard.write(p)
                case nil: report.dropped["level \(p.level) on neither side", default: 0] += 1
                }
            })
            try requireSomethingRead(report.reads.last, input: input)
            report.written.append((easyOutput, try easy.finish()))
            report.written.append((hardOutput, try hard.finish()))
        } catch {
            easy.abandon(); hard.abandon()
            throw error
        }
        return report
    }

    /// Generates benchmark problems (and optionally the pretraining corpus) into files. With
    /// `testOutput`, also a test split of `testCountsByLevel`, drawn with the problems as one pool
    /// per level and split at random (``BenchmarkGenerator/split(trainCountsByLevel:testCountsByLevel:excluding:)``).
    public static func generate(generator: BenchmarkGenerator, countsByLevel: [Int: Int], output: String,
                                exclude: [String] = [], pretrainingDocuments: Int = 0,
                                pretrainingOutput: String? = nil, testCountsByLevel: [Int: Int] = [:],
                                testOutput: String? = nil) throws -> PipelineReport {
        var report = PipelineReport()
        var excludedTexts: Set<String> = []
        for path in exclude {
            let r = try RecordReader.read(MATHRecord.self, from: path) { rec, _ in excludedTexts.insert(rec.problem) }
            report.reads.append(r)
        }
        if let testOutput {
            let (train, test) = try generator.split(trainCountsByLevel: countsByLevel, testCountsByLevel: testCountsByLevel,
                                                    excluding: excludedTexts)
            report.written.append((output, try RecordWriter.write(train, to: output)))
            report.written.append((testOutput, try RecordWriter.write(test, to: testOutput)))
        } else {
            let problems = try generator.problems(countsByLevel: countsByLevel, excluding: excludedTexts)
            report.written.append((output, try RecordWriter.write(problems, to: output)))
        }
        if let corpusPath = pretrainingOutput, pretrainingDocuments > 0 {
            let docs = try generator.pretrainingDocuments(count: pretrainingDocuments)
            report.written.append((corpusPath, try RecordWriter.write(docs, to: corpusPath)))
        }
        return report
    }

    /// Refuses a read in which every record was skipped: a lenient run that converted nothing is
    /// an error, not an empty output.
    static func requireSomethingRead(_ read: ReadReport?, input: String) throws {
        guard let read, read.read == 0, read.skipped > 0 else { return }
        let first = read.issues.first.map { "; the first: \($0)" } ?? ""
        throw DataError.invalidArgument("none of the \(read.skipped) records of \(input) could be read\(first)")
    }

    /// Reads problems from files in any problem shape (project, MATH, math_splits) into an index.
    static func loadIndex(_ paths: [String], _ read: ReadOptions, _ report: inout PipelineReport) throws -> ProblemIndex {
        var problems: [Problem] = []
        for path in paths {
            report.reads.append(try RecordReader.read(MATHRecord.self, from: path, options: read) { r, loc in
                problems.append(try r.problem(at: loc))
            })
        }
        return ProblemIndex(problems)
    }
}
