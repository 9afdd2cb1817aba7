/// Errors of re-ranking, each with a message a user can act on (file, line, field, expected vs found).
public enum RerankError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A record of an input file is invalid.
    case invalidRecord(file: String, line: Int, message: String)
    /// The input as a whole cannot be re-ranked (no problems, no samples, ...).
    case invalidInput(String)
    /// An option is out of range or unknown.
    case invalidOption(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .invalidRecord(let file, let line, let message): return "\(file):\(line): \(message)"
        case .invalidInput(let m): return "invalid input: \(m)"
        case .invalidOption(let m): return "invalid option: \(m)"
        case .io(let m): return m
        }
    }
}
