// Sampling N completions per prompt through a remote server: missing samples grouped into
// requests of at most `maxNPerRequest` (a server may cap n, as llama.cpp's at its slots), at most
// `concurrency` requests in flight, and each sample handed to the caller as soon as it arrives.

import Foundation
import InferenceProtocol

/// A prompt to sample and the sample indices still missing.
public struct RemoteJob: Sendable, Equatable {
    /// The caller's index of the job (e.g. the problem's position).
    public var index: Int
    public var prompt: String
    /// Seed of sample 0; sample j of `e2h serve` draws from `seed &+ j &* 0xBF58_476D_1CE4_E5B9`
    /// (as local decoding), so a request for samples s..<s+k carries seed `seed &+ s &* that`.
    public var seed: UInt64
    /// Sample indices to produce, increasing.
    public var missing: [Int]

    public init(index: Int, prompt: String, seed: UInt64, missing: [Int]) {
        self.index = index; self.prompt = prompt; self.seed = seed; self.missing = missing
    }
}

/// One sample that came back.
public struct RemoteSample: Sendable, Equatable {
    public var job: Int
    public var sample: Int
    public var choice: CompletionChoice
}

/// Sampling parameters sent with every request.
public struct RemoteSamplingSettings: Sendable {
    public var model: String
    public var maxTokens: Int = 256
    public var temperature: Double = 0.7
    public var topP: Double = 1
    /// 0: not sent (off).
    public var topK: Int = 0
    public var stop: [String] = []
    /// Ask for per-token log-probabilities (and token ids).
    public var logprobs = true
    /// Most completions asked in one request.
    public var maxNPerRequest = 16
    /// Requests in flight at once.
    public var concurrency = 16

    public init(model: String) { self.model = model }
}

/// One request of a plan: samples `start..<start+count` of a job.
public struct PlannedRequest: Sendable, Equatable {
    public var job: Int
    public var start: Int
    public var count: Int
}

/// Throughput so far.
public struct RemoteProgress: Sendable {
    public var requests = 0
    public var samples = 0
    public var completionTokens = 0
    public var seconds = 0.0
    public var retries = 0
    public var requestsPerSecond: Double { Double(requests) / max(seconds, 1e-9) }
    public var tokensPerSecond: Double { Double(completionTokens) / max(seconds, 1e-9) }
}

public enum RemotePlan {
    /// Contiguous runs of `missing` (increasing sample indices), each at most `maxN` long.
    public static func chunks(missing: [Int], maxN: Int) -> [(start: Int, count: Int)] {
        precondition(maxN >= 1)
        var runs: [(start: Int, count: Int)] = []
        for index in missing {
            if let last = runs.last, last.start + last.count == index, last.count < maxN {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((index, 1))
            }
        }
        return runs
    }

    /// The most completions per request a server's refusal names: llama.cpp's "Field 'n': Value
    /// must be between 1 <= value <= 4, but got 16" (n is capped at its slots), OpenAI's "n must
    /// be at most 8" and `e2h serve`'s "n is 16; it must be an integer in 1...8"; nil otherwise.
    public static func nLimit(fromError message: String) -> Int? {
        for pattern in [#"Field 'n(?:_cmpl)?': Value must be between 1 <= value <= (\d+)"#, #"\bn must be at most (\d+)"#,
                        #"\bn is \d+; it must be an integer in 1\.\.\.(\d+)"#] {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)),
                  let range = Range(match.range(at: 1), in: message), let limit = Int(message[range]), limit >= 1 else { continue }
            return limit
        }
        return nil
    }

    /// The seed of a request whose first sample is `start` (see ``RemoteJob/seed``).
    public static func seed(_ seed: UInt64, start: Int) -> Int64 {
        Int64(bitPattern: seed &+ UInt64(start) &* 0xBF58_476D_1CE4_E5B9)
    }
}

/// Samples jobs through an ``OpenAIClient``.
public final class RemoteSampler: Sendable {
    public let client: OpenAIClient
    public let settings: RemoteSamplingSettings

    public init(client: OpenAIClient, settings: RemoteSamplingSettings) {
        self.client = client
        self.settings = settings
    }

    /// Requests every missing sample; `onSample` gets each (serially, in arrival order), `onProgress`
    /// the throughput after every request. A server that returns fewer choices than asked (it caps
    /// n) gets the rest in further rounds with n at most what it returned; one that refuses the
    /// request naming its limit on n (``RemotePlan/nLimit(fromError:)``, llama.cpp) gets it again in
    /// the next round with n at most that limit.
    /// - Throws: the first request that failed for good (``ClientError``), or `onSample`'s error.
    public func run(_ jobs: [RemoteJob], onSample: @escaping @Sendable (RemoteSample) async throws -> Void,
                    onProgress: @escaping @Sendable (RemoteProgress) -> Void = { _ in }) async throws {
        let state = SamplerState()
        let start = Date()
        var pending = jobs.filter { !$0.missing.isEmpty }
        var maxN = max(1, settings.maxNPerRequest)
        for _ in 0..<8 where !pending.isEmpty {
            let plan = pending.flatMap { job in
                RemotePlan.chunks(missing: job.missing, maxN: maxN).map { PlannedRequest(job: job.index, start: $0.start, count: $0.count) }
            }
            let byIndex = Dictionary(pending.map { ($0.index, $0) }) { a, _ in a }
            try await withThrowingTaskGroup(of: (PlannedRequest, CompletionResponse?, Int?).self) { group in
                var next = 0
                func launch() {
                    guard next < plan.count else { return }
                    let request = plan[next], job = byIndex[request.job]!
                    next += 1
                    group.addTask { [settings, client] in
                        var body = CompletionRequest(
                            model: settings.model, prompt: .texts([job.prompt]), maxTokens: settings.maxTokens, n: request.count,
                            temperature: settings.temperature, topP: settings.topP, topK: settings.topK > 0 ? settings.topK : nil,
                            seed: RemotePlan.seed(job.seed, start: request.start), stop: settings.stop.isEmpty ? nil : settings.stop,
                            logprobs: settings.logprobs ? 1 : nil, returnTokenIDs: settings.logprobs ? true : nil)
                        body.stream = false
                        do {
                            return (request, try await client.completions(body), nil)
                        } catch let error as ClientError where error.status == 400 && request.count > 1 {
                            guard let limit = RemotePlan.nLimit(fromError: error.message), limit < request.count else { throw error }
                            return (request, nil, limit)
                        }
                    }
                }
                for _ in 0..<max(1, settings.concurrency) { launch() }
                while let (request, reply, limit) = try await group.next() {
                    launch()
                    guard let response = reply else {
                        await state.capped(at: limit ?? 1)
                        continue
                    }
                    var tokens = 0
                    for choice in response.choices where choice.index >= 0 && choice.index < request.count {
                        tokens += choice.logprobs?.tokens.count ?? choice.tokenIDs?.count ?? 0
                        try await onSample(RemoteSample(job: request.job, sample: request.start + choice.index, choice: choice))
                        await state.mark(Key(job: request.job, sample: request.start + choice.index))
                    }
                    // llama.cpp's usage counts one choice's tokens when n > 1: the larger count holds.
                    let usageTokens = max(response.usage?.completionTokens ?? 0, tokens)
                    let progress = await state.record(samples: response.choices.count, tokens: usageTokens,
                                                      seconds: Date().timeIntervalSince(start))
                    onProgress(progress)
                    if response.choices.count < request.count { await state.capped(at: max(1, response.choices.count)) }
                }
            }
            let done = await state.done
            pending = pending.compactMap { job in
                var job = job
                job.missing = job.missing.filter { !done.contains(Key(job: job.index, sample: $0)) }
                return job.missing.isEmpty ? nil : job
            }
            maxN = min(maxN, await state.cap ?? maxN)
        }
        if let job = pending.first {
            throw ClientError(status: nil, message: "the server never returned sample(s) \(job.missing.prefix(5)) of job \(job.index)",
                              path: "/v1/completions", attempts: 8)
        }
    }

    struct Key: Hashable { var job: Int; var sample: Int }

    actor SamplerState {
        var progress = RemoteProgress()
        var done = Set<Key>()
        var cap: Int?

        func record(samples: Int, tokens: Int, seconds: Double) -> RemoteProgress {
            progress.requests += 1
            progress.samples += samples
            progress.completionTokens += tokens
            progress.seconds = seconds
            return progress
        }

        func capped(at n: Int) { cap = min(cap ?? n, n) }
        func mark(_ key: Key) { done.insert(key) }
    }
}
