import Datasets
import Experiment
import Foundation
import Testing
import Training

/// `e2h run` with a `sampler` section: the policy is served (`e2h serve` on loopback) and every
/// policy sample comes from the server; the rest of the run is local.
@Suite struct RemotePolicyRunTests {
    /// The quick run with the evaluator starting from the pretrained model (what a remote policy needs).
    func quickConfig() -> ExperimentConfig {
        var config = ExperimentConfig.quick
        config.evaluatorStart = .pretrained
        config.fullSupervisionReference = true
        return config
    }

    @Test func aServedPolicyGivesTheLocalRunsSamplesAndTheRestOfTheRunRuns() async throws {
        let local = temporaryDirectory("run-local"), remote = temporaryDirectory("run-remote")
        let config = quickConfig()
        try await onThread {
            _ = try Experiment(config: config, directory: local, quiet: true) { _ in }.run(until: .rewardData)
        }
        let lines = LogBox()
        try await withServer(model: local.appendingPathComponent("policy/sft")) { base, _ in
            var sampler = RemoteSamplerConfig(endpoint: base, model: "tiny")
            sampler.maxNPerRequest = 3  // 8 samples per test problem in three requests: seeds carry the offset
            sampler.concurrency = 4
            let remoteConfig = { var c = config; c.sampler = sampler; return c }()
            try await onThread {
                let summary = try Experiment(config: remoteConfig, directory: remote, quiet: true) { lines.add($0) }.runAll()
                #expect(!summary.results.isEmpty)
            }
        }
        // No policy of its own; the pretrained model is there (the evaluator starts from it).
        #expect(!FileManager.default.fileExists(atPath: remote.appendingPathComponent("policy/sft").path))
        #expect(FileManager.default.fileExists(atPath: remote.appendingPathComponent("policy/pretrain/bundle.json").path))
        #expect(lines.lines.contains { $0.contains("the policy is the remote model tiny") })
        for file in ["reward-data/easy.jsonl", "reward-data/hard-reference.jsonl", "test/samples.jsonl"] {
            let a = try String(contentsOf: local.appendingPathComponent(file), encoding: .utf8)
            let b = try String(contentsOf: remote.appendingPathComponent(file), encoding: .utf8)
            #expect(!a.isEmpty)
            #expect(a == b, "\(file) differs between local sampling and the served policy")
        }
        for file in ["remote/easy.jsonl", "remote/hard-reference.jsonl", "remote/test.jsonl", "summary.json",
                     "test/scored-prm.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: remote.appendingPathComponent(file).path), "\(file) missing")
        }
        // RL needs the policy's weights: refused, naming why, nothing written.
        let refusal = errorText { _ = try runRL(run: remote, name: nil, config: RLConfig.quick(.grpo), problemScope: .all) { _ in } }
        #expect(refusal.contains("e2h rl trains the policy's weights") && refusal.contains("sampler"), "\(refusal)")
        #expect(!FileManager.default.fileExists(atPath: remote.appendingPathComponent("rl").path))
    }

    @Test func theSectionIsCheckedByKey() throws {
        let base = quickConfig()
        func overlay(_ json: String) throws -> ExperimentConfig { try base.overlaid(with: Data(json.utf8), source: "c.json") }
        let config = try overlay(#"{"sampler": {"endpoint": "http://127.0.0.1:8000", "model": "m", "concurrency": 4}}"#)
        #expect(config.sampler?.concurrency == 4)
        #expect(config.sampler?.maxNPerRequest == 16)
        #expect(config.sampler?.maxTokens == nil)
        try config.sampler?.validate(in: config)
        let missing = errorText { _ = try overlay(#"{"sampler": {"endpoint": "http://x:1"}}"#) }
        #expect(missing.contains("missing key \"sampler.model\""), "\(missing)")
        let unknown = errorText { _ = try overlay(#"{"sampler": {"endpoint": "http://x:1", "model": "m", "conurrency": 4}}"#) }
        #expect(unknown.contains("conurrency") && unknown.contains("known: endpoint"), "\(unknown)")
        let wrongType = errorText { _ = try overlay(#"{"sampler": {"endpoint": "http://x:1", "model": "m", "concurrency": "4"}}"#) }
        #expect(wrongType.contains("sampler.concurrency"), "\(wrongType)")
        var bad = config
        bad.sampler?.concurrency = 0
        let zero = errorText { try bad.sampler?.validate(in: bad) }
        #expect(zero.contains("sampler.concurrency: 0"), "\(zero)")
        bad = config
        bad.sampler?.endpoint = "localhost:8000"
        let noScheme = errorText { try bad.sampler?.validate(in: bad) }
        #expect(noScheme.contains("sampler.endpoint"), "\(noScheme)")
        // RL needs the policy's weights locally.
        bad = config
        bad.rl = RunRLSettings()
        let withRL = errorText { try bad.sampler?.validate(in: bad) }
        #expect(withRL.contains("sampler") && withRL.contains("\"rl\""), "\(withRL)")
        // The evaluator cannot start from a policy the run does not have; refused before anything is written.
        bad = config
        bad.evaluatorStart = .policy
        let directory = temporaryDirectory("run-refused")
        let policyStart = errorText { _ = try Experiment(config: bad, directory: directory) { _ in } }
        #expect(policyStart.contains("\"evaluatorStart\": \"pretrained\""), "\(policyStart)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path))
    }

    @Test func withoutASamplerTheConfigIsWrittenAsBefore() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(ExperimentConfig()), as: UTF8.self)
        #expect(!text.contains("sampler"))
        let decoded = try JSONDecoder().decode(ExperimentConfig.self, from: Data(text.utf8))
        #expect(decoded == ExperimentConfig())
    }
}

/// The description of the error `body` throws ("" when it throws none).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

/// Runs blocking work (an `Experiment`, which waits on its own remote requests) on a thread of its
/// own, never on the cooperative pool the server's handlers need.
func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let thread = Thread {
            do { try body(); continuation.resume() } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
}
