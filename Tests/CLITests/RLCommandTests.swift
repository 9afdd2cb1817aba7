import Foundation
import Testing

/// `e2h rl` refuses bad input with a message naming the setting, and writes nothing.
@Suite("e2h rl bad input")
struct RLCommandTests {
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-rl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: [
        (["--algo", "ppo", "--clip", "0"], "clip"),
        (["--algo", "ppo", "--beta", "-0.5"], "beta"),
        (["--algo", "grpo", "--group-size", "1"], "group-size"),
        (["--algo", "sarsa"], "--algo"),
        (["--algo", "ppo", "--reward", "vibes"], "--reward"),
        (["--algo", "rest", "--rest-threshold", "1.5"], "rest-threshold"),
        (["--algo", "dpo", "--reward", "outcome"], "dpo-margin"),
        (["--algo", "dpo", "--dpo-nll", "-1"], "dpo-nll"),
    ])
    func badSettingsAreNamed(arguments: [String], setting: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runE2H(["rl", "--run", dir.path] + arguments)
        #expect(result.status != 0)
        #expect(result.err.contains(setting), "\(result.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "something was written")
    }

    @Test func aDirectoryWithoutTheRunsModelsIsRefusedAndNothingIsWritten() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try runE2H(["rl", "--algo", "grpo", "--run", dir.path])
        #expect(empty.status != 0 && empty.err.contains("config.json"), "\(empty.err)")
        // A run directory with its config but no SFT policy or reward model.
        let run = try runE2H(["run", "--quick", "--out", dir.path, "--until", "data"])
        #expect(run.status == 0, "\(run.err)")
        let before = try FileManager.default.subpathsOfDirectory(atPath: dir.path).sorted()
        let noPolicy = try runE2H(["rl", "--algo", "ppo", "--run", dir.path])
        #expect(noPolicy.status != 0 && noPolicy.err.contains("policy/sft"), "\(noPolicy.err)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: dir.path).sorted() == before)
    }

    /// `e2h run --quick --rl grpo`: the RL stage after the reward models, its policy's N samples
    /// scored by the PRM, and the report's RL rows and sign tests; a second invocation redoes nothing.
    @Test func theRunsRLStageReportsTheRLPolicyBesideTheSFTPolicy() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try runE2H(["run", "--quick", "--no-reference", "--rl", "grpo", "--out", dir.path])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("RL policy grpo-prm-all against the SFT policy, N = 4"), "\(first.out)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any])
        let rl = try #require(summary["rl"] as? [String: Any])
        let rows = try #require(rl["results"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["model"] as? String }) == ["sft", "rl-grpo-prm-all"])
        #expect(rows.allSatisfy { ($0["n"] as? Int) == 4 })
        let weighted = try #require(rl["hard_weighted_voting_rl_vs_sft"] as? [String: Any])
        #expect(weighted["problems"] as? Int == 12)
        // Greedy accuracy of both policies (the first figure) and its hard sign test.
        let greedy = try #require(rl["greedy"] as? [String: Any])
        for policy in ["sft", "rl"] {
            let accuracy = try #require(greedy[policy] as? [String: Double])
            #expect(accuracy.keys.sorted() == ["all", "easy", "hard"] && accuracy.values.allSatisfy { (0...100).contains($0) })
        }
        let wins = try #require(greedy["hard_wins"] as? Int), losses = try #require(greedy["hard_losses"] as? Int)
        #expect(wins + losses <= 12)
        #expect(first.out.contains("greedy (one sample, temperature 0) easy / hard / all: sft "), "\(first.out)")
        #expect((rl["verdict"] as? String)?.contains("greedy ") == true)
        for file in ["rl/grpo-prm-all/policy/bundle.json", "rl/grpo-prm-all/metrics.jsonl", "rl/grpo-prm-all/training.svg",
                     "test/rl-grpo-prm-all-scored-prm.jsonl", "report/rl-grpo-prm-all/index.html", "report/sft-n4/index.html",
                     "stages/rl-grpo-prm-all.done", "stages/rl-grpo-prm-all-test.done", "rl/grpo-prm-all/evaluation.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
        let samples = try String(contentsOf: dir.appendingPathComponent("test/rl-grpo-prm-all-scored-prm.jsonl"), encoding: .utf8)
        #expect(samples.split(separator: "\n").count == 30 * 4)
        let again = try runE2H(["run", "--quick", "--no-reference", "--rl", "grpo", "--out", dir.path])
        #expect(again.status == 0 && !again.err.contains("[rl]"), "\(again.err)")
        #expect(again.out.contains(rl["verdict"] as? String ?? "?"))

        // The paper's baseline on the same run: outcome rewards on easy problems only, compared
        // with the PRM policy problem by problem from the two policies' greedy verdicts.
        let baseline = try runE2H(["run", "--quick", "--no-reference", "--rl", "grpo", "--rl-baseline", "--out", dir.path])
        #expect(baseline.status == 0, "\(baseline.err)")
        #expect(!baseline.err.contains("[rl] grpo from the SFT policy with the prm reward"), "the first policy is not trained again")
        let both = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any])
        let base = try #require(both["rl_baseline"] as? [String: Any])
        #expect(base["name"] as? String == "grpo-outcome-easy")
        let comparison = try #require(both["rl_vs_baseline"] as? [String: Any])
        #expect(comparison["rl"] as? String == "grpo-prm-all" && comparison["baseline"] as? String == "grpo-outcome-easy")
        func verdicts(_ name: String) throws -> [String: Bool] {
            try JSONDecoder().decode([String: Bool].self, from: Data(contentsOf: dir.appendingPathComponent("rl/\(name)/greedy.json")))
        }
        let prm = try verdicts("grpo-prm-all"), outcome = try verdicts("grpo-outcome-easy")
        let hardIDs = try String(contentsOf: dir.appendingPathComponent("data/test.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { ($0["level"] as? Int ?? 0) >= 4 }.compactMap { $0["id"] as? String }
        #expect(hardIDs.count == 12 && prm.count == 30 && outcome.count == 30)
        let greedyCounts = try #require(comparison["greedy"] as? [String: Any])
        #expect(greedyCounts["wins"] as? Int == hardIDs.filter { prm[$0] == true && outcome[$0] != true }.count)
        #expect(greedyCounts["losses"] as? Int == hardIDs.filter { prm[$0] != true && outcome[$0] == true }.count)
        #expect((comparison["majority"] as? [String: Any])?["problems"] as? Int == 12)
        #expect(baseline.out.contains("RL grpo-prm-all against the baseline grpo-outcome-easy, 12 hard problems: greedy wins"), "\(baseline.out)")
        #expect(baseline.out.contains("RL policy grpo-outcome-easy against the SFT policy"), "\(baseline.out)")
        let refused = try runE2H(["run", "--quick", "--no-reference", "--rl-baseline", "--out", dir.path])
        #expect(refused.status != 0 && refused.err.contains("--rl-baseline needs --rl"), "\(refused.err)")
    }
}
