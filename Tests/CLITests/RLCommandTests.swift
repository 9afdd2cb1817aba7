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
}
