import Support

/// The record types `stats` recognises, told apart by their keys.
public enum RecordKind: String, Sendable, CaseIterable {
    case problems, math, prm800k, metamath, shepherd, sft, labelled, prm, trl, text

    /// Guesses the kind from the keys of the first record (and whether `level` / `label` are strings).
    static func detect(_ probe: KeyProbe) -> RecordKind? {
        let k = probe.keys
        if k.contains("question"), k.contains("label") { return .prm800k }
        if k.contains("query"), k.contains("response") { return .metamath }
        if k.contains("output_prefix") { return .prm }
        if k.contains("prompt"), k.contains("completions") { return .trl }
        if k.contains("input"), probe.labelIsString { return .shepherd }
        if k.contains("steps"), k.contains("labels") { return .labelled }
        if k.contains("steps"), k.contains("answer") { return .sft }
        if k.contains("problem"), k.contains("level") {
            return k.contains("id") && !probe.levelIsString ? .problems : .math
        }
        if k == ["text"] { return .text }
        return nil
    }
}

/// Minimal look at a record: its keys and the JSON types of `level` and `label`.
struct KeyProbe: Decodable {
    var keys: Set<String>
    var levelIsString = false
    var labelIsString = false

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        keys = Set(c.allKeys.map(\.stringValue))
        levelIsString = (try? c.decode(String.self, forKey: AnyKey(stringValue: "level"))) != nil
        labelIsString = (try? c.decode(String.self, forKey: AnyKey(stringValue: "label"))) != nil
    }
}

/// Running count, sum, minimum and maximum of a quantity.
public struct Summary: Equatable, Sendable {
    public var count = 0, sum = 0, min = Int.max, max = Int.min
    public init() {}
    public mutating func add(_ x: Int) {
        count += 1; sum += x
        if x < min { min = x }
        if x > max { max = x }
    }
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }
    /// `min/mean/max`, or `-` when empty.
    public var text: String {
        count == 0 ? "-" : "\(min)/\(String(format1: mean))/\(max)"
    }
}

extension String {
    init(format1 x: Double) {
        let r = (x * 10).rounded() / 10
        self = r == r.rounded() ? String(Int(r)) + ".0" : String(r)
    }
}

/// Counts of a data file: per level and subject, steps, label balance, text lengths.
public struct DatasetStats: Sendable {
    public var kind: RecordKind
    public var read: ReadReport
    /// Records (for PRM800K: PRM records derived from them).
    public var records = 0
    /// Records per level (level 0 = unknown).
    public var byLevel: [Int: Int] = [:]
    /// Steps per solution, per level (level 0 = unknown).
    public var stepsByLevel: [Int: Summary] = [:]
    /// Whole-text lengths per level (level 0 = unknown), see ``textLength``.
    public var textLengthByLevel: [Int: Summary] = [:]
    /// Records per subject ("-" = unknown).
    public var bySubject: [String: Int] = [:]
    /// Steps per solution over all records.
    public var steps = Summary()
    /// Length in Unicode scalars of each record's whole text in the solution format
    /// (prompt + completion; the concatenated fields for PRM records; the text of documents).
    public var textLength = Summary()
    /// Step labels that are positive / negative.
    public var positiveLabels = 0, negativeLabels = 0
    /// Benchmark problems whose stored solution the step checker accepts, of those checked.
    public var checkerAccepted = 0, checkerChecked = 0

    /// Reads `path`, detecting its kind from the first record unless `kind` is given.
    /// - Throws: ``DataError`` when the file cannot be read or its kind is not recognised.
    public static func compute(path: String, kind: RecordKind? = nil,
                               options: ReadOptions = ReadOptions()) throws -> DatasetStats {
        let k = try kind ?? detectKind(path: path)
        var s = DatasetStats(kind: k, read: ReadReport(source: path))
        switch k {
        case .problems, .math:
            s.read = try RecordReader.read(MATHRecord.self, from: path, options: options) { r, loc in
                s.add(problem: try r.problem(at: loc))
            }
        case .sft:
            s.read = try RecordReader.read(SolutionRecord.self, from: path, options: options) { r, _ in s.add(sft: r) }
        case .metamath:
            s.read = try RecordReader.read(MetaMathRecord.self, from: path, options: options) { r, loc in
                s.add(sft: try r.solution(problemID: "\(loc.line)"))
            }
        case .labelled:
            s.read = try RecordReader.read(LabelledSolution.self, from: path, options: options) { r, _ in s.add(labelled: r) }
        case .shepherd:
            s.read = try RecordReader.read(MathShepherdRecord.self, from: path, options: options) { r, loc in
                s.add(labelled: try r.labelledSolution(problemID: "\(loc.line)"))
            }
        case .trl:
            s.read = try RecordReader.read(TRLPRMRecord.self, from: path, options: options) { r, _ in
                guard r.completions.count == r.labels.count else {
                    throw FieldError(field: "labels", "\(r.labels.count) labels for \(r.completions.count) completions")
                }
                s.add(labelled: LabelledSolution(problemID: "", problem: r.prompt, steps: r.completions, labels: r.labels))
            }
        case .prm:
            s.read = try RecordReader.read(PRMRecord.self, from: path, options: options) { r, _ in s.add(prm: r) }
        case .prm800k:
            var counts = PRM800KConversionCounts()
            s.read = try RecordReader.read(PRM800KRecord.self, from: path, options: options) { r, _ in
                for p in r.prmRecords(counts: &counts) { s.add(prm: p) }
            }
        case .text:
            s.read = try RecordReader.read(TextDocument.self, from: path, options: options) { r, _ in
                s.records += 1
                s.textLength.add(r.text.unicodeScalars.count)
                s.steps.add(SolutionFormat.splitSteps(r.text).count)
            }
        }
        return s
    }

    static func detectKind(path: String) throws -> RecordKind {
        // Detection reads the first record and the statistics read the file again: a pipe has
        // nothing left the second time.
        guard !JSONLines.isStream(path) else {
            throw DataError.invalidArgument("\(path) is a pipe, which can be read only once; pass --kind to read it in one pass")
        }
        var probe: KeyProbe?
        struct Stop: Error {}
        do {
            _ = try RecordReader.read(KeyProbe.self, from: path, options: ReadOptions(strict: true)) { p, _ in
                probe = p
                throw Stop()
            }
        } catch is Stop {}
        guard let probe else { throw DataError.invalidArgument("\(path): no records to look at") }
        guard let kind = RecordKind.detect(probe) else {
            throw DataError.invalidArgument("\(path): unknown record shape with keys \(probe.keys.sorted()); pass --kind")
        }
        return kind
    }

    private mutating func count(level: Int?, subject: String?, steps n: Int?, length: Int) {
        records += 1
        textLength.add(length)
        textLengthByLevel[level ?? 0, default: Summary()].add(length)
        byLevel[level ?? 0, default: 0] += 1
        bySubject[subject ?? "-", default: 0] += 1
        if let n {
            steps.add(n)
            stepsByLevel[level ?? 0, default: Summary()].add(n)
        }
    }

    mutating func add(problem p: Problem) {
        let parsedSteps = p.solution.map(SolutionFormat.splitSteps)
        count(level: p.level, subject: p.subject, steps: parsedSteps?.count,
              length: SolutionFormat.text(problem: p.problem, steps: parsedSteps ?? [], answer: p.answer).unicodeScalars.count)
        if BenchmarkSubject(rawValue: p.subject) != nil, let sol = p.solution,
           let task = try? BenchmarkTask(problem: p.problem) {
            checkerChecked += 1
            let result = StepChecker().check(task: task, completion: SolutionFormat.parseCompletion(
                SolutionFormat.completion(steps: SolutionFormat.splitSteps(sol), answer: p.answer)))
            if result.isFullyCorrect { checkerAccepted += 1 }
        }
    }

    mutating func add(sft r: SolutionRecord) {
        count(level: r.level, subject: r.subject, steps: r.steps.count, length: r.text.unicodeScalars.count)
    }

    mutating func add(labelled r: LabelledSolution) {
        count(level: r.level, subject: r.subject, steps: r.steps.count,
              length: SolutionFormat.prompt(problem: r.problem).unicodeScalars.count
                  + r.steps.joined(separator: SolutionFormat.stepSeparator).unicodeScalars.count)
        for l in r.labels { if l { positiveLabels += 1 } else { negativeLabels += 1 } }
    }

    mutating func add(prm r: PRMRecord) {
        records += 1
        if r.label != 0 { positiveLabels += 1 } else { negativeLabels += 1 }
        textLength.add(SolutionFormat.prompt(problem: r.input).unicodeScalars.count
            + r.outputPrefix.unicodeScalars.count + r.output.unicodeScalars.count)
    }

    /// A plain-text table.
    public func render() -> String {
        var lines = ["\(read.source): \(kind.rawValue) records",
                     "read \(read.read), skipped \(read.skipped) malformed; \(records) \(kind == .prm800k ? "PRM step records" : "records")"]
        if byLevel.count > 0 {
            lines.append("level  count  steps min/mean/max  characters min/mean/max")
            for level in byLevel.keys.sorted() {
                let name = level == 0 ? "?" : String(level)
                lines.append(pad(name, 5) + "  " + pad(String(byLevel[level]!), 5) + "  "
                    + pad(stepsByLevel[level]?.text ?? "-", 18) + "  " + (textLengthByLevel[level]?.text ?? "-"))
            }
        }
        if bySubject.count > 0 {
            lines.append("subject: " + bySubject.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if steps.count > 0 { lines.append("steps per solution min/mean/max: \(steps.text)") }
        if positiveLabels + negativeLabels > 0 {
            let total = positiveLabels + negativeLabels
            let pct = String(format1: 100 * Double(positiveLabels) / Double(total))
            lines.append("labels: \(positiveLabels) positive, \(negativeLabels) negative (\(pct)% positive)")
        }
        if textLength.count > 0 { lines.append("text length (characters) min/mean/max: \(textLength.text)") }
        if checkerChecked > 0 {
            lines.append("canonical solutions accepted by the step checker: \(checkerAccepted)/\(checkerChecked)")
        }
        lines += read.issues.prefix(10).map { "  " + $0.description }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }
}
