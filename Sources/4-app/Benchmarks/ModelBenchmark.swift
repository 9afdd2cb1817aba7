// `e2h bench --model FILE`: a real model's speed as a user meets it, the figures llama.cpp's
// `llama-bench` and `llama-batched-bench` print for the same file: prompt processing (one prompt
// in batched causal passes), decoding at batch 1 and at batch B (through the sampler: scheduler,
// sampling and all), peak memory. The peer script is bench/peers/llamacpp/llama_bench.py.

import Foundation
import GEMM
import Support
import Training
import Transformer

/// What `benchmarkModel` measures.
public struct ModelBenchmarkOptions: Sendable {
    /// Tokens of the prompt whose processing is timed (llama-bench `-p`).
    public var promptTokens = 512
    /// New tokens per sequence when decoding (llama-bench `-n`).
    public var newTokens = 128
    /// Sequences decoded together for the batched figure.
    public var batch = 64
    /// Compute on a GGUF file's quantized blocks (else dequantize to Float at load).
    public var keepQuantized = true
    /// Timed repetitions of each figure (their mean is printed, as llama-bench does).
    public var repetitions = 2
    public init() {}
}

/// The figures of one model. Rates in tokens per second.
public struct ModelBenchmarkResult: Codable, Sendable {
    public var model: String
    /// "quantized" (blocks computed on as stored) or "float32".
    public var weights: String
    /// Bytes of the weights read per token: quantized matrices plus float parameters in use.
    public var weightBytes: Int
    public var parameterCount: Int
    public var threads: Int
    public var loadSeconds: Double
    public var promptTokens: Int
    public var promptTokensPerSecond: Double
    public var newTokens: Int
    public var decodeBatch1TokensPerSecond: Double
    public var batch: Int
    public var decodeBatchTokensPerSecond: Double
    /// Peak resident set of the process after loading and decoding (getrusage).
    public var peakRSSBytes: Int
    /// 2 × parameters × tokens/s, and its share of `fmaPeakGFLOPS` (prompt, batch B).
    public var promptGFLOPS: Double, batchGFLOPS: Double
    public var fmaPeakGFLOPS: Double
    public var promptPercentOfPeak: Double, batchPercentOfPeak: Double
    /// Weight bytes × batch-1 tokens/s, and its share of `readBandwidthGBps` (batch 1 is memory-bound).
    public var batch1GBps: Double
    public var readBandwidthGBps: Double
    public var batch1PercentOfBandwidth: Double

    enum CodingKeys: String, CodingKey {
        case model, weights, threads, batch
        case weightBytes = "weight_bytes", parameterCount = "parameters", loadSeconds = "load_seconds"
        case promptTokens = "prompt_tokens", promptTokensPerSecond = "prompt_tokens_per_s"
        case newTokens = "new_tokens", decodeBatch1TokensPerSecond = "decode_batch1_tokens_per_s"
        case decodeBatchTokensPerSecond = "decode_batch_tokens_per_s", peakRSSBytes = "peak_rss_bytes"
        case promptGFLOPS = "prompt_gflops", batchGFLOPS = "batch_gflops", fmaPeakGFLOPS = "fma_peak_gflops"
        case promptPercentOfPeak = "prompt_percent_of_peak", batchPercentOfPeak = "batch_percent_of_peak"
        case batch1GBps = "batch1_gbytes_per_s", readBandwidthGBps = "read_bandwidth_gbytes_per_s"
        case batch1PercentOfBandwidth = "batch1_percent_of_bandwidth"
    }
}

/// Peak resident set size of this process, in bytes.
public func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss
    #endif
}

/// The machine's memory read bandwidth in GB/s: the best of three sums over 256 MB on all threads.
public func measureReadBandwidth(threads: Int = defaultThreadCount) -> Double {
    let count = 64 << 20  // floats
    let buffer = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: count / 8)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: SIMD8<Float>(repeating: 1), count: count / 8)
    var best = 0.0
    let sink = UnsafeMutablePointer<Float>.allocate(capacity: 64)
    defer { sink.deallocate() }
    for _ in 0..<3 {
        let start = Date()
        parallelChunks(count / 8, minimumPerChunk: 1 << 16, threads: threads) { range in
            var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
            var i = range.lowerBound
            while i + 4 <= range.upperBound {
                a += buffer[i]; b += buffer[i + 1]; c += buffer[i + 2]; d += buffer[i + 3]
                i += 4
            }
            sink[range.lowerBound * 8 / count] = (a + b + c + d).sum()
        }
        best = max(best, Double(count * 4) / Date().timeIntervalSince(start) / 1e9)
    }
    return best
}

/// Loads `url` and measures it (see the file comment). `fmaPeak` is the machine's fp32 peak in
/// GF/s on the threads used.
public func benchmarkModel(url: URL, options: ModelBenchmarkOptions, fmaPeak: Double,
                           log: (String) -> Void = { _ in }) throws -> ModelBenchmarkResult {
    let loadStart = Date()
    let bundle = try ModelBundle.load(from: url, promptFormat: nil, keepQuantized: options.keepQuantized)
    let loadSeconds = Date().timeIntervalSince(loadStart)
    let model = bundle.model, config = model.config
    let quantized = model.quantizedWeights
    let floatBytes = model.layout.tensors
        .filter { !(quantized?.names.contains($0.name) ?? false) && !model.layout.scoreHeadNames.contains($0.name) }
        .reduce(0) { $0 + 4 * $1.count }
    let weightBytes = floatBytes + (quantized?.byteCount ?? 0)
    // Parameters a token passes through (the tied head counted once, as llama.cpp counts them).
    let parameterCount = model.layout.tensors.filter { !model.layout.scoreHeadNames.contains($0.name) }.reduce(0) { $0 + $1.count }
    log(String(format: "loaded %@ in %.2f s (%@ weights, %.0f MB)", url.lastPathComponent, loadSeconds,
               quantized == nil ? "float32" : "quantized", Double(weightBytes) / 1e6))

    // Prompt processing: one prompt of random ids, fed in batched causal chunks (warm-up first).
    var generator = SeededGenerator(seed: 7)
    let prompt = (0..<options.promptTokens).map { _ in Int32(generator.below(config.vocabSize)) }
    var promptSeconds = 0.0
    do {  // this decoder (its cache and any bfloat16 tiles) is freed before the sampler's
        let decoder = IncrementalDecoder(model: model, slots: 1, maxPositions: options.promptTokens + 1)
        try decoder.prefill(prompts: [Array(prompt.prefix(32))], slots: [0])
        for _ in 0..<options.repetitions {
            decoder.cache.resetAll()
            let start = Date()
            try decoder.prefill(prompts: [prompt], slots: [0])
            promptSeconds += Date().timeIntervalSince(start)
        }
    }
    let promptRate = Double(options.promptTokens * options.repetitions) / promptSeconds
    log(String(format: "prompt processing: %.1f tokens/s", promptRate))

    // Decoding through the sampler: a one-token prompt (a different one per sequence), `newTokens`
    // greedy tokens, no stop id. Greedy, as llama-batched-bench samples nothing: a temperature
    // without top-k sorts the whole vocabulary per token (TokenSampler.swift), which at 49,152 ids
    // costs more than the model step at batch 64.
    func decode(batch: Int) throws -> Double {
        var sampling = SamplingConfig()
        sampling.batchSlots = batch
        let sampler = Sampler(model: model, tokenizer: bundle.tokenizer, config: sampling, stopTokenIDs: [])
        let requests = (0..<batch).map { i in
            DecodeRequest(id: i, prompt: [Int(prompt[i % prompt.count])],
                          settings: DecodeSettings(samples: 1, temperature: 0, seed: UInt64(i), maxNewTokens: options.newTokens))
        }
        // Untimed warm-up: threads spun up, and the weights packed as the timed runs reuse them.
        let warmUp = requests.map { r in
            DecodeRequest(id: r.id, prompt: r.prompt, settings: DecodeSettings(samples: 1, temperature: 0, seed: 0, maxNewTokens: 2))
        }
        _ = try sampler.decode(warmUp)
        var seconds = 0.0, tokens = 0
        for _ in 0..<options.repetitions {
            let outputs = try sampler.decode(requests)
            seconds += sampler.lastSeconds
            tokens += outputs.reduce(0) { $0 + $1.tokenIDs.count }
        }
        return Double(tokens) / seconds
    }
    let batch1 = try decode(batch: 1)
    log(String(format: "decoding, batch 1: %.1f tokens/s", batch1))
    let batched = try decode(batch: options.batch)
    log(String(format: "decoding, batch %d: %.1f tokens/s", options.batch, batched))
    let peakRSS = peakResidentBytes()  // before the bandwidth test's 256 MB buffer
    let bandwidth = measureReadBandwidth()
    let flopsPerToken = 2 * Double(parameterCount)
    func percent(_ value: Double, of peak: Double) -> Double { peak > 0 ? 100 * value / peak : 0 }
    let promptGF = flopsPerToken * promptRate / 1e9, batchGF = flopsPerToken * batched / 1e9
    let batch1GB = Double(weightBytes) * batch1 / 1e9
    return ModelBenchmarkResult(
        model: url.path, weights: quantized == nil ? "float32" : "quantized", weightBytes: weightBytes,
        parameterCount: parameterCount, threads: defaultThreadCount, loadSeconds: loadSeconds,
        promptTokens: options.promptTokens, promptTokensPerSecond: promptRate, newTokens: options.newTokens,
        decodeBatch1TokensPerSecond: batch1, batch: options.batch, decodeBatchTokensPerSecond: batched,
        peakRSSBytes: peakRSS, promptGFLOPS: promptGF, batchGFLOPS: batchGF, fmaPeakGFLOPS: fmaPeak,
        promptPercentOfPeak: percent(promptGF, of: fmaPeak), batchPercentOfPeak: percent(batchGF, of: fmaPeak),
        batch1GBps: batch1GB, readBandwidthGBps: bandwidth, batch1PercentOfBandwidth: percent(batch1GB, of: bandwidth))
}
