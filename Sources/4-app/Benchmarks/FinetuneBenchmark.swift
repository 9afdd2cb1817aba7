// `e2h bench --model FILE --finetune`: fine-tuning tokens/s of a real model, the step `e2h train
// policy` / the SFT stage of `e2h run --config configs/smollm2.json` takes (Trainer.swift with
// LanguageModelObjective): float32 weights (a GGUF file dequantized at load), forward to the
// logits, fused cross-entropy, backward through every layer, global-norm clip and AdamW on every
// tensor but the score head. The batch is `batch` sequences of `context` random ids, no padding.
// The peer is bench/peers/finetune/transformers_finetune.py (transformers, same file and step).

import Foundation
import GEMM
import Kernels
import Support
import Training
import Transformer

/// What `benchmarkFinetune` measures.
public struct FinetuneBenchmarkOptions: Sendable {
    /// Sequences per step (configs/smollm2.json: 8).
    public var batch = 8
    /// Tokens per sequence (configs/smollm2.json: 128).
    public var context = 128
    /// Timed steps (their median is the figure).
    public var steps = 5
    /// Untimed steps first (page in buffers and moments, spin up threads).
    public var warmup = 1
    public var seed: UInt64 = 1
    public init() {}
}

/// The figures of one fine-tuning measurement.
public struct FinetuneBenchmarkResult: Codable, Sendable {
    public var model: String
    public var threads: Int
    public var batch: Int
    public var context: Int
    public var parameterCount: Int
    /// Parameters the step updates (all but the score head).
    public var trainedParameterCount: Int
    public var stepSeconds: [Double]
    public var medianStepSeconds: Double
    public var tokensPerSecond: Double
    /// Tokens/s × 3 forward passes' flops per token (``forwardFlopsPerToken(config:context:)``).
    public var gflops: Double
    public var fmaPeakGFLOPS: Double
    public var percentOfPeak: Double
    public var lastLoss: Float
    public var peakRSSBytes: Int
    /// The precision the products ran in: "fp32", or "bf16" (`--matmul bf16` on a CPU with AMX).
    public var matmul = MatmulPrecision.processDefault.effective.rawValue

    enum CodingKeys: String, CodingKey {
        case model, threads, batch, context
        case parameterCount = "parameters", trainedParameterCount = "trained_parameters"
        case stepSeconds = "step_s", medianStepSeconds = "step_s_median"
        case tokensPerSecond = "finetune_tokens_per_s", gflops = "finetune_gflops"
        case fmaPeakGFLOPS = "fma_peak_gflops", percentOfPeak = "finetune_percent_of_peak"
        case lastLoss = "last_loss", peakRSSBytes = "peak_rss_bytes"
        case matmul
    }
}

/// Flops of one fine-tuning token on `config` at `context` tokens per sequence: three forward
/// passes (forward, and the backward's two products per matrix), each sequence position attending
/// to (context + 1) / 2 positions on average.
public func finetuneFlopsPerToken(config: TransformerConfig, context: Int) -> Double {
    3 * forwardFlopsPerToken(config: config, context: Double(context + 1) / 2)
}

/// The median of `values` (the mean of the middle two for an even count; 0 when empty).
public func medianValue(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted(), mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// A model loaded for fine-tuning and the buffers of its steps; `measure` can be called repeatedly
/// (interleaved with a peer) on the same weights, which keep training.
public final class FinetuneBenchmark {
    public let url: URL
    public let model: TransformerModel
    public let options: FinetuneBenchmarkOptions
    let optimizer: AdamWOptimizer
    let activations: Activations
    let objective = LanguageModelObjective()
    let tokens: [Int32]
    let targets: [Int32]

    /// Loads `url` with float32 weights (training needs them) and allocates the step's buffers.
    public init(url: URL, options: FinetuneBenchmarkOptions) throws {
        guard options.batch >= 1, options.context >= 2, options.steps >= 1, options.warmup >= 0 else {
            throw TrainingError.invalidData("fine-tuning benchmark: batch, steps must be positive, context at least 2, warm-up not negative")
        }
        let bundle = try ModelBundle.load(from: url, promptFormat: nil, keepQuantized: false)
        let config = bundle.model.config
        guard options.context <= config.maxPositions else {
            throw TrainingError.invalidData("context \(options.context) exceeds the model's max_position_embeddings \(config.maxPositions)")
        }
        self.url = url
        self.options = options
        model = bundle.model
        // The SFT stage's optimizer settings (TrainerConfig's default AdamW); the rate does not change the time.
        optimizer = AdamWOptimizer(model: model, config: AdamWConfig())
        activations = Activations(config: config, maxBatch: options.batch, maxTime: options.context)
        var generator = SeededGenerator(seed: options.seed)
        let T = options.context, N = options.batch * T
        let ids = (0..<N).map { _ in Int32(generator.below(config.vocabSize)) }
        tokens = ids
        targets = (0..<N).map { n in n % T == T - 1 ? -1 : ids[n + 1] }
    }

    /// One training step, as `Trainer.run` takes it; returns the loss.
    public func step(learningRate: Float = 1e-5) throws -> Float {
        let B = options.batch, T = options.context
        model.zeroGradients()
        let loss = try tokens.withUnsafeBufferPointer { tokenBuffer -> Float in
            try model.forward(tokens: tokenBuffer, batch: B, time: T, activations: activations, outputs: objective.outputs)
            let loss = targets.withUnsafeBufferPointer {
                model.crossEntropyLoss(targets: $0, rows: B * T, activations: activations)
            }
            model.backward(tokens: tokenBuffer, batch: B, time: T, activations: activations, outputs: objective.outputs)
            return loss
        }
        optimizer.update(model: model, learningRate: learningRate, frozen: objective.frozenTensors(of: model))
        return loss
    }

    /// Warm-up steps, then `options.steps` timed ones. `fmaPeak` is the machine's fp32 peak in GF/s.
    public func measure(fmaPeak: Double) throws -> FinetuneBenchmarkResult {
        for _ in 0..<options.warmup { _ = try step() }
        var times: [Double] = [], loss: Float = 0
        for _ in 0..<options.steps {
            let start = DispatchTime.now()
            loss = try step()
            times.append(seconds(since: start))
        }
        let medianSeconds = medianValue(times)
        let rate = Double(options.batch * options.context) / medianSeconds
        let gflops = rate * finetuneFlopsPerToken(config: model.config, context: options.context) / 1e9
        let frozen = objective.frozenTensors(of: model)
        let all = model.layout.tensors.reduce(0) { $0 + $1.count }
        let trained = model.layout.tensors.filter { !frozen.contains($0.name) }.reduce(0) { $0 + $1.count }
        return FinetuneBenchmarkResult(
            model: url.path, threads: defaultThreadCount, batch: options.batch, context: options.context,
            parameterCount: all, trainedParameterCount: trained,
            stepSeconds: times, medianStepSeconds: medianSeconds, tokensPerSecond: rate, gflops: gflops,
            fmaPeakGFLOPS: fmaPeak, percentOfPeak: fmaPeak > 0 ? 100 * gflops / fmaPeak : 0,
            lastLoss: loss, peakRSSBytes: peakResidentBytes())
    }
}
