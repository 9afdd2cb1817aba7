// One line of an RL run's `metrics.jsonl` per iteration, and the saved state that makes a run
// resumable: the policy (and value model) with their optimizer moments after each iteration, in a
// directory per iteration that a pointer file names once it is complete.

import Foundation
import SafeTensors
import Support
import Transformer

/// What one iteration did.
public struct RLIterationMetrics: Codable, Sendable, Equatable {
    public var iteration: Int
    public var rollouts: Int
    /// Mean total reward per rollout (process + outcome, before KL).
    public var reward: Float
    /// Mean outcome reward per rollout.
    public var outcomeReward: Float
    /// Share of rollouts of problems with a known answer that got it right (the grader, easy problems).
    public var knownCorrect: Float?
    /// Share of rollouts with an answer that were not cut off.
    public var answered: Float
    /// Mean KL estimate of the policy against the reference, per action token.
    public var kl: Float
    public var clipFraction: Float
    public var entropy: Float
    public var policyLoss: Float
    public var valueLoss: Float?
    /// Mean sampled tokens per rollout.
    public var responseLength: Float
    /// DPO pairs, or ReST-EM kept solutions, of the iteration; GRPO with ``RLConfig/skipFlatGroups``:
    /// the rollouts left in the update.
    public var examples: Int?
    /// Seconds in rollouts, reward scoring, reference log-probs (and values), and the update.
    public var rolloutSeconds: Double
    public var scoringSeconds: Double
    public var referenceSeconds: Double
    public var updateSeconds: Double
    public var rolloutTokensPerSecond: Double
    /// Evaluation only, never a reward: the step checker's verdicts on hard-problem rollouts
    /// (share with a right answer, share sound in every step), so reward hacking shows as the PRM
    /// reward rising while checked correctness falls.
    public var hardCheckedCorrect: Float?
    public var hardCheckedSound: Float?
    /// Mean total reward of the rollouts of problems whose answer is unknown to the method (hard
    /// problems): the reward beside which `hardCheckedCorrect` is read. Nil when there are none.
    public var unknownAnswerReward: Float?

    enum CodingKeys: String, CodingKey {
        case iteration, rollouts, reward, kl, entropy, answered, examples
        case outcomeReward = "outcome_reward"
        case knownCorrect = "known_correct"
        case clipFraction = "clip_fraction"
        case policyLoss = "policy_loss"
        case valueLoss = "value_loss"
        case responseLength = "response_length"
        case rolloutSeconds = "rollout_s"
        case scoringSeconds = "scoring_s"
        case referenceSeconds = "reference_s"
        case updateSeconds = "update_s"
        case rolloutTokensPerSecond = "rollout_tokens_per_s"
        case hardCheckedCorrect = "hard_checked_correct"
        case hardCheckedSound = "hard_checked_sound"
        case unknownAnswerReward = "unknown_answer_reward"
    }
}

/// `state.json` of a saved iteration.
struct RLState: Codable {
    var iteration: Int
    var config: RLConfig
    var policyOptimizerStep: Int
    var valueOptimizerStep: Int?
    var metrics: [RLIterationMetrics]
}

/// Saves and restores the state of an RL run under `directory/state`.
struct RLCheckpoint {
    let directory: URL
    var stateDirectory: URL { directory.appendingPathComponent("state") }
    var pointer: URL { stateDirectory.appendingPathComponent("latest") }

    /// Writes `state/iteration-<k>/` and then points `state/latest` at it; removes the previous one.
    func save(_ state: RLState, policy: RLModelRunner, value: RLModelRunner?) throws {
        let name = "iteration-\(state.iteration)"
        let folder = stateDirectory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.saveModel(policy, to: folder.appendingPathComponent("policy"))
        if let value { try Self.saveModel(value, to: folder.appendingPathComponent("value")) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(encoder.encode(state), to: folder.appendingPathComponent("state.json"))
        let previous = try? String(contentsOf: pointer, encoding: .utf8)
        try AtomicFile.write(Data(name.utf8), to: pointer)
        if let previous, previous != name { try? FileManager.default.removeItem(at: stateDirectory.appendingPathComponent(previous)) }
    }

    /// The saved state, with the models' weights and moments loaded; nil when there is none.
    func restore(config: RLConfig, policy: RLModelRunner, value: RLModelRunner?) throws -> RLState? {
        guard let name = try? String(contentsOf: pointer, encoding: .utf8) else { return nil }
        let folder = stateDirectory.appendingPathComponent(name)
        let state: RLState
        do {
            state = try JSONDecoder().decode(RLState.self, from: Data(contentsOf: folder.appendingPathComponent("state.json")))
        } catch {
            throw TrainingError.checkpoint("\(folder.path)/state.json is unreadable: \(error)")
        }
        guard state.config == config else {
            throw TrainingError.checkpoint("\(folder.path) was written with other RL settings; use another --name or the same settings")
        }
        try Self.loadModel(policy, from: folder.appendingPathComponent("policy"), step: state.policyOptimizerStep)
        if let value, let step = state.valueOptimizerStep {
            try Self.loadModel(value, from: folder.appendingPathComponent("value"), step: step)
        }
        return state
    }

    static func saveModel(_ runner: RLModelRunner, to folder: URL) throws {
        try runner.model.save(to: folder)
        guard let optimizer = runner.optimizer else { return }
        var writer = SafeTensorsWriter()
        writer.add("first_moment", shape: [optimizer.firstMoment.count], floats: UnsafeBufferPointer(optimizer.firstMoment))
        writer.add("second_moment", shape: [optimizer.secondMoment.count], floats: UnsafeBufferPointer(optimizer.secondMoment))
        try writer.write(to: folder.appendingPathComponent("optimizer.safetensors"))
    }

    static func loadModel(_ runner: RLModelRunner, from folder: URL, step: Int) throws {
        try runner.model.loadWeights(from: folder.appendingPathComponent(TransformerModel.weightsFileName))
        guard let optimizer = runner.optimizer else { return }
        let moments = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("optimizer.safetensors"))
        try moments.copyFloats("first_moment", into: optimizer.firstMoment, expectedShape: [optimizer.firstMoment.count])
        try moments.copyFloats("second_moment", into: optimizer.secondMoment, expectedShape: [optimizer.secondMoment.count])
        optimizer.step = step
    }

    /// Rewrites `metrics.jsonl` with one line per completed iteration.
    func writeMetrics(_ metrics: [RLIterationMetrics]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var text = ""
        for line in metrics { text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n" }
        try AtomicFile.write(Data(text.utf8), to: directory.appendingPathComponent("metrics.jsonl"))
    }
}
