// Throughput of the engine on one config: a full training step (forward, cross-entropy, backward,
// AdamW), the forward pass alone, and batched incremental decoding with the KV cache.

import Transformer
import Foundation
import GEMM
import Kernels

/// Figures printed by `e2h bench`. Rates are tokens per second.
public struct EngineBenchmarkResult: Codable, Sendable {
    public var config: TransformerConfig
    public var batch: Int
    public var time: Int
    public var threads: Int
    public var trainTokensPerSecond: Double
    public var forwardTokensPerSecond: Double
    public var decodeBatch: Int
    public var decodeTokensPerSecond: Double
    /// Peak resident set size of the process so far, in MiB.
    public var peakMemoryMiB: Double
    /// Loss of the last training step (sanity: finite and falling on the benchmark's fixed batch).
    public var lastLoss: Float
    /// The same rates as arithmetic throughput (matrix and attention multiply-adds, 2 flops each;
    /// a training step counted as 3 forwards), in GF/s.
    public var trainGFLOPS: Double = 0
    public var forwardGFLOPS: Double = 0
    public var decodeGFLOPS: Double = 0
    /// The fp32 FMA-loop peak at `threads` threads (GF/s), and each rate as a percentage of it;
    /// nil until `relate(toPeak:)`.
    public var peakGFLOPS: Double?
    public var trainPercentOfPeak: Double?
    public var forwardPercentOfPeak: Double?
    public var decodePercentOfPeak: Double?
    /// The precision the products ran in: "fp32", or "bf16" (`--matmul bf16` on a CPU with AMX).
    public var matmul = MatmulPrecision.processDefault.effective.rawValue

    /// Fills in the percentages of `peak` GF/s.
    public mutating func relate(toPeak peak: Double) {
        guard peak > 0 else { return }
        peakGFLOPS = peak
        trainPercentOfPeak = 100 * trainGFLOPS / peak
        forwardPercentOfPeak = 100 * forwardGFLOPS / peak
        decodePercentOfPeak = 100 * decodeGFLOPS / peak
    }

    enum CodingKeys: String, CodingKey {
        case config, batch, time, threads
        case trainTokensPerSecond = "train_tokens_per_s"
        case forwardTokensPerSecond = "forward_tokens_per_s"
        case decodeBatch = "decode_batch"
        case decodeTokensPerSecond = "decode_tokens_per_s"
        case peakMemoryMiB = "peak_rss_mib"
        case lastLoss = "last_loss"
        case trainGFLOPS = "train_gflops", forwardGFLOPS = "forward_gflops", decodeGFLOPS = "decode_gflops"
        case peakGFLOPS = "fma_peak_gflops"
        case trainPercentOfPeak = "train_percent_of_peak", forwardPercentOfPeak = "forward_percent_of_peak"
        case decodePercentOfPeak = "decode_percent_of_peak"
        case matmul
    }
}

/// Flops of one token's forward pass attending to `context` positions: 2 per multiply-add of the
/// projections, the MLP and the LM head, plus QKᵀ and PV over the context.
public func forwardFlopsPerToken(config: TransformerConfig, context: Double) -> Double {
    let C = Double(config.hiddenSize), I = Double(config.intermediateSize)
    let perLayer = C * Double(config.qkvWidth) + Double(config.queryWidth) * C + 3 * I * C
    let attention = 2 * Double(config.headCount * config.headDim) * context
    return 2 * (Double(config.layerCount) * (perLayer + attention) + C * Double(config.vocabSize))
}

/// Measures the engine on `config` with batches of `batch` × `config.maxPositions` tokens.
///
/// - Parameters:
///   - steps: timed training steps (after one warm-up step); forward passes use the same count.
///   - decodeBatch: sequences decoded together; each gets a 16-token prompt, then generates until
///     the context is full, greedily.
public func benchmarkEngine(
    config: TransformerConfig, batch: Int, steps: Int, decodeBatch: Int = 64, seed: UInt64 = 1
) throws -> EngineBenchmarkResult {
    let T = config.maxPositions, N = batch * T
    let model = try TransformerModel(config: config)
    model.initializeWeights(seed: seed)
    let optimizer = AdamWOptimizer(model: model)
    let activations = Activations(config: config, maxBatch: batch, maxTime: T)
    var generator = SeededGenerator(seed: seed + 1)
    let tokens = (0..<N).map { _ in Int32(generator.next() % UInt64(config.vocabSize)) }
    let targets = (0..<N).map { n in n % T == T - 1 ? Int32(-1) : tokens[n + 1] }

    func trainStep() throws -> Float {
        try tokens.withUnsafeBufferPointer { tokenBuffer in
            try model.forward(tokens: tokenBuffer, batch: batch, time: T, activations: activations)
            let loss = targets.withUnsafeBufferPointer {
                model.crossEntropyLoss(targets: $0, rows: N, activations: activations)
            }
            model.zeroGradients()
            model.backward(tokens: tokenBuffer, batch: batch, time: T, activations: activations, outputs: [.logits])
            optimizer.update(model: model, learningRate: 1e-3)
            return loss
        }
    }

    var lastLoss = try trainStep()  // warm-up: page in buffers, spin up threads
    var start = DispatchTime.now()
    for _ in 0..<steps { lastLoss = try trainStep() }
    let trainSeconds = seconds(since: start)

    start = DispatchTime.now()
    for _ in 0..<steps {
        try tokens.withUnsafeBufferPointer {
            try model.forward(tokens: $0, batch: batch, time: T, activations: activations)
        }
    }
    let forwardSeconds = seconds(since: start)

    // The cache for the whole context, its pages mapped before the clock starts, as the peer's
    // (torch.zeros of (B, KVH, T, hd) per layer).
    let decoder = IncrementalDecoder(model: model, slots: decodeBatch, maxPositions: T)
    decoder.cache.mapAllPages()
    let promptLength = min(16, T - 1)
    let prompts = (0..<decodeBatch).map { b in Array(tokens[(b % batch) * T..<((b % batch) * T + promptLength)]) }
    let slots = Array(0..<decodeBatch)
    try decoder.prefill(prompts: prompts, slots: slots)
    var next = [Int32](repeating: 0, count: decodeBatch)
    start = DispatchTime.now()
    var generated = 0
    for _ in promptLength..<T {
        for b in 0..<decodeBatch {
            let row = decoder.logits.baseAddress! + b * config.vocabSize
            var best = 0
            for v in 1..<config.vocabSize where row[v] > row[best] { best = v }
            next[b] = Int32(best)
        }
        try decoder.step(tokens: next, slots: slots)
        generated += decodeBatch
    }
    let decodeSeconds = seconds(since: start)

    var result = EngineBenchmarkResult(
        config: config, batch: batch, time: T, threads: defaultThreadCount,
        trainTokensPerSecond: Double(N * steps) / trainSeconds,
        forwardTokensPerSecond: Double(N * steps) / forwardSeconds,
        decodeBatch: decodeBatch, decodeTokensPerSecond: Double(generated) / decodeSeconds,
        peakMemoryMiB: peakResidentMemoryMiB(), lastLoss: lastLoss)
    // A full sequence attends to (T+1)/2 positions on average; decoding from position P to T-1
    // attends to (P+1 + T)/2.
    let forwardFlops = forwardFlopsPerToken(config: config, context: Double(T + 1) / 2)
    let decodeFlops = forwardFlopsPerToken(config: config, context: Double(promptLength + 1 + T) / 2)
    result.trainGFLOPS = result.trainTokensPerSecond * 3 * forwardFlops / 1e9
    result.forwardGFLOPS = result.forwardTokensPerSecond * forwardFlops / 1e9
    result.decodeGFLOPS = result.decodeTokensPerSecond * decodeFlops / 1e9
    return result
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// Peak resident set size of this process in MiB (getrusage).
public func peakResidentMemoryMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(Linux)
    return Double(usage.ru_maxrss) / 1024  // KiB on Linux
    #else
    return Double(usage.ru_maxrss) / 1_048_576  // bytes on Darwin
    #endif
}
