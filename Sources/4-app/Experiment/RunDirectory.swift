// The run directory of `e2h run`: where each stage reads and writes, and which stages are done.
// A stage is done when its marker file exists; the marker is written only after all of the
// stage's outputs were written (each atomically), so an interrupted stage simply runs again
// (training stages resume from their checkpoints).

import Foundation
import Support

/// Paths and stage bookkeeping of one experiment directory.
public struct RunDirectory: Sendable {
    public let root: URL

    public init(_ root: URL) { self.root = root }

    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    public func path(_ relative: String) -> String { url(relative).path }

    /// Whether `stage` finished in an earlier invocation.
    public func isDone(_ stage: String) -> Bool {
        FileManager.default.fileExists(atPath: path("stages/\(stage).done"))
    }

    /// Marks `stage` finished.
    public func markDone(_ stage: String) throws {
        try FileManager.default.createDirectory(at: url("stages"), withIntermediateDirectories: true)
        try AtomicFile.write(Data("done\n".utf8), to: url("stages/\(stage).done"))
    }

    /// Creates the folders of `relative` paths.
    public func makeFolders(_ relatives: String...) throws {
        for relative in relatives {
            try FileManager.default.createDirectory(at: url(relative), withIntermediateDirectories: true)
        }
    }

    /// Writes `config.json`, or checks that an existing one matches `config`.
    public func bind(_ config: ExperimentConfig) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = url("config.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? Data(contentsOf: file) {
            let existing: ExperimentConfig
            do { existing = try JSONDecoder().decode(ExperimentConfig.self, from: data) } catch {
                throw ExperimentError.mismatchedRun(
                    "\(file.path) cannot be read as a run's settings (\(describeDecodingError(error))); choose another --out")
            }
            // The RL sections may be added or changed on a run: their stage comes after all others
            // and writes under its own names.
            var comparable = existing
            comparable.rl = config.rl
            comparable.rlBaseline = config.rlBaseline
            guard comparable == config else {
                let differences = RunDirectory.differences(existing: try encoder.encode(existing), wanted: try encoder.encode(config))
                throw ExperimentError.mismatchedRun(
                    "\(root.path) holds a run with other settings: \(differences.joined(separator: "; ")) "
                    + "(config.json vs now); choose another --out or the same settings")
            }
            if existing.rl != config.rl || existing.rlBaseline != config.rlBaseline { try AtomicFile.write(encoder.encode(config), to: file) }
            return
        }
        try AtomicFile.write(encoder.encode(config), to: file)
    }
}

extension RunDirectory {
    /// The settings that differ between two encoded configs, as `key: old -> new` (dotted paths).
    static func differences(existing: Data, wanted: Data) -> [String] {
        func flatten(_ value: Any, _ prefix: String, _ out: inout [String: String]) {
            if let object = value as? [String: Any] {
                for (k, v) in object { flatten(v, prefix.isEmpty ? k : prefix + "." + k, &out) }
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
                out[prefix] = String(decoding: data, as: UTF8.self)
            }
        }
        var old: [String: String] = [:], new: [String: String] = [:]
        if let a = try? JSONSerialization.jsonObject(with: existing) { flatten(a, "", &old) }
        if let b = try? JSONSerialization.jsonObject(with: wanted) { flatten(b, "", &new) }
        let keys = Set(old.keys).union(new.keys).sorted()
        let diffs = keys.compactMap { k -> String? in
            old[k] == new[k] ? nil : "\(k): \(old[k] ?? "(absent)") -> \(new[k] ?? "(absent)")"
        }
        return diffs.isEmpty ? ["(equal when written; a value that JSON rounds differs)"] : diffs
    }
}

/// Errors of the experiment driver.
public enum ExperimentError: Error, CustomStringConvertible {
    case mismatchedRun(String)
    case leakedLabels(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .mismatchedRun(let message): return message
        case .leakedLabels(let message): return "supervision leak: \(message)"
        case .invalid(let message): return message
        }
    }
}
