import Grading

/// A problem of MATH (Hendrycks et al.) or of PRM800K's `math_splits`, as published (also reads
/// the project's own ``Problem`` records).
///
/// MATH: `{problem, level: "Level 3", type: "Algebra", solution}` (one file per problem, or
/// JSON Lines). PRM800K math_splits: `{problem, solution, answer, subject, level: 3, unique_id}`.
public struct MATHRecord: Decodable, Sendable {
    public var problem: String
    public var solution: String?
    public var answer: String?
    public var subject: String?
    /// MATH's name for the subject.
    public var type: String?
    /// The level as published: an integer or `"Level N"` (MATH also has `"Level ?"`).
    public var level: LevelField
    public var uniqueID: String?
    /// The project's own ``Problem`` id (so this type reads all three problem shapes).
    public var id: String?

    enum CodingKeys: String, CodingKey {
        case problem, solution, answer, subject, type, level, uniqueID = "unique_id", id
    }

    /// A level that may be written as `3` or `"Level 3"`.
    public enum LevelField: Decodable, Sendable, Equatable {
        case number(Int)
        case text(String)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) {
                self = .number(n)
            } else if let t = try? c.decode(String.self) {
                self = .text(t)
            } else {
                throw DecodingError.typeMismatch(Int.self, .init(
                    codingPath: c.codingPath, debugDescription: "a level is written 3 or \"Level 3\""))
            }
        }

        /// The level 1...5, or nil (e.g. `"Level ?"`).
        public var value: Int? {
            switch self {
            case let .number(n): return (1...5).contains(n) ? n : nil
            case let .text(t):
                let digits = t.hasPrefix("Level ") ? String(t.dropFirst(6)) : t
                return Int(digits).flatMap { (1...5).contains($0) ? $0 : nil }
            }
        }
    }

    /// The record as a ``Problem``.
    ///
    /// The id is `unique_id` (or the project's `id`), else the last three path components of a MATH file
    /// (`test/algebra/1.json`, the form PRM800K uses), else `{file name}:{line}`. The answer is
    /// `answer`, else the last `\boxed{}` of the solution (via the grader's extraction).
    /// - Throws: ``FieldError`` for a level outside 1...5, or no subject or answer.
    public func problem(at location: RecordLocation) throws -> Problem {
        guard let lvl = level.value else {
            throw FieldError(field: "level", "expected 1...5 or \"Level 1\"...\"Level 5\", found \(level)")
        }
        guard let subj = subject ?? type else {
            throw FieldError(field: "subject", "missing: neither 'subject' nor 'type' is present")
        }
        var ans = answer
        if ans == nil, let sol = solution, let e = extractAnswer(from: sol), e.rule == .boxed || e.rule == .answerHeader {
            ans = e.text
        }
        guard let finalAnswer = ans else {
            throw FieldError(field: solution == nil ? "answer" : "solution",
                             "no answer: no 'answer' field and no \\boxed{...} in the solution")
        }
        return Problem(id: uniqueID ?? id ?? Self.defaultID(location), problem: problem, level: lvl,
                       subject: subj, answer: finalAnswer, solution: solution)
    }

    static func defaultID(_ location: RecordLocation) -> String {
        let parts = location.file.split(separator: "/")
        if location.file.hasSuffix(".json"), parts.count >= 3 {
            return parts.suffix(3).joined(separator: "/")
        }
        return "\(parts.last.map(String.init) ?? location.file):\(location.line)"
    }
}
