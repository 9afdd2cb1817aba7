// The supervised training loop shared by the policy (SFT) and the reward models: batches in a
// seeded order, forward, loss, backward, clipped AdamW on a warmup + cosine schedule, validation,
// metrics, and resumable checkpoints.
//
// Files in the output directory:
//   config.json, model.safetensors   the final model (written when training finishes)
//   metrics.jsonl                    one TrainingMetrics line per report
//   checkpoint-<step>/               model, optimizer moments, trainer_state.json (latest only)
//   latest_checkpoint                name of the newest complete checkpoint directory

import Foundation
import Kernels
import Objectives
import SafeTensors
import Transformer

/// Trains `model` on examples. Deterministic: the data order depends only on the seed and the step,
/// so a resumed run reproduces an uninterrupted one exactly.
public final class Trainer {
    public let model: TransformerModel
    public let config: TrainerConfig
    public let optimizer: AdamWOptimizer
    let training: [TrainingExample]
    let validation: [TrainingExample]
    let outputDirectory: URL
    let padID: Int32
    let activations: Activations
    let progress: ProgressReporter
    /// The order of the epoch last asked for (computing an order sorts the data set).
    var cachedOrder: (epoch: Int, order: [Int]) = (-1, [])
    /// Steps completed.
    public private(set) var step = 0
    /// Written as `bundle.json` beside the final model, so the output folder is a model bundle.
    let bundle: BundleManifest?
    /// What the steps optimize (``TrainerConfig/objective``).
    let objective: any Objective

    public init(model: TransformerModel, config: TrainerConfig, training: [TrainingExample],
                validation: [TrainingExample] = [], outputDirectory: URL, padID: Int,
                bundle: BundleManifest? = nil, label: String = "train", quiet: Bool = false) throws {
        try model.requireFloatWeights(for: "train")
        guard !training.isEmpty else { throw TrainingError.invalidData("no training examples") }
        guard config.steps > 0, config.batchSize > 0, config.context > 1 else {
            throw TrainingError.invalidData("steps, batch size and context must be positive")
        }
        guard config.context <= model.config.maxPositions else {
            throw TrainingError.invalidData(
                "context \(config.context) exceeds the model's max_position_embeddings \(model.config.maxPositions)")
        }
        for example in training + validation {
            if let bad = example.tokens.first(where: { $0 < 0 || Int($0) >= model.config.vocabSize }) {
                throw TrainingError.invalidData("example from \(example.source) has token id \(bad), outside the model's vocabulary")
            }
        }
        self.model = model
        self.config = config
        self.training = training
        self.validation = validation
        self.outputDirectory = outputDirectory
        self.padID = Int32(padID)
        self.bundle = bundle
        objective = config.objective.objective
        var adamW = config.optimizer
        adamW.learningRate = config.learningRate
        optimizer = AdamWOptimizer(model: model, config: adamW)
        activations = Activations(config: model.config, maxBatch: config.batchSize, maxTime: config.context)
        progress = ProgressReporter(label: label, total: config.steps, quiet: quiet)
    }

    /// The examples of batch `step`: position i = step·B + j of an endless sequence of epochs,
    /// each epoch a fresh seeded permutation (see ``epochOrder(_:)``).
    func batchExamples(step: Int) -> [TrainingExample] {
        let n = training.count
        return (0..<config.batchSize).map { j in
            let i = step * config.batchSize + j
            let epoch = i / n
            if epoch != cachedOrder.epoch { cachedOrder = (epoch, epochOrder(epoch)) }
            return training[cachedOrder.order[i % n]]
        }
    }

    /// The order of epoch `epoch`: a seeded shuffle, then, within windows of 16 batches, examples
    /// sorted by length, cut into batches, and those batches shuffled. Batches of similar lengths
    /// waste little on padding (a batch is as long as its longest example) while every window
    /// still mixes the whole data set's lengths.
    func epochOrder(_ epoch: Int) -> [Int] {
        let n = training.count, B = config.batchSize
        var generator = SeededGenerator(seed: config.seed &* 0x9E37_79B9 &+ UInt64(epoch))
        var order = Array(0..<n).shuffled(using: &generator)
        let window = B * 16
        for start in stride(from: 0, to: n, by: window) {
            let end = min(n, start + window)
            let sorted = order[start..<end].sorted { training[$0].count < training[$1].count }
            let batches = stride(from: 0, to: sorted.count, by: B).map { Array(sorted[$0..<min(sorted.count, $0 + B)]) }
            order.replaceSubrange(start..<end, with: batches.shuffled(using: &generator).joined())
        }
        return order
    }

    /// Trains until `config.steps`, resuming from the latest checkpoint when `resume` is true and
    /// one exists. `stopAfter` ends the run early (for tests of resumption) without the final save.
    @discardableResult
    public func run(resume: Bool = true, stopAfter: Int? = nil) throws -> [TrainingMetrics] {
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        var history: [TrainingMetrics] = []
        var tokens = 0
        var lossSum: Double = 0, lossCount = 0
        if resume, let restored = try restoreLatestCheckpoint() {
            step = restored.step
            lossSum = restored.pendingLossSum
            lossCount = restored.pendingLossCount
            progress.log("resuming from step \(step)")
        }
        var clock = Date()
        let reportEvery = max(1, min(config.evaluateEvery > 0 ? config.evaluateEvery : config.steps, 50))
        while step < config.steps {
            if let stopAfter, step >= stopAfter { return history }
            let batch = Batch(batchExamples(step: step), context: config.context, padID: padID)
            let rate = config.schedule.rate(at: step)
            let loss = try forwardBackward(batch)
            // A NaN/inf loss would poison the weights and every checkpoint after it: stop before
            // the update, leaving the last good checkpoint as it is.
            guard loss.isFinite else { throw divergence(step: step + 1, what: "the loss is \(loss)", rate: rate) }
            let norm = optimizer.update(model: model, learningRate: rate, frozen: frozenTensors)
            guard norm.isFinite else { throw divergence(step: step + 1, what: "the gradient norm is \(norm)", rate: rate) }
            step += 1
            tokens += batch.realTokens
            lossSum += Double(loss); lossCount += 1
            let elapsed = Date().timeIntervalSince(clock)
            progress.update(step, rate: Double(tokens) / max(elapsed, 1e-9), detail: String(format: "loss %.4f", loss))
            let evaluate = config.evaluateEvery > 0 && step % config.evaluateEvery == 0 || step == config.steps
            if step % reportEvery == 0 || evaluate {
                var metrics = TrainingMetrics(step: step, loss: Float(lossSum / Double(lossCount)), learningRate: rate,
                                              gradientNorm: norm, tokensPerSecond: Double(tokens) / max(elapsed, 1e-9))
                if evaluate, !validation.isEmpty {
                    (metrics.validationLoss, metrics.validationAccuracy) = try evaluateValidation()
                    progress.log(String(format: "step %d: val loss %.4f, val accuracy %.3f", step,
                                        metrics.validationLoss!, metrics.validationAccuracy!))
                }
                history.append(metrics)
                try appendMetrics(metrics)
                tokens = 0; lossSum = 0; lossCount = 0; clock = Date()
            }
            if config.checkpointEvery > 0, step % config.checkpointEvery == 0, step < config.steps {
                try saveCheckpoint(pendingLossSum: lossSum, pendingLossCount: lossCount)
            }
        }
        try model.save(to: outputDirectory)
        try bundle?.write(to: outputDirectory)
        try removeCheckpoints()
        return history
    }

    /// The error of a NaN/inf step, naming the step, the learning rate and what is kept.
    func divergence(step: Int, what: String, rate: Float) -> TrainingError {
        let kept = (try? String(contentsOf: pointerURL, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let where_ = kept.map { "the last good checkpoint, \(outputDirectory.appendingPathComponent($0).path), is kept" }
            ?? "no checkpoint was saved yet (--checkpoint-every)"
        return .diverged("at step \(step) of \(config.steps) \(what) (learning rate \(rate)); nothing was saved from this step, "
                         + "\(where_); try a lower --learning-rate or more --warmup")
    }

    /// Tensors the objective does not train.
    var frozenTensors: Set<String> { objective.frozenTensors(of: model) }

    /// One forward + loss + backward; gradients are left in the model.
    func forwardBackward(_ batch: Batch) throws -> Float {
        model.zeroGradients()
        return try batch.tokens.withUnsafeBufferPointer { tokenBuffer -> Float in
            try model.forward(tokens: tokenBuffer, batch: batch.batch, time: batch.time, activations: activations,
                              outputs: objective.outputs)
            let loss = objective.loss(batch: batch, activations: activations, model: model)
            model.backward(tokens: tokenBuffer, batch: batch.batch, time: batch.time, activations: activations,
                           outputs: objective.outputs)
            return loss
        }
    }
}
