// Batched sampling with the KV cache and continuous batching: many problems × many samples share
// the decoder's slots; a finished sequence's slot takes the next job at once. Each problem's
// prompt is run through the model once; its other samples copy the cached prompt.

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

/// Samples solutions from a policy.
public final class Sampler {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    public let config: SamplingConfig
    let newlineID: Int32?

    public init(model: TransformerModel, tokenizer: any Tokenizer, config: SamplingConfig) {
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        newlineID = (try? tokenizer.encode("\n")).flatMap { $0.first }.map(Int32.init)
    }

    /// Tokens processed in the last `sample` call (prompt + generated) and its duration.
    public private(set) var lastTokenCount = 0
    public private(set) var lastSeconds = 0.0

    private struct Active {
        var problem: Int
        var sample: Int
        var prompt: [Int32]
        var fed = 0  // prompt tokens fed so far
        var generated: [Int32] = []
        var generator: SeededGenerator
        var next: Int32 = 0  // the token to feed at the next step
        var waiting = false  // another slot is feeding this problem's prompt; copy it when done
    }

    /// Samples `config.samplesPerProblem` completions for every job, in (job, sample index) order.
    public func sample(_ jobs: [SamplingJob], progress: ProgressReporter? = nil) throws -> [SampleRecord] {
        let V = model.config.vocabSize
        let vocabularySize = min(V, tokenizer.vocabularySize)
        let banned = [tokenizer.padID, tokenizer.bosID]
        let N = config.samplesPerProblem
        let prompts = try jobs.map { job -> [Int32] in
            let ids = [tokenizer.bosID] + (try tokenizer.encode(job.prompt))
            guard ids.count < model.config.maxPositions else {
                throw TrainingError.invalidData("prompt of \(job.problemID) has \(ids.count) tokens, the model's context is \(model.config.maxPositions)")
            }
            return ids.map(Int32.init)
        }
        let slots = max(1, min(config.batchSlots, jobs.count * N))
        let decoder = IncrementalDecoder(model: model, slots: slots)
        var results = [SampleRecord?](repeating: nil, count: jobs.count * N)
        var active = [Active?](repeating: nil, count: slots)
        var promptLogits: [Int: [Float]] = [:]  // problem → logits after its whole prompt
        var promptSlot: [Int: Int] = [:]  // problem → a slot whose cache holds its whole prompt
        var queue = (0..<(jobs.count * N)).makeIterator()
        var scratch: [(id: Int, weight: Float)] = []
        var finished = 0
        var tokens = 0
        let start = Date()

        func assign(_ slot: Int) {
            guard let job = queue.next() else { active[slot] = nil; return }
            let problem = job / N, sample = job % N
            var state = Active(problem: problem, sample: sample, prompt: prompts[problem],
                               generator: SeededGenerator(seed: config.seed &+ UInt64(problem) &* 0x9E37_79B9_7F4A_7C15
                                                          &+ UInt64(sample) &* 0xBF58_476D_1CE4_E5B9))
            if let logits = promptLogits[problem], let source = promptSlot[problem],
               let holder = active[source], holder.problem == problem, holder.fed == holder.prompt.count {
                // Reuse the cached prompt: keep or copy it, and sample the first token from its logits.
                if source == slot {
                    decoder.cache.truncate(slot: slot, length: state.prompt.count)
                } else {
                    decoder.cache.copy(slot: source, to: slot, length: state.prompt.count)
                }
                state.fed = state.prompt.count
                state.next = logits.withUnsafeBufferPointer {
                    Int32(sampleToken(logits: $0.baseAddress!, vocab: vocabularySize, banned: banned, temperature: config.temperature,
                                      topK: config.topK, topP: config.topP, generator: &state.generator, scratch: &scratch))
                }
                state.generated.append(state.next)
            } else {
                decoder.cache.reset(slot: slot)
                state.next = state.prompt[0]
                // Run each prompt through the model once: wait for a slot already feeding it.
                state.waiting = active.contains { $0?.problem == problem && $0!.fed < $0!.prompt.count && !$0!.waiting }
            }
            active[slot] = state
        }

        /// Gives every slot waiting for `problem`'s prompt a copy of `source`'s cache and a first token.
        func release(problem: Int, from source: Int, logits: UnsafePointer<Float>) {
            for slot in 0..<slots {
                guard var state = active[slot], state.waiting, state.problem == problem else { continue }
                decoder.cache.copy(slot: source, to: slot, length: state.prompt.count)
                state.waiting = false
                state.fed = state.prompt.count
                state.next = Int32(sampleToken(logits: logits, vocab: vocabularySize, banned: banned, temperature: config.temperature,
                                               topK: config.topK, topP: config.topP, generator: &state.generator, scratch: &scratch))
                state.generated.append(state.next)
                active[slot] = state
            }
        }
        for slot in 0..<slots { assign(slot) }

        while active.contains(where: { $0 != nil }) {
            // Retire sequences whose last sampled token ended them (possible right after assignment).
            for slot in 0..<slots {
                guard let state = active[slot], !state.waiting, state.fed == state.prompt.count,
                      let last = state.generated.last else { continue }
                if let reason = stopReason(state.generated, last: last, promptLength: state.prompt.count) {
                    results[state.problem * N + state.sample] = record(state, jobs: jobs, reason: reason)
                    finished += 1
                    progress?.update(finished, unit: "samples", rate: Double(tokens) / max(1e-9, Date().timeIntervalSince(start)))
                    assign(slot)
                }
            }
            let rows = (0..<slots).filter { active[$0] != nil && !active[$0]!.waiting }
            guard !rows.isEmpty else { break }
            try decoder.step(tokens: rows.map { active[$0]!.next }, slots: rows)
            tokens += rows.count
            for (r, slot) in rows.enumerated() {
                var state = active[slot]!
                let row = decoder.logits.baseAddress! + r * V
                if state.fed < state.prompt.count {
                    state.fed += 1
                    if state.fed < state.prompt.count {
                        state.next = state.prompt[state.fed]
                        active[slot] = state
                        continue
                    }
                    promptLogits[state.problem] = Array(UnsafeBufferPointer(start: row, count: V))
                    promptSlot[state.problem] = slot
                    release(problem: state.problem, from: slot, logits: row)
                }
                state.next = Int32(sampleToken(logits: row, vocab: vocabularySize, banned: banned, temperature: config.temperature, topK: config.topK,
                                               topP: config.topP, generator: &state.generator, scratch: &scratch))
                state.generated.append(state.next)
                active[slot] = state
            }
        }
        lastTokenCount = tokens
        lastSeconds = Date().timeIntervalSince(start)
        return results.map { $0! }
    }

    /// Why a sequence should stop after its latest token, or nil to go on.
    private func stopReason(_ generated: [Int32], last: Int32, promptLength: Int) -> String? {
        if Int(last) == tokenizer.eosID { return "eos" }
        if generated.count >= config.maxNewTokens || promptLength + generated.count >= model.config.maxPositions {
            return "length"
        }
        if last == newlineID {
            let text = tokenizer.decode(generated.map(Int.init), stopAtEOS: true)
            let parsed = SolutionFormat.parseCompletion(text)
            // The answer's line is complete: the newline just written follows it.
            if let range = parsed.answerRange, parsed.answer != nil,
               text.unicodeScalars.count > range.upperBound { return "answer" }
        }
        return nil
    }

    private func record(_ state: Active, jobs: [SamplingJob], reason: String) -> SampleRecord {
        let text = tokenizer.decode(state.generated.map(Int.init), stopAtEOS: true)
        let output = reason == "answer" ? String(text.dropLast()) : text  // drop the newline that ended it
        let parsed = SolutionFormat.parseCompletion(output)
        return SampleRecord(problemID: jobs[state.problem].problemID, sampleIndex: state.sample, output: output,
                            answer: parsed.answer, steps: parsed.steps, finishReason: reason)
    }
}
