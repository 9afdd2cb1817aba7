import Foundation
import Support

/// How to treat bad records.
public struct ReadOptions: Sendable {
    /// Stop at the first bad record (throwing ``DataError/malformedRecord(_:)``) instead of
    /// skipping it and counting it.
    public var strict: Bool
    /// How many issues to keep for the report (all are counted).
    public var maxReportedIssues: Int

    public init(strict: Bool = false, maxReportedIssues: Int = 20) {
        self.strict = strict; self.maxReportedIssues = maxReportedIssues
    }
}

/// What one read did: nothing is dropped silently.
public struct ReadReport: Sendable, Equatable {
    /// The file or folder read.
    public var source: String
    /// Records decoded and accepted by the consumer.
    public var read = 0
    /// Records skipped because they were malformed or unusable.
    public var skipped = 0
    /// The first ``ReadOptions/maxReportedIssues`` problems found.
    public var issues: [RecordIssue] = []

    public init(source: String) { self.source = source }
}

/// Where a record came from, passed to the consumer for its own messages.
public struct RecordLocation: Sendable, Equatable {
    public var file: String
    public var line: Int
}

/// Streams records from JSON Lines files, a top-level JSON array (MetaMathQA-395K.json) or a
/// folder of one-record `.json` files (the MATH release), with bounded memory.
public enum RecordReader {
    /// Decodes every record of `path` as `T` and hands it to `body`.
    ///
    /// A record that does not decode, or for which `body` throws ``FieldError``, is skipped and
    /// counted (or stops the read when `options.strict`). Blank lines are ignored.
    /// - Returns: counts of read and skipped records with the first issues.
    /// - Throws: ``DataError`` when the input cannot be opened or, in strict mode, at the first
    ///   bad record; any other error thrown by `body`.
    public static func read<T: Decodable>(
        _ type: T.Type, from path: String, options: ReadOptions = ReadOptions(),
        _ body: (T, RecordLocation) throws -> Void
    ) throws -> ReadReport {
        var report = ReadReport(source: path)
        let decoder = JSONDecoder()
        func handle(_ bytes: [UInt8], file: String, line: Int) throws {
            do {
                let record = try decoder.decode(T.self, from: Data(bytes))
                try body(record, RecordLocation(file: file, line: line))
                report.read += 1
            } catch let error as DecodingError {
                try reject(describe(error, file: file, line: line), &report, options)
            } catch let error as FieldError {
                try reject(RecordIssue(file: file, line: line, field: error.field, message: error.message),
                           &report, options)
            }
        }

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.cannotOpen(path: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            for file in try jsonFiles(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw DataError.cannotOpen(path: file, reason: "not readable")
                }
                try handle([UInt8](data), file: file, line: 1)
            }
            return report
        }

        let shape: JSONLines.Shape
        do { shape = try JSONLines.shape(ofFileAt: path) } catch let error as ChunkedFileReader.OpenError {
            throw DataError.cannotOpen(path: path, reason: "not readable (\(error))")
        }
        if shape == .array {
            var scanner = JSONArrayElementScanner(reader: try ChunkedFileReader(path: path))
            var bytes: [UInt8] = []
            while let (line, ok) = try scanner.next(into: &bytes) {
                guard ok else {
                    try reject(RecordIssue(file: path, line: line, field: nil,
                                           message: "not a well-formed JSON array (expected '[' ... ']')"),
                               &report, options)
                    break
                }
                try handle(bytes, file: path, line: line)
            }
            return report
        }
        var lines = try JSONLinesFileReader(path: path)
        while let (line, bytes) = try lines.next() {
            try handle(bytes, file: path, line: line)
        }
        return report
    }

    /// Reads every record of `path` into memory (for small files such as fixtures and test sets).
    public static func readAll<T: Decodable>(
        _ type: T.Type, from path: String, options: ReadOptions = ReadOptions()
    ) throws -> (records: [T], report: ReadReport) {
        var records: [T] = []
        let report = try read(type, from: path, options: options) { r, _ in records.append(r) }
        return (records, report)
    }

    private static func reject(_ issue: RecordIssue, _ report: inout ReadReport, _ options: ReadOptions) throws {
        if options.strict { throw DataError.malformedRecord(issue) }
        report.skipped += 1
        if report.issues.count < options.maxReportedIssues { report.issues.append(issue) }
    }

    private static func jsonFiles(under folder: String) throws -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder) else {
            throw DataError.cannotOpen(path: folder, reason: "cannot list the folder")
        }
        var files: [String] = []
        while let rel = e.nextObject() as? String {
            if rel.hasSuffix(".json") { files.append(rel) }
        }
        // Sorted by path with numeric file names in numeric order (1.json, 2.json, 10.json).
        return files.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    /// A coding path as a dotted field path with indices, e.g. `label.steps[2].completions[0]`.
    public static func fieldPath(_ keys: [CodingKey]) -> String? {
        var s = ""
        for k in keys {
            if let i = k.intValue, k.stringValue.hasPrefix("Index") || k.stringValue == String(i) {
                s += "[\(i)]"
            } else {
                s += (s.isEmpty ? "" : ".") + k.stringValue
            }
        }
        return s.isEmpty ? nil : s
    }

    /// Turns a decoding error into an issue naming the field and what was expected.
    static func describe(_ error: DecodingError, file: String, line: Int) -> RecordIssue {
        let path = fieldPath
        switch error {
        case let .keyNotFound(key, ctx):
            return RecordIssue(file: file, line: line, field: path(ctx.codingPath + [key]),
                               message: "missing required field")
        case let .typeMismatch(type, ctx):
            return RecordIssue(file: file, line: line, field: path(ctx.codingPath),
                               message: "expected \(jsonTypeName(type))" + foundPart(ctx.debugDescription))
        case let .valueNotFound(type, ctx):
            return RecordIssue(file: file, line: line, field: path(ctx.codingPath),
                               message: "expected \(jsonTypeName(type)), found null")
        case let .dataCorrupted(ctx):
            let field = path(ctx.codingPath)
            return RecordIssue(file: file, line: line, field: field,
                               message: field == nil ? "not valid JSON" : ctx.debugDescription)
        @unknown default:
            return RecordIssue(file: file, line: line, field: nil, message: "\(error)")
        }
    }

    /// `, found an array` from Foundation's "Expected to decode X but found an array instead."
    /// (its own wording differs across platforms; anything else is kept after a semicolon).
    private static func foundPart(_ debugDescription: String) -> String {
        if let r = debugDescription.range(of: "found "), let end = debugDescription.range(of: " instead", range: r.upperBound..<debugDescription.endIndex) {
            return ", found " + debugDescription[r.upperBound..<end.lowerBound]
        }
        return debugDescription.hasPrefix("Expected to decode") || debugDescription.isEmpty ? "" : "; " + debugDescription
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let n = "\(type)"
            if n.hasPrefix("Array") { return "an array" }
            if n.hasPrefix("Dictionary") { return "an object" }
            return n
        }
    }
}
