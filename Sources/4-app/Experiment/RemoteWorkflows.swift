// `e2h sample --endpoint` and `e2h score --endpoint`: the sampling and scoring stages through an
// OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, `e2h serve`). The files they write
// are the ones local sampling and scoring write; nothing downstream knows the difference.

import Datasets
import Foundation
import InferenceClient
import InferenceProtocol
import Training

/// How to reach the server and how hard to push it.
public struct RemoteOptions: Sendable {
    public var endpoint: String
    /// The served model's name (`model` of every request).
    public var model: String
    public var apiKey: String?
    /// Requests in flight at once.
    public var concurrency = 16
    /// Most completions (or pooling inputs) asked in one request.
    public var maxNPerRequest = 16
    /// Seconds one try may take.
    public var timeout = 600.0
    /// Tries per request (retries on 429, 5xx, timeouts).
    public var attempts = 6

    public init(endpoint: String, model: String) { self.endpoint = endpoint; self.model = model }

    func client(log: @escaping @Sendable (String) -> Void) -> OpenAIClient {
        var config = ClientConfig(endpoint: endpoint, apiKey: apiKey)
        config.timeout = timeout
        config.retry.attempts = max(1, attempts)
        return OpenAIClient(config: config) { path, attempt, error, wait in
            log("\(path): try \(attempt) failed (\(error)); retrying in \(String(format: "%.1f", wait)) s")
        }
    }
}

/// `e2h sample --endpoint`: samples `sampling.samplesPerProblem` completions per problem through a
/// server and writes (appends to) `out`. Rerunning appends only the missing (problem, sample)
/// pairs; once all are there the file is rewritten in (problem, sample) order, as local sampling
/// writes it. Problem i's requests carry seed `sampling.seed &+ i &* 0x9E37_79B9_7F4A_7C15` (offset
/// per sample), so `e2h serve` draws what local sampling draws.
public func sampleProblemsRemote(remote: RemoteOptions, problems: String, out: String, sampling: SamplingConfig,
                                 progress: ProgressReporter? = nil, log: @escaping @Sendable (String) -> Void) async throws {
    try await sampleProblemsRemote(remote: remote, problems: try readStrict(Problem.self, problems), out: out, sampling: sampling,
                                   progress: progress, log: log)
}

/// ``sampleProblemsRemote(remote:problems:out:sampling:progress:log:)`` on problems in memory
/// (`e2h run` with a `sampler`).
public func sampleProblemsRemote(remote: RemoteOptions, problems records: [Problem], out: String, sampling: SamplingConfig,
                                 progress: ProgressReporter? = nil, log: @escaping @Sendable (String) -> Void) async throws {
    let byID = Dictionary(records.map { ($0.id, $0) }) { a, _ in a }
    let file = try ResumableSampleFile(path: out)
    if file.droppedBytes > 0 { log("\(out): dropped a half-written last line (\(file.droppedBytes) bytes)") }
    let n = sampling.samplesPerProblem
    var done = Set<String>()
    for record in file.records where byID[record.problemID] != nil && record.sampleIndex < n {
        done.insert("\(record.problemID)\u{0}\(record.sampleIndex)")
    }
    let jobs = records.enumerated().map { i, problem in
        RemoteJob(index: i, prompt: SolutionFormat.prompt(problem: problem.problem),
                  seed: sampling.seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15,
                  missing: (0..<n).filter { !done.contains("\(problem.id)\u{0}\($0)") })
    }
    let missing = jobs.reduce(0) { $0 + $1.missing.count }
    if !file.records.isEmpty { log("\(out): \(file.records.count) samples already there, \(missing) to sample") }

    var settings = RemoteSamplingSettings(model: remote.model)
    settings.maxTokens = sampling.maxNewTokens
    settings.temperature = Double(sampling.temperature)
    settings.topP = Double(sampling.topP)
    settings.topK = sampling.topK
    settings.stop = sampling.stopStrings
    settings.logprobs = sampling.recordTokens
    settings.maxNPerRequest = remote.maxNPerRequest
    settings.concurrency = remote.concurrency
    let client = remote.client(log: log)
    let answerLine = sampling.stopRules.contains(.answerLine), alreadyDone = done.count
    let recordTokens = sampling.recordTokens
    do {
        try await RemoteSampler(client: client, settings: settings).run(jobs, onSample: { sample in
            let problem = records[sample.job]
            let record = remoteSampleRecord(problemID: problem.id, sampleIndex: sample.sample, choice: sample.choice,
                                            answerLineStop: answerLine, recordTokens: recordTokens)
            try file.append(gradeSamples([record], problems: byID)[0])
        }, onProgress: { p in
            progress?.update(alreadyDone + p.samples, unit: "samples", rate: p.tokensPerSecond,
                             detail: String(format: "%.1f req/s", p.requestsPerSecond))
        })
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    let order = Dictionary(records.enumerated().map { ($1.id, $0) }) { a, _ in a }
    try file.rewrite { a, b in
        (order[a.problemID] ?? Int.max, a.sampleIndex) < (order[b.problemID] ?? Int.max, b.sampleIndex)
    }
    log("wrote \(records.count * n) samples to \(out) (\(missing) sampled through \(remote.endpoint))")
}

/// A sample record from a remote choice. The paper's answer-line stop is applied here too (a
/// server other than `e2h serve` does not know it): the text ends at the newline that ends the
/// answer line, and the finish reason is then "stop". Finish reasons: "length"; "eos" when the
/// server names a stop token (`stop_reason` an id, as vLLM for stop ids and `e2h serve` for its
/// EOS); "stop" otherwise.
public func remoteSampleRecord(problemID: String, sampleIndex: Int, choice: CompletionChoice, answerLineStop: Bool,
                               recordTokens: Bool) -> SampleRecord {
    var text = choice.text
    var finish: String
    switch (choice.finishReason, choice.stopReason) {
    case ("length"?, _): finish = "length"
    case (_, .token?): finish = "eos"
    default: finish = "stop"
    }
    if answerLineStop, let cut = answerLineEnd(text) {
        text = String(text.unicodeScalars.prefix(cut))
        finish = "stop"
    }
    let parsed = SolutionFormat.parseCompletion(text)
    let ids = choice.tokenIDs ?? choice.logprobs?.tokenIDs
    let logprobs = choice.logprobs.flatMap { lp -> [Float]? in
        let values = lp.tokenLogprobs.compactMap { $0 }
        return values.count == lp.tokenLogprobs.count ? values.map(Float.init) : nil
    }
    return SampleRecord(problemID: problemID, sampleIndex: sampleIndex, output: text, answer: parsed.answer, steps: parsed.steps,
                        finishReason: finish, tokenIDs: recordTokens ? ids : nil, logprobs: recordTokens ? logprobs : nil)
}

/// The scalar offset of the newline that ends the answer line of the paper's format, or nil when
/// the answer line is not finished (``StopRule/answerLine``).
func answerLineEnd(_ text: String) -> Int? {
    let parsed = SolutionFormat.parseCompletion(text)
    guard let range = parsed.answerRange, parsed.answer != nil else { return nil }
    for (offset, scalar) in text.unicodeScalars.enumerated() where offset >= range.upperBound && scalar == "\n" { return offset }
    return nil
}

/// `e2h score --endpoint`: step scores from a process reward model behind vLLM's `/pooling` API,
/// written as `step_scores` (logits, one per step and one for the answer), as local scoring.
public func scoreSampleFileRemote(remote: RemoteOptions, style: PRMStyle, problems: String, samples: String, out: String,
                                  progress: ProgressReporter? = nil, log: @escaping @Sendable (String) -> Void) async throws {
    let byID = Dictionary(try readStrict(Problem.self, problems).map { ($0.id, $0) }) { a, _ in a }
    var records = try readStrict(SampleRecord.self, samples)
    let inputs = try records.map { sample -> String in
        guard let problem = byID[sample.problemID] else {
            throw ExperimentError.invalid("\(samples): sample of problem \(sample.problemID), which is not in \(problems)")
        }
        let parsed = SolutionFormat.parseCompletion(sample.output)
        return style.input(problem: problem.problem, steps: parsed.steps + [SolutionFormat.answerStep(parsed.answer ?? "")],
                           paperText: SolutionFormat.prompt(problem: problem.problem) + sample.output)
    }
    let client = remote.client(log: log)
    let batch = max(1, remote.maxNPerRequest)
    let chunks = stride(from: 0, to: inputs.count, by: batch).map { $0..<min(inputs.count, $0 + batch) }
    var results = [[[Double]]?](repeating: nil, count: inputs.count)
    do {
        try await withThrowingTaskGroup(of: (Range<Int>, PoolingResponse).self) { group in
            var next = 0, finished = 0
            func launch() {
                guard next < chunks.count else { return }
                let range = chunks[next]
                next += 1
                group.addTask {
                    (range, try await client.pooling(PoolingRequest(model: remote.model, input: Array(inputs[range]))))
                }
            }
            for _ in 0..<max(1, remote.concurrency) { launch() }
            while let (range, response) = try await group.next() {
                launch()
                guard response.data.count == range.count else {
                    throw ExperimentError.invalid("/pooling returned \(response.data.count) results for \(range.count) inputs")
                }
                for item in response.data where (0..<range.count).contains(item.index) { results[range.lowerBound + item.index] = item.data }
                finished += range.count
                progress?.update(finished, unit: "samples")
            }
        }
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    for i in records.indices {
        guard let rows = results[i] else { throw ExperimentError.invalid("/pooling returned nothing for sample \(i)") }
        let expected = SolutionFormat.parseCompletion(records[i].output).steps.count + 1
        if style != .e2h, rows.count != expected {
            throw ExperimentError.invalid(
                "sample \(records[i].problemID)#\(records[i].sampleIndex): the server pooled \(rows.count) positions for \(expected) steps; "
                + "serve the PRM with STEP pooling on its step tag (vLLM: --pooler-config '{\"pooling_type\":\"STEP\",\"step_tag_id\":ID}')")
        }
        records[i].stepScores = try style.logits(rows: rows)
    }
    try RecordWriter.write(records, to: out)
    log("scored \(records.count) samples into \(out) through \(remote.endpoint) (\(style.rawValue) style)")
}
