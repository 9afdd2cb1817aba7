// The engine of `e2h serve`: one thread owns the model, the KV cache and the decode scheduler, and
// decodes every client's requests together (continuous batching). HTTP handlers never touch the
// model: they submit requests and read events from an `AsyncStream`; a handler that goes away
// (a client disconnected mid-stream) cancels its sequences, whose slots are free at the next step.

import Foundation
import Logging
import Tokenizers
import Training
import Transformer

/// What a submission's stream delivers: sampled tokens (streaming), finished sequences, or a
/// failure of the engine (the stream ends after it).
public enum EngineEvent: Sendable {
    case token(DecodeToken)
    case finished(DecodeOutput)
    case failed(String)
}

/// Why the engine did not take a submission.
public enum EngineRejection: Error, Equatable, CustomStringConvertible {
    /// Too many sequences are queued or running; retry later (HTTP 429).
    case busy(pending: Int, limit: Int)
    /// The server is shutting down (HTTP 503).
    case stopping

    public var description: String {
        switch self {
        case let .busy(pending, limit):
            "the server has \(pending) sequences queued or running and takes at most \(limit); retry later"
        case .stopping: "the server is shutting down"
        }
    }
}

/// Settings of the engine.
public struct EngineConfig: Codable, Sendable, Equatable {
    /// KV-cache slots: sequences decoded together in one step.
    public var slots: Int = 32
    /// Most sequences queued or running at once (each of a request's n samples counts); beyond it
    /// a submission is refused with 429.
    public var maxPendingSequences: Int = 1024
    /// Prompt tokens fed in one model step (batched prefill: a prompt goes in chunks of up to this
    /// many tokens, over all slots, while the other slots decode one token each); 1 feeds prompts
    /// one token per step.
    public var prefillChunk: Int = IncrementalDecoder.defaultPrefillChunk
    public init() {}
}

/// One model on one thread, decoding the submissions of every client together.
public final class InferenceEngine: @unchecked Sendable {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    public let config: EngineConfig
    private let logger: Logger

    /// A submission: its request ids and what the engine owes it.
    private final class Submission {
        let ids: Range<Int>
        let continuation: AsyncStream<EngineEvent>.Continuation
        var remaining: Int
        init(ids: Range<Int>, continuation: AsyncStream<EngineEvent>.Continuation, remaining: Int) {
            self.ids = ids; self.continuation = continuation; self.remaining = remaining
        }
    }

    private struct ScoringJob {
        var items: [(prompt: String, completion: String)]
        var done: @Sendable (Result<[[Float]], any Error>) -> Void
    }

    // Shared with the handlers, under `condition`.
    private let condition = NSCondition()
    private var inbox: [(Submission, [DecodeRequest])] = []
    private var cancellations: [Range<Int>] = []
    private var scoringJobs: [ScoringJob] = []
    private var nextID = 0
    private var pending = 0
    private var stopping = false
    private var stopped = false

    // Owned by the engine thread.
    private var scheduler: DecodeScheduler
    private var decoder: IncrementalDecoder?
    private var scorer: Scorer?
    private var routes: [Int: Submission] = [:]
    private var thread: Thread?
    /// Tokens fed to the model since start (prompt and generated tokens).
    public var tokensFed: Int { condition.lock(); defer { condition.unlock() }; return fed }
    /// Model steps run since start (a batched prefill chunk and the decode rows beside it are one).
    public var stepsRun: Int { condition.lock(); defer { condition.unlock() }; return steps }
    private var fed = 0, steps = 0

    /// - Parameter stopTokenIDs: ids that end a sequence; PAD and BOS are never drawn unless they
    ///   are among them (SmolLM2's PAD is its end of turn), as in `e2h sample`.
    public init(model: TransformerModel, tokenizer: any Tokenizer, config: EngineConfig, logger: Logger,
                stopTokenIDs: Set<Int> = []) {
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.logger = logger
        let V = model.config.vocabSize
        scheduler = DecodeScheduler(slots: max(1, config.slots), contextLength: max(2, model.config.maxPositions), rowWidth: V,
                                    candidateCount: min(V, tokenizer.vocabularySize),
                                    banned: [tokenizer.padID, tokenizer.bosID].filter { !stopTokenIDs.contains($0) },
                                    tokenizer: tokenizer)
        scheduler.prefillChunk = max(1, config.prefillChunk)
    }

    /// Starts the engine thread.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "e2h-engine"
        thread.stackSize = 16 << 20
        self.thread = thread
        thread.start()
    }

    /// Sequences queued or running.
    public var pendingSequences: Int { condition.lock(); defer { condition.unlock() }; return pending }

    /// Queues requests (one per prompt, each with `settings.samples` sequences) and returns their
    /// events and ids (for ``cancel(_:)``). An event's `request` is the prompt's index in `prompts`.
    /// Dropping the stream (or cancelling its consumer) cancels whatever has not finished.
    public func submit(prompts: [[Int]], settings: DecodeSettings) throws(EngineRejection)
        -> (events: AsyncStream<EngineEvent>, ids: Range<Int>) {
        let sequences = prompts.count * settings.samples
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw .stopping }
        guard pending + sequences <= config.maxPendingSequences else {
            throw .busy(pending: pending, limit: config.maxPendingSequences)
        }
        let ids = nextID..<(nextID + prompts.count)
        nextID += prompts.count
        pending += sequences
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream()
        let submission = Submission(ids: ids, continuation: continuation, remaining: sequences)
        let requests = prompts.enumerated().map { DecodeRequest(id: ids.lowerBound + $0, prompt: $1, settings: settings) }
        inbox.append((submission, requests))
        continuation.onTermination = { [weak self] reason in
            if case .cancelled = reason { self?.cancel(ids) }
        }
        condition.signal()
        return (stream, ids)
    }

    /// Step scores of (prompt, completion) pairs with the model's scalar head (``Scorer``), run on the
    /// engine thread between decode steps.
    public func score(_ items: [(prompt: String, completion: String)]) async throws -> [[Float]] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else { continuation.resume(throwing: EngineRejection.stopping); return }
            scoringJobs.append(ScoringJob(items: items) { continuation.resume(with: $0) })
            condition.signal()
        }
    }

    /// Stops taking submissions, finishes the ones taken, then ends the thread. Blocks until then.
    public func drainAndStop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped && thread != nil { condition.wait() }
        condition.unlock()
    }

    /// Drops a submission's sequences that have not finished (its client went away); their slots
    /// are free at the next step. Idempotent.
    public func cancel(_ ids: Range<Int>) {
        condition.lock()
        cancellations.append(ids)
        condition.signal()
        condition.unlock()
    }

    // MARK: - The engine thread

    private func loop() {
        while true {
            condition.lock()
            while inbox.isEmpty, cancellations.isEmpty, scoringJobs.isEmpty, scheduler.isIdle, !stopping { condition.wait() }
            if stopping, inbox.isEmpty, scoringJobs.isEmpty, scheduler.isIdle {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let (newWork, cancelled, jobs) = (inbox, cancellations, scoringJobs)
            inbox = []; cancellations = []; scoringJobs = []
            condition.unlock()

            for ids in cancelled { drop(ids) }
            for (submission, requests) in newWork { admit(submission, requests) }
            for job in jobs { runScoring(job) }
            do {
                let step = scheduler.nextStep()
                apply(step.actions)
                guard !step.slots.isEmpty else { continue }
                if decoder == nil { decoder = IncrementalDecoder(model: model, slots: scheduler.slotCount) }
                if step.counts.isEmpty {
                    try decoder!.step(tokens: step.tokens, slots: step.slots)
                } else {
                    try decoder!.step(tokens: step.tokens, counts: step.counts, slots: step.slots)
                }
                condition.lock()
                fed += step.tokens.count
                steps += 1
                condition.unlock()
                apply(scheduler.didStep(logits: UnsafePointer(decoder!.logits.baseAddress!)))
            } catch {
                logger.error("decode step failed: \(error)")
                failAll("\(error)")
            }
        }
    }

    private func admit(_ submission: Submission, _ requests: [DecodeRequest]) {
        for request in requests {
            do {
                try scheduler.admit(request)
                routes[request.id] = submission
            } catch {
                // Handlers validate first; this is the scheduler's own check (context, ids).
                scheduler.cancel(request: request.id)
                for id in submission.ids { scheduler.cancel(request: id); routes[id] = nil }
                release(submission.remaining)
                submission.remaining = 0
                submission.continuation.yield(.failed("\(error)"))
                submission.continuation.finish()
                return
            }
        }
    }

    /// Cancels a submission's sequences that have not finished.
    private func drop(_ ids: Range<Int>) {
        guard let submission = routes[ids.lowerBound] ?? ids.lazy.compactMap({ self.routes[$0] }).first else { return }
        var dropped = 0
        for id in ids {
            dropped += scheduler.cancel(request: id)
            routes[id] = nil
        }
        logger.debug("client went away: \(dropped) sequences dropped")
        release(submission.remaining)
        submission.remaining = 0
        submission.continuation.finish()
    }

    private func apply(_ actions: [DecodeAction]) {
        for action in actions {
            switch action {
            case let .reset(slot): decoder?.cache.reset(slot: slot)
            case let .copy(from, to, length): decoder?.cache.copy(slot: from, to: to, length: length)
            case let .truncate(slot, length): decoder?.cache.truncate(slot: slot, length: length)
            case var .token(token):
                guard let submission = routes[token.request] else { continue }
                token.request -= submission.ids.lowerBound
                submission.continuation.yield(.token(token))
            case var .finished(output, _):
                guard let submission = routes[output.request] else { continue }
                output.request -= submission.ids.lowerBound
                submission.continuation.yield(.finished(output))
                submission.remaining -= 1
                release(1)
                if submission.remaining == 0 {
                    for id in submission.ids { routes[id] = nil }
                    submission.continuation.finish()
                }
            }
        }
    }

    private func runScoring(_ job: ScoringJob) {
        do {
            if scorer == nil { scorer = Scorer(model: model, tokenizer: tokenizer) }
            job.done(.success(try scorer!.scores(job.items)))
        } catch {
            job.done(.failure(error))
        }
    }

    private func failAll(_ message: String) {
        var seen = Set<ObjectIdentifier>()
        for submission in routes.values where seen.insert(ObjectIdentifier(submission)).inserted {
            for id in submission.ids { scheduler.cancel(request: id) }
            release(submission.remaining)
            submission.remaining = 0
            submission.continuation.yield(.failed(message))
            submission.continuation.finish()
        }
        routes = [:]
    }

    private func release(_ sequences: Int) {
        condition.lock()
        pending -= sequences
        condition.unlock()
    }
}
