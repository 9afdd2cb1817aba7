/// Errors of reading, converting and writing data, each naming what a user must fix.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A file or folder could not be opened or listed.
    case cannotOpen(path: String, reason: String)
    /// A record could not be read or converted (with `--strict`, or when it is fatal).
    case malformedRecord(RecordIssue)
    /// An output file could not be written.
    case cannotWrite(path: String, reason: String)
    /// An argument is out of range or inconsistent.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .malformedRecord(issue): return issue.description
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        case let .invalidArgument(message): return message
        }
    }
}

/// Where and why one record is unusable: file, line (1-based), field path and message.
public struct RecordIssue: Equatable, Sendable, CustomStringConvertible {
    /// The file (as given by the user).
    public var file: String
    /// 1-based line where the record starts.
    public var line: Int
    /// Dotted field path, e.g. `label.steps[2].completions[0].rating`; nil for the whole line.
    public var field: String?
    /// What is wrong, with the expected and found values where known.
    public var message: String

    public init(file: String, line: Int, field: String?, message: String) {
        self.file = file; self.line = line; self.field = field; self.message = message
    }

    public var description: String {
        "\(file):\(line): " + (field.map { "field '\($0)': " } ?? "") + message
    }
}

/// Thrown by a record converter for a record that decodes but cannot be used; the reader adds
/// the file and line and then skips the record (default) or stops (`strict`).
public struct FieldError: Error, Equatable, Sendable {
    /// Dotted field path, e.g. `level`.
    public var field: String?
    /// What is wrong.
    public var message: String

    public init(field: String?, _ message: String) {
        self.field = field; self.message = message
    }
}
