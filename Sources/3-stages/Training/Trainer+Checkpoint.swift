// Resumable checkpoints: the model, AdamW's moments and the step, in a directory per step, with a
// pointer file replaced atomically once the directory is complete. A crash at any moment leaves
// either the previous checkpoint or the new one, never a half-written one.

import Foundation
import Support
import SafeTensors
import Transformer

/// What `trainer_state.json` records.
struct TrainerState: Codable {
    var step: Int
    var optimizerStep: Int
    var config: TrainerConfig
    /// The running loss since the last metrics line, so the resumed run reports the same means.
    var pendingLossSum: Double
    var pendingLossCount: Int
}

extension Trainer {
    var pointerURL: URL { outputDirectory.appendingPathComponent("latest_checkpoint") }

    /// Writes `checkpoint-<step>/` and then points `latest_checkpoint` at it.
    func saveCheckpoint(pendingLossSum: Double, pendingLossCount: Int) throws {
        let name = "checkpoint-\(step)"
        let directory = outputDirectory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: directory)
        try model.save(to: directory)
        var writer = SafeTensorsWriter()
        writer.add("first_moment", shape: [optimizer.firstMoment.count],
                   floats: UnsafeBufferPointer(optimizer.firstMoment))
        writer.add("second_moment", shape: [optimizer.secondMoment.count],
                   floats: UnsafeBufferPointer(optimizer.secondMoment))
        try writer.write(to: directory.appendingPathComponent("optimizer.safetensors"))
        let state = TrainerState(step: step, optimizerStep: optimizer.step, config: config,
                                 pendingLossSum: pendingLossSum, pendingLossCount: pendingLossCount)
        try AtomicFile.write(JSONEncoder().encode(state), to: directory.appendingPathComponent("trainer_state.json"))
        let previous = try? String(contentsOf: pointerURL, encoding: .utf8)
        try AtomicFile.write(Data(name.utf8), to: pointerURL)
        if let previous, previous != name {
            try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent(previous))
        }
    }

    /// Loads the checkpoint `latest_checkpoint` names; returns its state, or nil when there is none.
    func restoreLatestCheckpoint() throws -> TrainerState? {
        guard let name = try? String(contentsOf: pointerURL, encoding: .utf8) else { return nil }
        let directory = outputDirectory.appendingPathComponent(name)
        let state: TrainerState
        do {
            state = try JSONDecoder().decode(TrainerState.self,
                                             from: Data(contentsOf: directory.appendingPathComponent("trainer_state.json")))
        } catch {
            throw TrainingError.checkpoint("\(directory.path)/trainer_state.json is unreadable: \(describeDecodingError(error))")
        }
        guard state.config == config else {
            throw TrainingError.checkpoint(
                "\(directory.path) was written with different training settings; use a new output directory or the same settings")
        }
        try model.loadWeights(from: directory.appendingPathComponent(TransformerModel.weightsFileName))
        let moments = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("optimizer.safetensors"))
        try moments.copyFloats("first_moment", into: optimizer.firstMoment, expectedShape: [optimizer.firstMoment.count])
        try moments.copyFloats("second_moment", into: optimizer.secondMoment, expectedShape: [optimizer.secondMoment.count])
        optimizer.step = state.optimizerStep
        try truncateMetrics(after: state.step)
        return state
    }

    /// Drops metric lines an interrupted run wrote after its last checkpoint.
    func truncateMetrics(after step: Int) throws {
        let url = outputDirectory.appendingPathComponent("metrics.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        let decoder = JSONDecoder()
        let kept = text.split(separator: "\n").filter { line in
            guard let metrics = try? decoder.decode(TrainingMetrics.self, from: Data(line.utf8)) else { return false }
            return metrics.step <= step
        }
        try AtomicFile.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: url)
    }

    /// Removes checkpoints once the final model is saved.
    func removeCheckpoints() throws {
        if let name = try? String(contentsOf: pointerURL, encoding: .utf8) {
            try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent(name))
        }
        try? FileManager.default.removeItem(at: pointerURL)
    }
}
