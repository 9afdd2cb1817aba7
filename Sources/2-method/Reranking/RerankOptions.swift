import Foundation
import Support

/// The re-ranking methods (PAPER.md, "Re-ranking").
public enum RerankMethod: String, CaseIterable, Codable, Sendable {
    /// The most frequent answer group wins.
    case majority
    /// The answer of the single highest-scoring solution.
    case bestOfN = "best_of_n"
    /// Each group weighs the sum of its solutions' scores (probabilities, no softmax); the heaviest wins.
    case weightedVoting = "weighted_voting"
    /// Oracle: correct when any of the N solutions is correct (the ceiling of every re-ranker).
    case passAtN = "pass_at_n"

    /// Whether the method needs scores (and so has one curve per aggregation).
    public var usesScores: Bool { self == .bestOfN || self == .weightedVoting }

    /// A short name for tables and legends.
    public var label: String {
        switch self {
        case .majority: return "majority"
        case .bestOfN: return "best-of-N"
        case .weightedVoting: return "weighted"
        case .passAtN: return "pass@N"
        }
    }
}

/// Settings of one re-ranking run. Defaults follow the paper.
public struct RerankOptions: Codable, Sendable, Equatable {
    /// Subsampling trials per N (the PRM800K reference uses 400); one trial at N = pool size.
    public var trials: Int = 100
    /// Seed of the trials (each problem draws from its own stream, see ``SeededGenerator``).
    public var seed: UInt64 = 0
    /// Levels of the "easy" group (paper: 1-3).
    public var easyLevels: [Int] = [1, 2, 3]
    /// Levels of the "hard" group (paper: 4-5).
    public var hardLevels: [Int] = [4, 5]
    /// Aggregations of step scores to evaluate (all seven by default).
    public var aggregations: [Aggregation] = Aggregation.allCases
    /// Largest N of the curves; nil = the smallest pool size.
    public var maxN: Int? = nil
    /// A step with probability below this is predicted wrong (first-error-step diagnostics).
    public var errorThreshold: Double = 0.5
    /// Drop invalid records and count them in the summary instead of stopping at the first one.
    public var skipInvalid: Bool = false
    /// Worker threads; nil = all cores. Results do not depend on it.
    public var threads: Int? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case trials, seed, easyLevels = "easy_levels", hardLevels = "hard_levels", aggregations
        case maxN = "max_n", errorThreshold = "error_threshold", skipInvalid = "skip_invalid"
    }

    /// Throws when a setting is out of range.
    public func validate() throws {
        if trials < 1 { throw RerankError.invalidOption("trials must be at least 1, found \(trials)") }
        if let m = maxN, m < 1 { throw RerankError.invalidOption("max N must be at least 1, found \(m)") }
        if aggregations.isEmpty { throw RerankError.invalidOption("choose at least one aggregation") }
        if Set(aggregations).count != aggregations.count {
            throw RerankError.invalidOption("aggregations listed twice: \(aggregations.map(\.rawValue))")
        }
        if !Set(easyLevels).isDisjoint(with: hardLevels) {
            throw RerankError.invalidOption("easy levels \(easyLevels) and hard levels \(hardLevels) overlap")
        }
        if !(errorThreshold > 0 && errorThreshold < 1) {
            throw RerankError.invalidOption("error threshold must lie strictly between 0 and 1, found \(errorThreshold)")
        }
        if let t = threads, t < 1 { throw RerankError.invalidOption("threads must be at least 1, found \(t)") }
    }

    /// Parses a level list (``LevelSet``: `"3"`, `"1-3"`, `"1,2,5"`).
    public static func parseLevels(_ text: String) throws -> [Int] {
        do { return try LevelSet(parsing: text).levels } catch let error as LevelSetError {
            throw RerankError.invalidOption(error.description)
        }
    }
}
