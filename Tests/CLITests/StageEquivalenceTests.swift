import Foundation
import Testing

/// One implementation per stage: the stand-alone commands given the run's settings and files
/// write what `e2h run`'s stages write, byte for byte.
@Suite("Stages written once")
struct StageEquivalenceTests {
    @Test func trainPolicyWritesTheRunsPolicyBytes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-stage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path, policy = folder.appendingPathComponent("policy").path
        let stage = try runE2H(["run", "--quick", "--until", "policy", "--out", run])
        #expect(stage.status == 0, "\(stage.err)")
        // The quick setting's numbers (ExperimentConfig.quick): 2 x 64 model, pretraining 40 steps of
        // 4 documents at 3e-3, SFT 60 steps of 4 solutions at 1e-3 on levels 1-3, seed 1.
        let command = try runE2H([
            "train", "policy", "--solutions", "\(run)/data/train.jsonl", "--levels", "1-3",
            "--pretrain", "\(run)/data/pretrain.jsonl", "--pretrain-steps", "40", "--pretrain-batch", "4",
            "--pretrain-learning-rate", "3e-3", "--steps", "60", "--batch", "4", "--learning-rate", "1e-3",
            "--layers", "2", "--width", "64", "--heads", "4", "--context", "256", "--seed", "1", "--out", policy,
        ])
        #expect(command.status == 0, "\(command.err)")
        for (mine, theirs) in [("\(policy)/model.safetensors", "\(run)/policy/sft/model.safetensors"),
                               ("\(policy)/pretrain/model.safetensors", "\(run)/policy/pretrain/model.safetensors"),
                               ("\(policy)/bundle.json", "\(run)/policy/sft/bundle.json")] {
            let a = try Data(contentsOf: URL(fileURLWithPath: mine)), b = try Data(contentsOf: URL(fileURLWithPath: theirs))
            #expect(!a.isEmpty && a == b, "\(mine) differs from \(theirs)")
        }
        // A different seed must give other bytes (the comparison can fail).
        let other = try runE2H([
            "train", "policy", "--solutions", "\(run)/data/train.jsonl", "--levels", "1-3", "--steps", "5", "--batch", "4",
            "--layers", "2", "--width", "64", "--heads", "4", "--context", "256", "--seed", "2", "--out", policy + "-2",
        ])
        #expect(other.status == 0, "\(other.err)")
        let differs = try Data(contentsOf: URL(fileURLWithPath: "\(policy)-2/model.safetensors"))
            != Data(contentsOf: URL(fileURLWithPath: "\(run)/policy/sft/model.safetensors"))
        #expect(differs)
    }

    @Test func trainPolicyRefusesLevelsItCannotSelect() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-levels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("solutions.jsonl")
        try Data(#"{"id": "a", "problem": "1 + 1", "steps": ["1 + 1 = 2"], "answer": "2"}"#.utf8).write(to: file)
        let result = try runE2H(["train", "policy", "--solutions", file.path, "--levels", "1-3", "--steps", "1",
                                 "--out", folder.appendingPathComponent("out").path])
        #expect(result.status != 0)
        #expect(result.err.contains("solutions.jsonl") && result.err.contains("level"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/model.safetensors").path))
    }
}
