/// What a data command did: records read, skipped and written, with the reasons for drops.
/// Nothing is dropped silently: every record read is either written or counted in `dropped`.
public struct PipelineReport: Sendable, Equatable {
    /// One report per input read.
    public var reads: [ReadReport] = []
    /// Records written, per output path, in the order written.
    public var written: [(path: String, count: Int)] = []
    /// Records read but deliberately not written, by reason.
    public var dropped: [String: Int] = [:]
    /// Other counts worth printing (e.g. unrated completions), by name.
    public var notes: [String: Int] = [:]

    public init() {}

    public static func == (a: PipelineReport, b: PipelineReport) -> Bool {
        a.reads == b.reads && a.dropped == b.dropped && a.notes == b.notes
            && a.written.map(\.path) == b.written.map(\.path) && a.written.map(\.count) == b.written.map(\.count)
    }

    /// Total records skipped as malformed over all inputs.
    public var skipped: Int { reads.reduce(0) { $0 + $1.skipped } }

    /// Human-readable lines: counts first, then the first issues.
    public func render() -> String {
        var lines: [String] = []
        for r in reads {
            lines.append("read \(r.read) records from \(r.source), skipped \(r.skipped) malformed")
        }
        for (reason, n) in dropped.sorted(by: { $0.key < $1.key }) {
            lines.append("dropped \(n): \(reason)")
        }
        for (name, n) in notes.sorted(by: { $0.key < $1.key }) {
            lines.append("\(name): \(n)")
        }
        for w in written {
            lines.append("wrote \(w.count) records to \(w.path)")
        }
        let issues = reads.flatMap(\.issues)
        if !issues.isEmpty {
            lines.append("first problems found:")
            lines += issues.prefix(10).map { "  " + $0.description }
        }
        return lines.joined(separator: "\n")
    }
}
