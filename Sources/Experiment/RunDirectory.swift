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
            guard let existing = try? JSONDecoder().decode(ExperimentConfig.self, from: data), existing == config else {
                throw ExperimentError.mismatchedRun(
                    "\(root.path) holds a run with other settings (see its config.json); choose another --out or the same settings")
            }
            return
        }
        try AtomicFile.write(encoder.encode(config), to: file)
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
