import Foundation

/// How the step probabilities p_1..p_k of one solution become one solution score (PAPER.md,
/// "Reward models"). p_i = sigmoid(x_i) of the raw step logits x_i; the last entry is the final
/// answer's score.
public enum Aggregation: String, CaseIterable, Codable, Sendable {
    /// min_i p_i (the paper's best for best-of-N).
    case min
    /// max_i p_i.
    case max
    /// prod_i p_i (the paper's best for weighted voting).
    case prod
    /// mean_i p_i.
    case mean
    /// sigmoid(mean_i logit p_i) = sigmoid(mean_i x_i).
    case meanLogit = "mean_logit"
    /// relu(mean_i p_i / (1 - p_i)) = mean_i exp(x_i) (always positive, so relu is a no-op).
    case meanOdd = "mean_odd"
    /// p_k, the final answer's probability (an outcome reward model's reading).
    case last

    /// Parses a comma-separated list (`"min,prod"`, or `"all"`).
    /// - Throws: ``RerankError/invalidOption(_:)`` naming an unknown aggregation.
    public static func parseList(_ text: String) throws -> [Aggregation] {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "all" { return allCases }
        var out: [Aggregation] = []
        for part in t.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let a = Aggregation(rawValue: name) else {
                throw RerankError.invalidOption("unknown aggregation '\(name)'; expected some of "
                    + allCases.map(\.rawValue).joined(separator: ", ") + " (or all)")
            }
            if !out.contains(a) { out.append(a) }
        }
        if out.isEmpty { throw RerankError.invalidOption("no aggregation given") }
        return out
    }
}

/// All seven aggregations of one logit list, computed in one pass.
public struct AggregatedScores: Equatable, Sendable {
    public var min = 0.0, max = 0.0, prod = 0.0, mean = 0.0, meanLogit = 0.0, meanOdd = 0.0, last = 0.0

    /// Aggregates raw logits (at least one, all finite; the caller validates).
    ///
    /// `prod` multiplies the probabilities (relative error of a few ulps per step; it underflows
    /// to 0 only below 1e-308, as exp(sum log p_i) would). `mean_odd` uses p/(1-p) = e^x, which is
    /// exact where 1 - p would round to 0, and overflows to +inf only for logits above ~709.
    public init(logits: UnsafeBufferPointer<Double>) {
        precondition(!logits.isEmpty, "at least one step score")
        var lo = Double.infinity, hi = -Double.infinity
        var sumP = 0.0, product = 1.0, sumX = 0.0, sumOdds = 0.0
        for x in logits {
            // One exp per step: e = e^-|x| gives p (accurate on both tails) and the odds e^x.
            let e = exp(-Swift.abs(x))
            let p = x >= 0 ? 1 / (1 + e) : e / (1 + e)
            lo = Swift.min(lo, p); hi = Swift.max(hi, p)
            sumP += p
            product *= p
            sumX += x
            sumOdds += x >= 0 ? 1 / e : e
        }
        let k = Double(logits.count)
        min = lo; max = hi
        prod = product
        mean = sumP / k
        meanLogit = sigmoid(sumX / k)
        meanOdd = Swift.max(0, sumOdds / k)
        last = sigmoid(logits[logits.count - 1])
    }

    /// Aggregates raw logits given as an array.
    public init(logits: [Double]) {
        self = logits.withUnsafeBufferPointer { AggregatedScores(logits: $0) }
    }

    /// The value of one aggregation.
    public subscript(_ a: Aggregation) -> Double {
        switch a {
        case .min: return min
        case .max: return max
        case .prod: return prod
        case .mean: return mean
        case .meanLogit: return meanLogit
        case .meanOdd: return meanOdd
        case .last: return last
        }
    }
}

/// 1 / (1 + e^-x), accurate on both tails.
@inline(__always)
func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}
