import Datasets
import Foundation
import Kernels
import Objectives
import Testing
import Tokenizers
import Training
import Transformer

/// A policy example as an RL batch: the completion's tokens are the actions.
struct ActionBatch {
    let batch: Batch
    let mask: [Float]

    init(_ items: [(prompt: String, completion: String)]) throws {
        let builder = ExampleBuilder(tokenizer: vocabulary)
        let examples = try items.map { try builder.policyExample(prompt: $0.prompt, completion: $0.completion, source: "t") }
        batch = Batch(examples, context: 96, padID: Int32(vocabulary.padID))
        mask = batch.targets.map { $0 >= 0 ? 1 : 0 }
    }

    /// Σ log p of each row's actions under `model`.
    func sequenceLogProbs(_ model: TransformerModel) throws -> [Float] {
        let a = Activations(config: model.config, maxBatch: batch.batch, maxTime: batch.time)
        try batch.tokens.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: batch.batch, time: batch.time, activations: a) }
        var logProbs = [Float](repeating: 0, count: batch.batch * batch.time)
        batch.targets.withUnsafeBufferPointer {
            tokenLogProbsForward(logProbs: &logProbs, logits: a.logits, targets: $0.baseAddress!, rows: logProbs.count, vocab: model.config.vocabSize)
        }
        return (0..<batch.batch).map { b in (0..<batch.time).reduce(0) { $0 + mask[b * batch.time + $1] * logProbs[b * batch.time + $1] } }
    }

    /// Per-position log-probs (the rollout's "old" log-probs).
    func tokenLogProbs(_ model: TransformerModel) throws -> [Float] {
        let a = Activations(config: model.config, maxBatch: batch.batch, maxTime: batch.time)
        try batch.tokens.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: batch.batch, time: batch.time, activations: a) }
        var logProbs = [Float](repeating: 0, count: batch.batch * batch.time)
        batch.targets.withUnsafeBufferPointer {
            tokenLogProbsForward(logProbs: &logProbs, logits: a.logits, targets: $0.baseAddress!, rows: logProbs.count, vocab: model.config.vocabSize)
        }
        return logProbs
    }

    /// One forward, objective, backward and AdamW step.
    func step(_ model: TransformerModel, _ optimizer: AdamWOptimizer, _ objective: some Objective, rate: Float = 1e-3) throws -> Float {
        let a = Activations(config: model.config, maxBatch: batch.batch, maxTime: batch.time)
        model.zeroGradients()
        return try batch.tokens.withUnsafeBufferPointer { tokens in
            try model.forward(tokens: tokens, batch: batch.batch, time: batch.time, activations: a, outputs: objective.outputs)
            let loss = objective.loss(batch: batch, activations: a, model: model)
            model.backward(tokens: tokens, batch: batch.batch, time: batch.time, activations: a, outputs: objective.outputs)
            optimizer.update(model: model, learningRate: rate, frozen: objective.frozenTensors(of: model))
            return loss
        }
    }
}

@Suite("RL updates")
struct RLUpdateTests {
    @Test func grpoStepRaisesTheRewardedRolloutAndLowersThePenalisedOne() throws {
        let model = try tinyPolicy(seed: 11)
        let optimizer = AdamWOptimizer(model: model)
        let batch = try ActionBatch([handful[0], handful[1]])
        let before = try batch.sequenceLogProbs(model)
        var advantages = [Float](repeating: 0, count: 2)
        try groupAdvantages(advantages: &advantages, rewards: [1, 0], groups: 1, groupSize: 2)
        let T = batch.batch.time
        let tokenAdvantages = (0..<(2 * T)).map { batch.mask[$0] * advantages[$0 / T] }
        let old = try batch.tokenLogProbs(model)
        let objective = PolicyGradientObjective(oldLogProbs: old, advantages: tokenAdvantages, mask: batch.mask,
                                                referenceLogProbs: old, policy: PolicyLossConfig(), kl: KLConfig(estimator: .k3),
                                                klCoefficient: 0.04)
        _ = try batch.step(model, optimizer, objective)
        let after = try batch.sequenceLogProbs(model)
        #expect(after[0] > before[0], "rewarded: \(before[0]) -> \(after[0])")
        #expect(after[1] < before[1], "penalised: \(before[1]) -> \(after[1])")
    }

    @Test func ppoStepWithGAEFollowsTheSignOfTheReward() throws {
        for reward: Float in [1, -1] {
            let model = try tinyPolicy(seed: 12)
            let optimizer = AdamWOptimizer(model: model)
            let batch = try ActionBatch([handful[2]])
            let before = try batch.sequenceLogProbs(model)
            let N = batch.mask.count
            // Reward on the last action, values 0: GAE (γ = λ = 1) gives every action the reward.
            var rewards = [Float](repeating: 0, count: N)
            rewards[batch.mask.lastIndex(of: 1)!] = reward
            var advantages = [Float](repeating: 0, count: N), returns = advantages
            generalizedAdvantages(advantages: &advantages, returns: &returns, rewards: rewards, values: [Float](repeating: 0, count: N),
                                  mask: batch.mask, sequences: 1, length: N)
            #expect(zip(advantages, batch.mask).allSatisfy { $1 == 0 || $0 == reward })
            let objective = PolicyGradientObjective(oldLogProbs: try batch.tokenLogProbs(model), advantages: advantages, mask: batch.mask,
                                                    referenceLogProbs: nil, policy: PolicyLossConfig(), kl: KLConfig(), klCoefficient: 0)
            _ = try batch.step(model, optimizer, objective)
            let after = try batch.sequenceLogProbs(model)[0]
            #expect(reward > 0 ? after > before[0] : after < before[0], "reward \(reward): \(before[0]) -> \(after)")
        }
    }

    @Test func valueStepMovesValuesTowardTheReturns() throws {
        let model = try tinyPolicy(seed: 13)
        let optimizer = AdamWOptimizer(model: model)
        let batch = try ActionBatch([handful[3]])
        let N = batch.mask.count
        let a = Activations(config: model.config, maxBatch: 1, maxTime: batch.batch.time)
        func values() throws -> [Float] {
            try batch.batch.tokens.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: 1, time: N, activations: a, outputs: [.values]) }
            return Array(UnsafeBufferPointer(start: a.values, count: N))
        }
        let old = try values()
        let returns = old.map { $0 + 1 }
        let objective = ValueObjective(oldValues: old, returns: returns, mask: batch.mask, config: ValueLossConfig(), coefficient: 0.1)
        _ = try batch.step(model, optimizer, objective)
        let new = try values()
        let moved = zip(old, new).enumerated().filter { batch.mask[$0.offset] > 0 }.map { $0.element.1 - $0.element.0 }
        #expect(moved.reduce(0, +) / Float(moved.count) > 0)
    }

    /// Two pairs (chosen rows first, then the rejected ones: the same prompts, another completion),
    /// six DPO steps from the reference: the batch, the reference log-probs and the losses.
    func dpoSteps(seed: UInt64, config: DPOConfig) throws -> (model: TransformerModel, batch: ActionBatch, reference: [Float], losses: [Float]) {
        let model = try tinyPolicy(seed: seed)
        let optimizer = AdamWOptimizer(model: model)
        let chosen = [handful[0], handful[1]]
        let rejected = [(handful[0].prompt, handful[2].completion), (handful[1].prompt, handful[3].completion)]
        let batch = try ActionBatch(chosen + rejected)
        let reference = try batch.sequenceLogProbs(model)
        var losses: [Float] = []
        for _ in 0..<6 {
            let objective = DPOObjective(referenceChosen: Array(reference[0..<2]), referenceRejected: Array(reference[2..<4]),
                                         mask: batch.mask, config: config)
            losses.append(try batch.step(model, optimizer, objective))
        }
        return (model, batch, reference, losses)
    }

    @Test func dpoLossFallsOnAFixedPairSet() throws {
        let (model, batch, reference, losses) = try dpoSteps(seed: 14, config: DPOConfig())
        #expect(abs(losses[0] - log(2)) < 1e-4, "at the reference the loss is log 2")
        #expect(losses.last! < losses[0] - 1e-3, "\(losses)")
        let margin = try batch.sequenceLogProbs(model)
        #expect((margin[0] - reference[0]) - (margin[2] - reference[2]) > 0)
    }

    /// RPO: the same pairs with the likelihood term; at the reference the loss is log 2 plus α times
    /// the chosen responses' NLL per token, and the chosen responses gain likelihood.
    @Test func rpoRaisesTheChosenResponsesLikelihood() throws {
        let (model, batch, reference, losses) = try dpoSteps(seed: 15, config: DPOConfig(nllCoefficient: 1))
        let tokens = (0..<2).map { b in (0..<batch.batch.time).reduce(Float(0)) { $0 + batch.mask[b * batch.batch.time + $1] } }
        let nll = (-reference[0] / tokens[0] - reference[1] / tokens[1]) / 2
        #expect(abs(losses[0] - (log(2) + nll)) < 1e-3, "\(losses[0]) vs log 2 + \(nll)")
        let after = try batch.sequenceLogProbs(model)
        #expect(after[0] > reference[0] && after[1] > reference[1], "\(reference) -> \(after)")
    }
}
