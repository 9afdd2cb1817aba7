import Experiment
import Foundation
import Testing

@Suite struct RunDirectoryTests {
    /// "holds a run with other settings" names each setting that differs, with both values.
    @Test func aRunWithOtherSettingsNamesTheSettingsThatDiffer() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = RunDirectory(root)
        var config = ExperimentConfig.quick
        try run.bind(config)
        try run.bind(config)  // the same settings bind again
        let written = try Data(contentsOf: root.appendingPathComponent("config.json"))
        config.seed = 7
        config.sftSteps += 1
        do {
            try run.bind(config)
            Issue.record("expected an error")
        } catch let error as ExperimentError {
            let message = error.description
            #expect(message.contains("seed: 1 -> 7"), "\(message)")
            #expect(message.contains("sftSteps: \(config.sftSteps - 1) -> \(config.sftSteps)"), "\(message)")
        }
        #expect(try Data(contentsOf: root.appendingPathComponent("config.json")) == written)
    }

    @Test func anUnreadableConfigNamesTheFileAndField() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(#"{"seed": "one"}"#.utf8).write(to: root.appendingPathComponent("config.json"))
        do {
            try RunDirectory(root).bind(.quick)
            Issue.record("expected an error")
        } catch let error as ExperimentError {
            #expect(error.description.contains("config.json"), "\(error)")
            #expect(!error.description.contains("DecodingError"), "\(error)")
        }
    }
}
