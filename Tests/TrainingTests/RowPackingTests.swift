import Datasets
import Foundation
import Kernels
import Objectives
import Testing
import Tokenizers
import Training
import Transformer

/// Packed rows (no padding, a shared prompt once) against the padded batch: same losses, same
/// gradients, up to rounding.
@Suite("Row packing")
struct RowPackingTests {
    func randomArray(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextNormal() * scale }
    }

    /// Three rollouts of one problem, two of another, one alone; completions of different lengths.
    func batch() throws -> (batch: Batch, promptCounts: [Int], lengths: [Int]) {
        let builder = ExampleBuilder(tokenizer: vocabulary)
        let items = [(0, "12 + 7 = 19"), (0, "12 + 7 = 18\n\n# Answer\n\n18"), (1, "30 - 4 = 26"), (0, "19"),
                     (1, "30 - 4 = 24 and more text"), (2, "6 * 3 = 18")]
        let examples = try items.map {
            try builder.policyExample(prompt: handful[$0.0].prompt, completion: $0.1, source: "t")
        }
        let promptCounts = examples.map { $0.targets.firstIndex { $0 >= 0 }! + 1 }
        return (Batch(examples, context: 96, padID: Int32(vocabulary.padID)), promptCounts, examples.map(\.count))
    }

    @Test func packsSharedPromptsOnceWithoutPadding() throws {
        let (padded, promptCounts, lengths) = try batch()
        let packing = RowPacking(padded, promptCounts: promptCounts, lengths: lengths)
        // Problem 0's prompt (P tokens) once as P − 1 rows; each rollout from its last prompt token.
        let P0 = promptCounts[0], P1 = promptCounts[2]
        #expect(packing.segments.prefixes == [-1, 0, 0, 0, -1, 4, 4, -1])
        #expect(packing.segments.lengths == [P0 - 1, lengths[0] - P0 + 1, lengths[1] - P0 + 1, lengths[3] - P0 + 1,
                                             P1 - 1, lengths[2] - P1 + 1, lengths[4] - P1 + 1, lengths[5]])
        #expect(packing.segments.rows < lengths.reduce(0, +) && lengths.reduce(0, +) < padded.batch * padded.time)
        // Every real position maps to a row holding its token and target; padding to none.
        for b in 0..<padded.batch {
            for t in 0..<padded.time {
                let row = Int(packing.rowOf[b * padded.time + t])
                if t >= lengths[b] { #expect(row == -1); continue }
                #expect(packing.tokens[row] == padded.tokens[b * padded.time + t])
                #expect(packing.targets[row] == padded.targets[b * padded.time + t])
                #expect(packing.segments.positions[row] == Int32(t))
            }
        }
    }

    /// The loss and every parameter's gradient of `objective`, padded or packed.
    func lossAndGradients(_ model: TransformerModel, _ batch: Batch, _ evaluate: (Activations) -> Float,
                          outputs: ForwardOutputs) throws -> (Float, [Float]) {
        _ = AdamWOptimizer(model: model)  // allocates the gradients
        let a = Activations(config: model.config, maxBatch: batch.batch, maxTime: batch.time)
        model.zeroGradients()
        try batch.forward(model, activations: a, outputs: outputs)
        let loss = evaluate(a)
        batch.backward(model, activations: a, outputs: outputs)
        return (loss, Array(model.gradients))
    }

    @Test func policyAndValueLossesAndGradientsMatchThePaddedBatch() throws {
        let model = try tinyPolicy(seed: 12)
        let (padded, promptCounts, lengths) = try batch()
        var packed = padded
        packed.packing = RowPacking(padded, promptCounts: promptCounts, lengths: lengths)
        let N = padded.batch * padded.time
        let mask = padded.targets.map { Float($0 >= 0 ? 1 : 0) }
        let old = randomArray(N, seed: 5, scale: 0.1).map { $0 - 3 }, advantages = randomArray(N, seed: 6)
        let policy = PolicyGradientObjective(oldLogProbs: old, advantages: advantages, mask: mask, referenceLogProbs: old,
                                             policy: PolicyLossConfig(), kl: KLConfig(estimator: .k3), klCoefficient: 0.04)
        let value = ValueObjective(oldValues: randomArray(N, seed: 7), returns: randomArray(N, seed: 8), mask: mask,
                                   config: ValueLossConfig(), coefficient: 0.1)
        for (name, outputs) in [("policy", ForwardOutputs.logits), ("value", .values)] {
            func run(_ batch: Batch) throws -> (Float, [Float]) {
                try lossAndGradients(model, batch, { a in
                    name == "policy" ? policy.evaluate(batch: batch, activations: a, model: model).loss
                                     : value.evaluate(batch: batch, activations: a).loss
                }, outputs: outputs)
            }
            let (lossA, gradA) = try run(padded), (lossB, gradB) = try run(packed)
            #expect(abs(lossA - lossB) <= 1e-5 * max(1, abs(lossA)), "\(name): \(lossA) vs \(lossB)")
            let scale = gradA.map(abs).max()!
            let worst = zip(gradA, gradB).map { abs($0 - $1) }.max()!
            #expect(scale > 0 && worst <= 1e-4 * scale, "\(name): gradients differ by \(worst) at scale \(scale)")
        }
    }

    /// The scorer and the token log-probs read the same values from packed batches (shared
    /// prompts, groups split across batches) as from one sequence at a time.
    @Test func scoresAndLogProbsMatchOneSequenceAtATime() throws {
        let model = try tinyPolicy(seed: 13)
        let items = [(0, "12 + 7 = 19\n\n# Answer\n\n19"), (0, "12 + 7 = 18\n\n# Answer\n\n18"), (1, "30 - 4 = 26"),
                     (0, "12 + 7 = 19\n\n# Answer\n\n19"), (0, ""), (1, "30 - 4 = 24\n\n24 - 1 = 23\n\n# Answer\n\n23"),
                     (2, "6 * 3 = 18\n\n# Answer\n\n18")].map { (prompt: handful[$0.0].prompt, completion: $0.1) }
        for batchSize in [32, 1] {
            let scorer = Scorer(model: model, tokenizer: vocabulary, batchSize: batchSize)
            let reader = TokenLogProbs(model: model, tokenizer: vocabulary, batchSize: batchSize)
            let scores = try scorer.scores(items), logProbs = try reader.logProbs(items)
            for (i, item) in items.enumerated() {
                let alone = try Scorer(model: model, tokenizer: vocabulary).scores([item])[0]
                #expect(scores[i].count == alone.count && zip(scores[i], alone).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
                        "batch size \(batchSize), item \(i): \(scores[i]) vs \(alone)")
                let aloneLogProbs = try TokenLogProbs(model: model, tokenizer: vocabulary).logProbs([item])[0]
                #expect(logProbs[i].count == aloneLogProbs.count
                        && zip(logProbs[i], aloneLogProbs).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) },
                        "batch size \(batchSize), item \(i)")
            }
        }
    }
}
