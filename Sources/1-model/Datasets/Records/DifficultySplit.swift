import Foundation
import Support

/// The easy/hard split by level (paper: easy = levels 1-3, hard = 4-5; configurable).
public struct DifficultySplit: Codable, Equatable, Sendable {
    /// Levels whose problems are "easy": the only ones with supervision.
    public var easyLevels: LevelSet
    /// Levels whose problems are "hard".
    public var hardLevels: LevelSet

    /// - Throws: ``DataError/invalidArgument(_:)`` when the sets overlap.
    public init(easyLevels: LevelSet = [1, 2, 3], hardLevels: LevelSet = [4, 5]) throws {
        guard easyLevels.isDisjoint(with: hardLevels) else {
            throw DataError.invalidArgument("easy levels \(easyLevels) and hard levels \(hardLevels) overlap")
        }
        self.easyLevels = easyLevels
        self.hardLevels = hardLevels
    }

    /// A split of two level ranges.
    public init(easyLevels: ClosedRange<Int>, hardLevels: ClosedRange<Int>) throws {
        try self.init(easyLevels: LevelSet(easyLevels), hardLevels: LevelSet(hardLevels))
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

    /// Parses a level list (``LevelSet``: `"3"`, `"1-3"`, `"1,2,3"`).
    /// - Throws: ``DataError/invalidArgument(_:)`` for anything else.
    public static func parseLevels(_ text: String) throws -> LevelSet {
        do { return try LevelSet(parsing: text) } catch let error as LevelSetError {
            throw DataError.invalidArgument(error.description)
        }
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
