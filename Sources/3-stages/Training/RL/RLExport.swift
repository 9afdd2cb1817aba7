// The data RL builds, in TRL's dataset formats, so a 7b-scale run can be handed to a GPU trainer:
// ReST-EM's kept solutions as `{prompt, completion}` (SFTTrainer) and DPO's pairs as
// `{prompt, chosen, rejected}` (DPOTrainer), one file per iteration under `data/`.

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
