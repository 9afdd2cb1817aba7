// Process reward models behind vLLM's `/pooling` API (REFERENCE.md section 3): how a solution is
// written for each family, and how the returned class probabilities become step scores (logits,
// as local scoring writes them: the aggregation is chosen at re-ranking time).

import Foundation

/// The families of process reward models a pooling server can score with.
public enum PRMStyle: String, CaseIterable, Codable, Sendable {
    /// Qwen2.5-Math-PRM: a chat prompt, `<extra_0>` after each step; step reward = class 1.
    case qwen
    /// Math-Shepherd PRMs: `{question} {step} ки\n{step} ки...`, STEP pooling over the tag with
    /// returned tokens ["+", "-"]; step reward = class 0.
    case mathShepherd = "math-shepherd"
    /// `e2h serve` reward models: the paper's format; class 1 = sigmoid(logit).
    case e2h

    /// The class whose probability is the step's reward.
    public var positiveIndex: Int { self == .mathShepherd ? 0 : 1 }

    /// The system prompt of Qwen2.5-Math-PRM's model card.
    public static let qwenSystem = "Please reason step by step, and put your final answer within \\boxed{}."

    /// The text to pool for a solution.
    /// - Parameters:
    ///   - steps: the steps, the answer step last (one score comes back per entry).
    ///   - paperText: the whole text in the paper's format (``e2h`` only).
    public func input(problem: String, steps: [String], paperText: String) -> String {
        switch self {
        case .qwen:
            "<|im_start|>system\n\(Self.qwenSystem)<|im_end|>\n<|im_start|>user\n\(problem)<|im_end|>\n"
                + "<|im_start|>assistant\n" + steps.map { $0 + "<extra_0>" }.joined() + "<|im_end|>\n"
        case .mathShepherd:
            problem + " " + steps.map { $0.replacingOccurrences(of: "ки", with: "") + " ки" }.joined(separator: "\n")
        case .e2h:
            paperText
        }
    }

    /// Step logits log(p / (1 - p)) of pooled rows, p the positive class; two classes give
    /// log(p_pos) - log(p_neg), exact even where p rounds to 1. Probabilities are clamped to
    /// [1e-30, 1] so a 0 gives a large finite score, not infinity.
    /// - Throws: ``ClientError`` for an empty row or a row without the positive class.
    public func logits(rows: [[Double]]) throws -> [Float] {
        try rows.enumerated().map { i, row in
            func clamp(_ p: Double) -> Double { min(1, max(1e-30, p.isFinite ? p : 0)) }
            if row.count >= 2, positiveIndex < 2 {
                return Float(log(clamp(row[positiveIndex])) - log(clamp(row[1 - positiveIndex])))
            }
            guard row.count == 1 else {
                throw ClientError(status: 200, message: "pooled row \(i) has \(row.count) classes; the \(rawValue) style reads class \(positiveIndex)",
                                  path: "/pooling", attempts: 1)
            }
            let p = clamp(row[0])
            return Float(log(p) - log(clamp(1 - p)))
        }
    }
}
