import Foundation
import Testing

/// A hand-edited JSON file that does not parse is named with the line and column where it breaks.
@Suite("JSON file errors")
struct JSONFileErrorTests {
    @Test func aBrokenRunConfigNamesLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json")
        try Data("{\n  \"seed\": 3,\n  \"trials\": 20,,\n}\n".utf8).write(to: config)
        let result = try runE2H(["run", "--quick", "--config", config.path, "--out", dir.appendingPathComponent("run").path])
        #expect(result.status != 0)
        #expect(result.err.contains("config.json: not valid JSON: line 3, column 16"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run").path))
    }
}
