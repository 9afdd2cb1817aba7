// `e2h run` with a remote policy: the `sampler` section of the run's config names a model behind
// an OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, `e2h serve`), and that model is
// the policy. The run trains no policy of its own and draws every policy sample (easy reward data,
// the hard reference data, the test samples) from the server; labels, the evaluator, the reward
// models, scoring, re-ranking and the report stay local and unchanged. `e2h rl` refuses such a run:
// RL updates the policy's weights, which live on the server (docs/serving.md, "A remote policy").

import Datasets
import Foundation
import Training
import Transformer

/// The `sampler` section of `e2h run`'s config.
public struct RemoteSamplerConfig: Codable, Sendable, Equatable {
    /// Base URL of the server, e.g. `http://127.0.0.1:8000`.
    public var endpoint: String
    /// The served model's name (`model` of every request).
    public var model: String
    /// Environment variable holding the API key (the key itself is never written to `config.json`);
    /// nil: `$E2H_API_KEY`, then `$OPENAI_API_KEY`.
    public var apiKeyEnv: String?
    /// Requests in flight at once.
    public var concurrency = 16
    /// Most completions asked in one request (a server that caps n gets it split further).
    public var maxNPerRequest = 16
    /// Seconds one try of a request may take.
    public var timeout = 600.0
    /// Tries per request (retries on 429, 408, 5xx and timeouts).
    public var attempts = 6
    /// `max_tokens` of every request; nil: the run's context (``ModelSize/context``), as local sampling.
    public var maxTokens: Int?

    public init(endpoint: String, model: String) { self.endpoint = endpoint; self.model = model }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case endpoint, model, apiKeyEnv, concurrency, maxNPerRequest, timeout, attempts, maxTokens
    }

    /// Every key but `endpoint` and `model` may be left out; an unknown key is refused by name.
    public init(from decoder: any Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [AnyKey(stringValue: unknown)],
                debugDescription: "unknown key (known: \(CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try c.decode(String.self, forKey: .endpoint)
        model = try c.decode(String.self, forKey: .model)
        apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? concurrency
        maxNPerRequest = try c.decodeIfPresent(Int.self, forKey: .maxNPerRequest) ?? maxNPerRequest
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout) ?? timeout
        attempts = try c.decodeIfPresent(Int.self, forKey: .attempts) ?? attempts
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
    }

    /// Checks the section and the settings it needs from the rest of the run.
    /// - Throws: `ExperimentError.invalid` naming the key and what it must be.
    public func validate(in config: ExperimentConfig) throws {
        func bad(_ key: String, _ message: String) -> ExperimentError { .invalid("sampler.\(key): \(message)") }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw bad("endpoint", "\"\(endpoint)\" is not an http:// or https:// URL such as http://127.0.0.1:8000")
        }
        guard !model.isEmpty else { throw bad("model", "empty; give the served model's name (GET /v1/models lists it)") }
        guard concurrency >= 1 else { throw bad("concurrency", "\(concurrency); it must be ≥ 1") }
        guard maxNPerRequest >= 1 else { throw bad("maxNPerRequest", "\(maxNPerRequest); it must be ≥ 1") }
        guard timeout.isFinite, timeout > 0 else { throw bad("timeout", "\(timeout); it must be a number of seconds > 0") }
        guard attempts >= 1 else { throw bad("attempts", "\(attempts); it must be ≥ 1") }
        if let maxTokens, maxTokens < 1 { throw bad("maxTokens", "\(maxTokens); it must be ≥ 1") }
        // RL updates the policy's weights, which the server holds: refused before any stage runs.
        if config.rl != nil || config.rlBaseline != nil {
            throw ExperimentError.invalid("sampler: the policy is remote, so RL (the \"rl\" section or --rl) cannot "
                + "update its weights; run RL on a local policy, or remove the \"rl\" section")
        }
        // With a remote policy there is no local SFT policy for the evaluator to start from.
        guard config.evaluatorStart == .pretrained, config.evaluatorSteps > 0 else {
            throw ExperimentError.invalid(
                "sampler: the policy is remote, so the evaluator's language model cannot start from it; "
                + "set \"evaluatorStart\": \"pretrained\" and \"evaluatorSteps\" > 0 (now \(config.evaluatorStart.rawValue), "
                + "\(config.evaluatorSteps)): the reward models then start from the run's own pretrained model")
        }
    }

    /// The client options, the key read from the environment.
    func options(environment: [String: String] = ProcessInfo.processInfo.environment) -> RemoteOptions {
        var options = RemoteOptions(endpoint: endpoint, model: model)
        let names = apiKeyEnv.map { [$0] } ?? ["E2H_API_KEY", "OPENAI_API_KEY"]
        options.apiKey = names.compactMap { environment[$0] }.first { !$0.isEmpty }
        options.concurrency = concurrency
        options.maxNPerRequest = maxNPerRequest
        options.timeout = timeout
        options.attempts = attempts
        return options
    }

    /// Why `e2h rl` refuses a run whose policy is remote.
    public var rlRefusal: String {
        "this run's policy is the remote model \(model) at \(endpoint) (config.json: sampler), and e2h rl trains the policy's weights: "
            + "GRPO and PPO sample every iteration from the weights the last update produced, and ReST-EM and iterative DPO "
            + "resample from the updated policy each round, so only their first round could be sampled remotely and the "
            + "update would still need the weights here. Run RL on a run with a local policy, or on the served model's "
            + "weights with a trainer of its own (docs/serving.md, \"A remote policy\")"
    }
}

extension Experiment {
    /// Stage 2 with a remote policy: no policy is trained; when pretraining is on, the run's own
    /// model is pretrained on the corpus, as the evaluator's starting point.
    func skipPolicyTraining(_ sampler: RemoteSamplerConfig) throws {
        log("\(RunStep.policy.prefix) the policy is the remote model \(sampler.model) at \(sampler.endpoint): no local policy is trained")
        if config.pretrainSteps > 0 {
            let model = try TransformerModel(config: modelConfig)
            model.initializeWeights(seed: config.seed)
            log("\(RunStep.policy.prefix) pretraining the evaluator's starting model on \(config.pretrainingDocuments) unlabelled documents "
                + "(\(model.parameterCount) parameters)")
            let documents = try RecordReader.readAll(TextDocument.self, from: run.pretrainingCorpus.path).records
            try pretrainPolicyStage(model: model, tokenizer: vocabulary, bundle: bundleManifest, documents: documents,
                                    trainer: pretrainTrainer, out: run.pretrainedPolicy, quiet: quiet)
        }
        try run.markDone(.policy)
    }

    /// The policy's samples drawn through the server, with the settings and seeds of local sampling
    /// (against `e2h serve` of the same weights the records are equal to local sampling's). The
    /// server's answers are kept, resumable, in `remote/<label>.jsonl`: an interrupted run asks
    /// only for the missing samples.
    func sampleRemotely(_ sampler: RemoteSamplerConfig, _ problems: [Problem], samples: Int, seed: UInt64, label: String,
                        quiet: Bool) throws -> [SampleRecord] {
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = samples
        sampling.temperature = config.temperature
        sampling.topK = config.topK
        sampling.maxNewTokens = sampler.maxTokens ?? config.model.context
        sampling.seed = seed
        let file = run.remoteSamples(label)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let progress = ProgressReporter(label: label, total: problems.count * samples, quiet: quiet)
        let log = self.log
        let start = Date()
        let options = sampler.options()
        try blockingAwait { [sampling] in
            try await sampleProblemsRemote(remote: options, problems: problems, out: file.path, sampling: sampling,
                                           progress: progress, log: { line in log("      \(line)") })
        }
        let records = try RecordReader.readAll(SampleRecord.self, from: file.path, options: ReadOptions(strict: true)).records
        log(String(format: "      %@: %d samples from %@ in %.1f s", label, records.count, sampler.endpoint, Date().timeIntervalSince(start)))
        return records.map {
            SampleRecord(problemID: $0.problemID, sampleIndex: $0.sampleIndex, output: $0.output, answer: $0.answer, steps: $0.steps,
                         finishReason: $0.finishReason, tokenIDs: $0.tokenIDs, logprobs: $0.logprobs)
        }
    }
}

extension RunDirectory {
    /// The server's samples of a remote policy, one file per sampling job (`remote/easy.jsonl`, ...).
    func remoteSamples(_ label: String) -> URL {
        let name = label.replacingOccurrences(of: "sample ", with: "").map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return url("remote/\(String(name).split(separator: "-").joined(separator: "-")).jsonl")
    }
}

/// Runs async work from synchronous code (a stage runs on a plain thread, never on the
/// cooperative pool) or a synchronous command, and rethrows its error.
public func blockingAwait(_ work: @escaping @Sendable () async throws -> Void) throws {
    final class Box: @unchecked Sendable { var error: (any Error)? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { try await work() } catch { box.error = error }
        done.signal()
    }
    done.wait()
    if let error = box.error { throw error }
}
