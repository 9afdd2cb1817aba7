// The one way every command reads a set of difficulty levels (`--levels 1-3`, `--easy 1,2,3`,
// `--hard 4`): ranges, lists, or both (`1-2,5`).

/// A set of difficulty levels (positive integers), parsed from `"4"`, `"1-3"`, `"1...3"`,
/// `"1,2,3"` or a mix such as `"1-2,5"`. Encodes as its text form (`"1-3"`).
public struct LevelSet: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The levels, ascending and distinct.
    public let levels: [Int]

    /// Highest level a set may name (guards against `1-1000000000` allocating a huge set).
    public static let maximumLevel = 1_000

    public init<S: Sequence>(_ levels: S) where S.Element == Int {
        self.levels = Array(Set(levels)).sorted()
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    /// Parses the text form.
    /// - Throws: ``LevelSetError`` naming the text and what is wrong with it.
    public init(parsing text: String) throws {
        var out: [Int] = []
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        for raw in parts {
            let part = raw.replacingOccurrences(of: "...", with: "-").trimmingSpaces
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingSpaces) }
            let low: Int, high: Int
            if ends.count == 1, let a = ends[0] {
                (low, high) = (a, a)
            } else if ends.count == 2, let a = ends[0], let b = ends[1] {
                guard a <= b else { throw LevelSetError(text: text, reason: "the range \(part) runs backwards") }
                (low, high) = (a, b)
            } else {
                throw LevelSetError(text: text, reason: "expected levels like 4, 1-3 or 1,2,3")
            }
            guard low >= 1, high <= Self.maximumLevel else {
                throw LevelSetError(text: text, reason: "levels are whole numbers from 1 to \(Self.maximumLevel)")
            }
            out.append(contentsOf: low...high)
        }
        self.init(out)
    }

    public func contains(_ level: Int) -> Bool { levels.contains(level) }
    public var isEmpty: Bool { levels.isEmpty }
    public var asSet: Set<Int> { Set(levels) }
    public func isDisjoint(with other: LevelSet) -> Bool { asSet.isDisjoint(with: other.asSet) }

    /// The shortest text form: runs of consecutive levels as `a-b`, joined by commas.
    public var description: String {
        var pieces: [String] = []
        var i = 0
        while i < levels.count {
            var j = i
            while j + 1 < levels.count, levels[j + 1] == levels[j] + 1 { j += 1 }
            pieces.append(i == j ? "\(levels[i])" : "\(levels[i])-\(levels[j])")
            i = j + 1
        }
        return pieces.joined(separator: ",")
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([Int].self) {
            self.init(list)
        } else {
            do {
                try self.init(parsing: try container.decode(String.self))
            } catch let error as LevelSetError {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A level list that does not parse.
public struct LevelSetError: Error, CustomStringConvertible, Equatable {
    public var text: String
    public var reason: String
    public var description: String { "levels '\(text)': \(reason)" }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
