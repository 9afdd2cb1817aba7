import Foundation

/// The easy/hard split by level (paper: easy = levels 1-3, hard = 4-5; configurable).
public struct DifficultySplit: Codable, Equatable, Sendable {
    /// Levels whose problems are "easy": the only ones with supervision.
    public var easyLevels: ClosedRange<Int>
    /// Levels whose problems are "hard".
    public var hardLevels: ClosedRange<Int>

    /// - Throws: ``DataError/invalidArgument(_:)`` when the ranges overlap.
    public init(easyLevels: ClosedRange<Int> = 1...3, hardLevels: ClosedRange<Int> = 4...5) throws {
        guard !easyLevels.overlaps(hardLevels) else {
            throw DataError.invalidArgument("easy levels \(easyLevels) and hard levels \(hardLevels) overlap")
        }
        self.easyLevels = easyLevels
        self.hardLevels = hardLevels
    }

    /// The paper's split: easy 1-3, hard 4-5.
    public static var paper: DifficultySplit {
        // 1...3 and 4...5 do not overlap.
        try! DifficultySplit()
    }

    /// Which side a level is on (nil: neither).
    public func side(ofLevel level: Int) -> Side? {
        if easyLevels.contains(level) { return .easy }
        if hardLevels.contains(level) { return .hard }
        return nil
    }

    public enum Side: String, Codable, Sendable { case easy, hard }

    /// Parses `"3"`, `"1-3"` or `"1...3"`.
    /// - Throws: ``DataError/invalidArgument(_:)`` for anything else.
    public static func parseLevels(_ text: String) throws -> ClosedRange<Int> {
        let t = text.replacingOccurrences(of: "...", with: "-")
        let parts = t.split(separator: "-", omittingEmptySubsequences: false).map { Int(String($0).trimmingSpaces) }
        if parts.count == 1, let a = parts[0] { return a...a }
        if parts.count == 2, let a = parts[0], let b = parts[1], a <= b { return a...b }
        throw DataError.invalidArgument("levels must look like '3' or '1-3', found '\(text)'")
    }
}

/// Problems indexed by id and by normalized text: attaches levels to records that have only the
/// problem text (PRM800K labels), and keeps a test set (MATH500) out of training data.
public struct ProblemIndex: Sendable {
    private var byText: [String: Problem] = [:]
    private var ids: Set<String> = []

    public init(_ problems: [Problem]) {
        for p in problems {
            byText[Self.normalize(p.problem)] = p
            ids.insert(p.id)
        }
    }

    /// Number of distinct problem texts.
    public var count: Int { byText.count }

    /// The problem with this text (whitespace-insensitive), if indexed.
    public func problem(withText text: String) -> Problem? { byText[Self.normalize(text)] }

    /// Whether a record with this id or this problem text is in the index.
    public func contains(id: String?, text: String) -> Bool {
        if let id, ids.contains(id) { return true }
        return byText[Self.normalize(text)] != nil
    }

    /// Text with runs of whitespace collapsed to one space and trimmed.
    public static func normalize(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
