import Datasets
import Foundation
import Support

/// Reads problems and samples JSON Lines files into a ``RerankInput``.
///
/// Every record is checked for syntax and field types here; semantic checks (unknown problem ids,
/// duplicate sample indices, non-finite scores) happen in ``rerank(_:options:)`` so that in-memory
/// input gets them too. Blank lines are ignored. Errors name the file and the line.
public enum RerankReader {
    /// Reads both files.
    /// - Parameter skipInvalid: drop invalid records and count them instead of throwing.
    public static func load(problemsPath: String, samplesPath: String, skipInvalid: Bool = false) throws -> RerankInput {
        var log = IssueLog(skipInvalid: skipInvalid)
        let problems = try readProblems(try readFile(problemsPath), source: problemsPath, log: &log)
        let samples = try readSamples(try readFile(samplesPath), source: samplesPath, log: &log)
        return RerankInput(problems: problems, samples: samples, problemsSource: problemsPath, samplesSource: samplesPath,
                           skipped: log.counts, skippedExamples: log.examples)
    }

    /// Records parsed from JSONL bytes, and those dropped (only with `skipInvalid`).
    public struct Parsed<Record: Sendable>: Sendable {
        public var records: [Record]
        /// Dropped records by reason (``InputIssue`` raw values), and the first messages.
        public var skipped: [String: Int]
        public var skippedExamples: [String]
    }

    /// Parses problems JSONL bytes.
    public static func problems(from data: [UInt8], source: String = "problems", skipInvalid: Bool = false) throws -> Parsed<RerankProblem> {
        var log = IssueLog(skipInvalid: skipInvalid)
        let p = try readProblems(data, source: source, log: &log)
        return Parsed(records: p, skipped: log.counts, skippedExamples: log.examples)
    }

    /// Parses samples JSONL bytes.
    public static func samples(from data: [UInt8], source: String = "samples", skipInvalid: Bool = false) throws -> Parsed<RerankSample> {
        var log = IssueLog(skipInvalid: skipInvalid)
        let s = try readSamples(data, source: source, log: &log)
        return Parsed(records: s, skipped: log.counts, skippedExamples: log.examples)
    }

    /// The bytes of a file, or an error naming it.
    public static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RerankError.io("cannot read \(path): no such file or not readable")
        }
        return [UInt8](data)
    }

    static func readProblems(_ data: [UInt8], source: String, log: inout IssueLog) throws -> [RerankProblem] {
        let (records, chunkLog) = try parseLines(data, skipInvalid: log.skipInvalid, threads: workerCount(nil)) { line, bytes, log -> RerankProblem? in
            guard let fields = try object(bytes, keys: problemKeys, source: source, line: line, log: &log) else { return nil }
            let record = Record(fields: fields, source: source, line: line)
            do {
                return RerankProblem(id: try record.identifier("id"), level: try record.level(),
                                     answer: try record.text("answer"), line: line)
            } catch let e as FieldError {
                try log.report(e.issue, file: source, line: line, e.message)
                return nil
            }
        }
        log.merge(chunkLog)
        return records
    }

    static func readSamples(_ data: [UInt8], source: String, log: inout IssueLog) throws -> [RerankSample] {
        let (records, chunkLog) = try parseLines(data, skipInvalid: log.skipInvalid, threads: workerCount(nil)) { line, bytes, log -> RerankSample? in
            guard let fields = try object(bytes, keys: sampleKeys, source: source, line: line, log: &log) else { return nil }
            let record = Record(fields: fields, source: source, line: line)
            do {
                typealias Key = SampleRecord.CodingKeys
                var sample = RerankSample(problemID: try record.identifier(Key.problemID.rawValue),
                                          sampleIndex: try record.integer(Key.sampleIndex.rawValue),
                                          output: try record.optionalText(Key.output.rawValue),
                                          answer: try record.optionalText(Key.answer.rawValue),
                                          stepScores: try record.optionalNumbers(Key.stepScores.rawValue),
                                          stepLabels: try record.optionalLabels(Key.stepLabels.rawValue), line: line)
                sample.cutAtTokenLimit = try record.optionalText(Key.finishReason.rawValue) == "length"
                return sample
            } catch let e as FieldError {
                try log.report(e.issue, file: source, line: line, e.message)
                return nil
            }
        }
        log.merge(chunkLog)
        return records
    }

    static let problemKeys: Set<String> = ["id", "level", "answer"]
    /// The fields of the samples format (``SampleRecord``) that re-ranking reads.
    static let sampleFields: [SampleRecord.CodingKeys] = [.problemID, .sampleIndex, .output, .answer, .stepScores, .stepLabels,
                                                                   .finishReason]
    static let sampleKeys = Set(sampleFields.map(\.rawValue))

    /// The object of a non-blank line (only the members in `keys`); nil for a blank line or a
    /// record dropped by `log`.
    private static func object(_ bytes: UnsafeBufferPointer<UInt8>, keys: Set<String>, source: String, line: Int,
                               log: inout IssueLog) throws -> [String: JSONValue]? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        do {
            guard case .object(let fields) = try JSONLineParser.parse(bytes, keys: keys) else {
                try log.report(.malformedJSON, file: source, line: line, "expected a JSON object")
                return nil
            }
            return fields
        } catch let e as JSONSyntaxError {
            try log.report(.malformedJSON, file: source, line: line, "not valid JSON: \(e.message) at column \(e.offset + 1)")
            return nil
        }
    }
}

/// A field that is missing or of the wrong type.
private struct FieldError: Error {
    var issue: InputIssue
    var message: String
}

/// Typed access to the fields of one record.
private struct Record {
    var fields: [String: JSONValue]
    var source: String
    var line: Int

    private func wrongType(_ name: String, _ expected: String, _ found: JSONValue) -> FieldError {
        FieldError(issue: .wrongType, message: "field \"\(name)\" must be \(expected), found \(found.typeName)")
    }

    /// A string or integer identifier.
    func identifier(_ name: String) throws -> String {
        guard let v = fields[name], v != .null else {
            throw FieldError(issue: .missingField, message: "missing field \"\(name)\" (a string)")
        }
        switch v {
        case .string(let s) where !s.isEmpty: return s
        case .number(let x) where x.isFinite && x == x.rounded() && abs(x) < 1e15: return String(Int64(x))
        default: throw wrongType(name, "a non-empty string", v)
        }
    }

    func integer(_ name: String) throws -> Int {
        guard let v = fields[name], v != .null else {
            throw FieldError(issue: .missingField, message: "missing field \"\(name)\" (an integer)")
        }
        guard case .number(let x) = v, x.isFinite, x == x.rounded(), abs(x) < 1e15 else { throw wrongType(name, "an integer", v) }
        return Int(x)
    }

    /// A required answer text (a number is taken as its decimal text).
    func text(_ name: String) throws -> String {
        guard let t = try optionalText(name) else {
            throw FieldError(issue: .missingField, message: "missing field \"\(name)\" (a string)")
        }
        return t
    }

    func optionalText(_ name: String) throws -> String? {
        guard let v = fields[name] else { return nil }
        switch v {
        case .null: return nil
        case .string(let s): return s
        case .number(let x) where x.isFinite:
            return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
        default: throw wrongType(name, "a string", v)
        }
    }

    /// `level`: an integer, or a string such as "Level 3" or "3"; "Level ?", null or absent is unknown.
    func level() throws -> Int? {
        guard let v = fields["level"] else { return nil }
        switch v {
        case .null: return nil
        case .number(let x) where x.isFinite && x == x.rounded() && abs(x) < 1e9: return Int(x)
        case .string(let s):
            let t = s.lowercased().replacingOccurrences(of: "level", with: "").trimmingCharacters(in: .whitespaces)
            if t == "?" || t.isEmpty { return nil }
            if let n = Int(t) { return n }
            throw FieldError(issue: .wrongType, message: "field \"level\" must be an integer or \"Level N\", found \"\(s)\"")
        default: throw wrongType("level", "an integer or \"Level N\"", v)
        }
    }

    /// An array of numbers (NaN/Infinity are kept for validation to report).
    func optionalNumbers(_ name: String) throws -> [Double]? {
        guard let v = fields[name], v != .null else { return nil }
        if case .numbers(let xs) = v { return xs }
        guard case .array(let items) = v else { throw wrongType(name, "an array of numbers", v) }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            guard case .number(let x) = item else {
                throw FieldError(issue: .wrongType, message: "\(name)[\(k)] must be a number, found \(item.typeName)")
            }
            out.append(x)
        }
        return out
    }

    /// An array of 0/1 or booleans.
    func optionalLabels(_ name: String) throws -> [Bool]? {
        guard let v = fields[name], v != .null else { return nil }
        if case .numbers(let xs) = v {
            return try xs.enumerated().map { k, x in
                guard x == 0 || x == 1 else {
                    throw FieldError(issue: .badStepLabels, message: "\(name)[\(k)] must be 0, 1, true or false, found \(x)")
                }
                return x == 1
            }
        }
        guard case .array(let items) = v else { throw wrongType(name, "an array of 0/1 labels", v) }
        var out: [Bool] = []
        for (k, item) in items.enumerated() {
            switch item {
            case .bool(let b): out.append(b)
            case .number(1): out.append(true)
            case .number(0): out.append(false)
            default:
                throw FieldError(issue: .badStepLabels, message: "\(name)[\(k)] must be 0, 1, true or false, found \(item.number.map { "\($0)" } ?? item.typeName)")
            }
        }
        return out
    }
}
