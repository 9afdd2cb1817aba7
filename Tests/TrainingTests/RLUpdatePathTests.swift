import Datasets
import Foundation
import Kernels
import Objectives
import Testing
import Tokenizers
@testable import Training
import Transformer

/// The trainer's own path of an update (sampled rollouts, packed rows, scattered per-action arrays,
/// one AdamW step), not the objective alone: the sampler's log-probs are the teacher-forced ones,
/// and a lone rewarded (penalised) rollout's likelihood rises (falls).
@Suite("RL update path")
struct RLUpdatePathTests {
    /// At ratio 1 with advantage 1 on every action and no KL, the policy-gradient loss is the mean
    /// negative log-likelihood of the actions: its gradient through the packed RL path must be SFT's
    /// (the language-model objective on the same sequences, padded) for every weight.
    @Test func advantageOneAtRatioOneIsSupervisedFineTuning() throws {
        let policy = try tinyPolicy(seed: 7)
        let problems = RLTrainerTests.problems.map { RLProblem(id: $0.id, prompt: $0.prompt, level: 1, goldAnswer: nil) }
        let settings = DecodeSettings(samples: 3, temperature: 1, topK: 0, maxNewTokens: 24, stopTokenIDs: vocabulary.stopIDs,
                                      stopRules: [.answerLine])
        let rollouts = try sampleRollouts(policy: policy, tokenizer: vocabulary, problems: problems, settings: settings, seed: 4, batchSlots: 64)
        let sequences = rollouts.map { (prompt: $0.prompt, tokens: $0.tokens) }
        // SFT: the padded language-model objective, targets on the sampled tokens only.
        let examples = sequences.map { s -> TrainingExample in
            var targets = [Int32](repeating: -1, count: s.prompt.count + s.tokens.count)
            for j in s.tokens.indices { targets[s.prompt.count - 1 + j] = s.tokens[j] }
            return TrainingExample(tokens: s.prompt + s.tokens, targets: targets, labels: [Float](repeating: .nan, count: targets.count), source: "")
        }
        let batch = Batch(examples, context: policy.config.maxPositions, padID: Int32(vocabulary.padID))
        let a = Activations(config: policy.config, maxBatch: batch.batch, maxTime: batch.time)
        policy.zeroGradients()
        let objective = LanguageModelObjective()
        try batch.tokens.withUnsafeBufferPointer { tokens in
            try policy.forward(tokens: tokens, batch: batch.batch, time: batch.time, activations: a, outputs: objective.outputs)
            _ = objective.loss(batch: batch, activations: a, model: policy)
            policy.backward(tokens: tokens, batch: batch.batch, time: batch.time, activations: a, outputs: objective.outputs)
        }
        let sft = Array(policy.gradients)
        // RL: the packed path, advantage 1 everywhere, old log-probs = the current ones.
        let runner = RLModelRunner(model: policy, padID: vocabulary.padID, maxBatch: rollouts.count)
        let packed = runner.pack(sequences)
        let old = try runner.actionLogProbs(sequences)
        let pg = PolicyGradientObjective(oldLogProbs: packed.scatter(old), advantages: packed.scatter(old.map { $0.map { _ in 1 } }),
                                         mask: packed.mask, referenceLogProbs: nil, policy: PolicyLossConfig(),
                                         kl: KLConfig(estimator: .k3), klCoefficient: 0)
        policy.zeroGradients()
        try runner.forward(packed, outputs: pg.outputs)
        _ = pg.evaluate(batch: packed.batch, activations: runner.activations, model: policy)
        packed.batch.backward(policy, activations: runner.activations, outputs: pg.outputs)
        let rl = Array(policy.gradients)
        let scale = sft.map(abs).max() ?? 0
        let worst = zip(sft, rl).map { abs($0 - $1) }.max() ?? 0
        #expect(scale > 0 && worst <= 1e-4 * scale, "largest gradient difference \(worst), scale \(scale)")
    }

    @Test func aLoneAdvantageMovesItsRolloutThroughThePackedPath() throws {
        let directory = temporaryDirectory("rl-path")
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = try tinyPolicy(seed: 5)
        _ = try fineTuneOnHandful(policy, steps: 100, directory: directory)
        let problems = RLTrainerTests.problems.map { RLProblem(id: $0.id, prompt: $0.prompt, level: 1, goldAnswer: nil) }
        let settings = DecodeSettings(samples: 8, temperature: 1, topK: 0, maxNewTokens: 40, stopTokenIDs: vocabulary.stopIDs,
                                      stopRules: [.answerLine])
        let rollouts = try sampleRollouts(policy: policy, tokenizer: vocabulary, problems: problems, settings: settings, seed: 9, batchSlots: 64)
        let sequences = rollouts.map { (prompt: $0.prompt, tokens: $0.tokens) }
        let saved = Array(policy.parameters)
        for (target, sign) in [(3, Float(1)), (17, -1), (30, 1)] {
            policy.parameters.update(from: saved)
            policy.weightsDidChange()
            let runner = RLModelRunner(model: policy, padID: vocabulary.padID, maxBatch: rollouts.count)
            runner.makeTrainable(AdamWConfig())
            let old = try runner.actionLogProbs(sequences)
            if sign > 0 {  // the sampler's log-probs are the teacher-forced ones (the "old" policy of the ratio)
                let gap = zip(old, rollouts).map { zip($0, $1.logProbs).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
                #expect(gap < 1e-4, "sampler vs teacher-forced log-probs: \(gap)")
            }
            let advantages = rollouts.indices.map { [Float](repeating: $0 == target ? sign : 0, count: rollouts[$0].tokens.count) }
            let packed = runner.pack(sequences)
            let objective = PolicyGradientObjective(oldLogProbs: packed.scatter(rollouts.map(\.logProbs)), advantages: packed.scatter(advantages),
                                                    mask: packed.mask, referenceLogProbs: nil, policy: PolicyLossConfig(),
                                                    kl: KLConfig(estimator: .k3), klCoefficient: 0)
            _ = try runner.step(packed, outputs: objective.outputs, frozen: objective.frozenTensors(of: policy), learningRate: 1e-4) {
                objective.evaluate(batch: packed.batch, activations: $0, model: policy)
            }
            let new = try runner.actionLogProbs(sequences)
            let change = zip(new[target], old[target]).reduce(0) { $0 + $1.0 - $1.1 }
            #expect(change * sign > 0, "rollout \(target), advantage \(sign): log-likelihood change \(change)")
        }
    }
}
