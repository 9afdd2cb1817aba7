// Batched sampling with the KV cache: the shell around the decode scheduler. The scheduler decides
// (continuous batching, shared prompts, draws, stops); this file runs the model and the cache
// actions it asks for.

import Datasets
import Foundation
import Kernels
import Tokenizers
import Transformer

/// A problem to sample: its id and the prompt text.
public struct SamplingJob: Sendable {
    public var problemID: String
    public var prompt: String
    public init(problemID: String, prompt: String) { self.problemID = problemID; self.prompt = prompt }
}

/// Samples completions from a policy: many requests × many samples share the decoder's slots.
public final class Sampler {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    public let config: SamplingConfig
    /// Token ids that end a sequence: the model bundle's, else the tokenizer's.
    public let stopTokenIDs: Set<Int>

    public init(model: TransformerModel, tokenizer: any Tokenizer, config: SamplingConfig, stopTokenIDs: Set<Int>? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.stopTokenIDs = stopTokenIDs ?? tokenizer.stopIDs
    }

    /// Tokens processed in the last `decode` or `sample` call (prompt + generated) and its duration.
    public private(set) var lastTokenCount = 0
    public private(set) var lastSeconds = 0.0
    /// Prompt tokens fed per step in one batched causal pass (``DecodeScheduler/prefillChunk``);
    /// 1 feeds prompts one token per step.
    public var prefillChunk = IncrementalDecoder.defaultPrefillChunk
    /// The last decoder's packed weights, reused by the next `decode` (packing SmolLM2 takes ~0.3 s).
    private var packedWeights: PackedWeights?

    /// Samples `config.samplesPerProblem` completions for every job, in (job, sample index) order.
    /// Job i's request has seed `config.seed &+ i &* 0x9E37_79B9_7F4A_7C15` (``SamplingConfig/settings(job:stopTokenIDs:)``).
    public func sample(_ jobs: [SamplingJob], progress: ProgressReporter? = nil) throws -> [SampleRecord] {
        let requests = try jobs.enumerated().map { i, job in
            let ids = try tokenizer.encodeSequence(prompt: job.prompt, completion: "", appendEOS: false).tokens.map(Int.init)
            guard ids.count < model.config.maxPositions else {
                throw TrainingError.invalidData("prompt of \(job.problemID) has \(ids.count) tokens, the model's context is \(model.config.maxPositions)")
            }
            return DecodeRequest(id: i, prompt: ids, settings: config.settings(job: i, stopTokenIDs: stopTokenIDs))
        }
        return try decode(requests, progress: progress).map { output in
            let parsed = SolutionFormat.parseCompletion(output.text)
            return SampleRecord(problemID: jobs[output.request].problemID, sampleIndex: output.sample, output: output.text,
                                answer: parsed.answer, steps: parsed.steps, finishReason: output.finishReason.rawValue,
                                tokenIDs: config.recordTokens ? output.tokenIDs : nil,
                                logprobs: config.recordTokens ? output.logprobs : nil)
        }
    }

    /// Decodes every request (each with its own settings) on `config.batchSlots` slots.
    ///
    /// - Parameters:
    ///   - requests: ids `0..<requests.count` in order are the usual choice; any unique ids work.
    ///   - onToken: called with every sampled token as it is drawn (streaming).
    /// - Returns: the outputs in (request order, sample index) order.
    public func decode(_ requests: [DecodeRequest], progress: ProgressReporter? = nil,
                       onToken: ((DecodeToken) -> Void)? = nil) throws -> [DecodeOutput] {
        let V = model.config.vocabSize
        let total = requests.reduce(0) { $0 + $1.settings.samples }
        // The cache holds what the requests can use, not the model's whole context.
        let longest = requests.map { $0.prompt.count + $0.settings.maxNewTokens }.max() ?? 2
        let context = max(2, min(model.config.maxPositions, longest))
        // PAD and BOS are never drawn, unless they also end a sequence (SmolLM2's PAD is its end of turn).
        let banned = [tokenizer.padID, tokenizer.bosID].filter { !stopTokenIDs.contains($0) }
        var scheduler = DecodeScheduler(slots: max(1, min(config.batchSlots, total)), contextLength: context, rowWidth: V,
                                        candidateCount: min(V, tokenizer.vocabularySize),
                                        banned: banned, tokenizer: tokenizer)
        scheduler.prefillChunk = max(1, prefillChunk)
        var index: [Int: Int] = [:]  // request id → first output index
        var first = 0
        for request in requests {
            guard index[request.id] == nil else {
                throw DecodeRequestError(request: request.id, message: "two requests have this id")
            }
            index[request.id] = first
            first += request.settings.samples
            try scheduler.admit(request)
        }
        let decoder = IncrementalDecoder(model: model, slots: scheduler.slotCount, maxPositions: context, reusing: packedWeights)
        defer { packedWeights = decoder.packedWeights }
        var results = [DecodeOutput?](repeating: nil, count: total)
        var finished = 0, tokens = 0
        let start = Date()

        func apply(_ actions: [DecodeAction]) {
            for action in actions {
                switch action {
                case let .reset(slot): decoder.cache.reset(slot: slot)
                case let .copy(from, to, length): decoder.cache.copy(slot: from, to: to, length: length)
                case let .truncate(slot, length): decoder.cache.truncate(slot: slot, length: length)
                case let .token(token): onToken?(token)
                case let .finished(output, _):
                    results[index[output.request]! + output.sample] = output
                    finished += 1
                    progress?.update(finished, unit: "samples", rate: Double(tokens) / max(1e-9, Date().timeIntervalSince(start)))
                }
            }
        }
        while true {
            let step = scheduler.nextStep()
            apply(step.actions)
            guard !step.slots.isEmpty else { break }
            if step.counts.isEmpty {
                try decoder.step(tokens: step.tokens, slots: step.slots)
            } else {
                try decoder.step(tokens: step.tokens, counts: step.counts, slots: step.slots)
            }
            tokens += step.tokens.count
            apply(scheduler.didStep(logits: UnsafePointer(decoder.logits.baseAddress!)))
        }
        lastTokenCount = tokens
        lastSeconds = Date().timeIntervalSince(start)
        guard scheduler.isIdle, finished == total else {
            throw TrainingError.invalidData("the decode scheduler stopped with \(total - finished) of \(total) sequences unfinished")
        }
        return results.map { $0! }
    }
}
