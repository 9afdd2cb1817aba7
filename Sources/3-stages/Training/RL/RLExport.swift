// The data RL builds, in TRL's dataset formats, so a 7b-scale run can be handed to a GPU trainer:
// ReST-EM's kept solutions as `{prompt, completion}` (SFTTrainer) and DPO's pairs as
// `{prompt, chosen, rejected}` (DPOTrainer), PPO's and GRPO's judged rollouts as
// `{prompt, completion, label}` (TRL's unpaired preference format, KTOTrainer) with their rewards,
// one file per iteration under `data/`.

import Foundation
import Support

/// A `{prompt, completion}` row (TRL's prompt-completion format).
public struct TRLCompletionRow: Codable, Sendable, Equatable {
    public var prompt: String
    public var completion: String
}

/// A `{prompt, chosen, rejected}` row (TRL's preference format).
public struct TRLPreferenceRow: Codable, Sendable, Equatable {
    public var prompt: String
    public var chosen: String
    public var rejected: String
}

/// A judged PPO / GRPO rollout: TRL's unpaired preference row (`prompt`, `completion`, `label`) with
/// the rewards it was trained on (extra columns, which TRL's trainers ignore). `label` is true when the
/// rollout's total reward is above the mean of its problem's rollouts in the iteration (the sign of
/// its group-relative advantage), so a group whose rewards are all equal labels nothing true.
public struct TRLScoredRolloutRow: Codable, Sendable, Equatable {
    public var prompt: String
    public var completion: String
    public var label: Bool
    /// Σ of the per-token rewards (process reward, outcome, penalties; no KL term).
    public var reward: Float
    /// The process reward's step rewards, in step order (empty without a reward model).
    public var stepRewards: [Float]
    /// Whether the grader found the answer right, where the method may know it (easy problems); else nil.
    public var outcome: Bool?

    enum CodingKeys: String, CodingKey {
        case prompt, completion, label, reward, outcome
        case stepRewards = "step_rewards"
    }

    /// The rows of one iteration's rollouts, labelled against their problem's mean reward.
    public static func rows(rollouts: [Rollout], problems: [RLProblem], rewards: [TokenRewards],
                            judgements: [RolloutJudgement]) -> [TRLScoredRolloutRow] {
        var sums: [Int: (Double, Int)] = [:]
        for (rollout, reward) in zip(rollouts, rewards) {
            let s = sums[rollout.problem] ?? (0, 0)
            sums[rollout.problem] = (s.0 + Double(reward.total), s.1 + 1)
        }
        return rollouts.indices.map { i in
            let r = rollouts[i], total = rewards[i].total
            let (sum, count) = sums[r.problem]!
            return TRLScoredRolloutRow(prompt: problems[r.problem].prompt, completion: r.text,
                                       label: Double(total) > sum / Double(count), reward: total,
                                       stepRewards: rewards[i].stepRewards, outcome: judgements[i].outcome)
        }
    }
}

extension RLTrainer {
    /// Writes `rows` to `data/iteration-<k+1>-<kind>.jsonl` atomically.
    func export<Row: Encodable>(_ rows: [Row], iteration k: Int, kind: String) throws {
        let folder = checkpoint.directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for row in rows { text += String(decoding: try encoder.encode(row), as: UTF8.self) + "\n" }
        try AtomicFile.write(Data(text.utf8), to: folder.appendingPathComponent("iteration-\(k + 1)-\(kind).jsonl"))
    }
}
