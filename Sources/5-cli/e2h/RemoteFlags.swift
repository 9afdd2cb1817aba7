import ArgumentParser
import Experiment
import Foundation
import InferenceClient
import Training

/// The options of `e2h sample` and `e2h score` that send the work to an OpenAI-compatible server.
struct RemoteFlags: ParsableArguments {
    @Option(help: "Use the OpenAI-compatible server at this URL (vLLM, SGLang, llama.cpp's server, e2h serve); --model is then the served model's name.")
    var endpoint: String?
    @Option(help: "API key for --endpoint (default: $E2H_API_KEY, then $OPENAI_API_KEY).") var apiKey: String?
    @Option(help: "Requests in flight at once with --endpoint (≥ 1).") var concurrency = 16
    @Option(help: "Most completions (or pooling inputs) in one request with --endpoint; servers that cap n get it split further (≥ 1).")
    var maxNPerRequest = 16
    @Option(help: "Seconds one try of a request may take with --endpoint.") var timeout: Double = 600
    @Option(help: "Tries per request with --endpoint: retries on 429, 5xx and timeouts with exponential backoff (≥ 1).")
    var attempts = 6

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency is \(concurrency); it must be an integer ≥ 1") }
        guard maxNPerRequest >= 1 else { throw ValidationError("--max-n-per-request is \(maxNPerRequest); it must be an integer ≥ 1") }
        guard timeout.isFinite, timeout > 0 else { throw ValidationError("--timeout is \(timeout); it must be a number of seconds > 0") }
        guard attempts >= 1 else { throw ValidationError("--attempts is \(attempts); it must be an integer ≥ 1") }
        if let endpoint {
            guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--endpoint is \(endpoint); it must be an http:// or https:// URL such as http://127.0.0.1:8000")
            }
        }
    }

    /// The remote options for the served model `model`.
    func options(model: String, endpoint: String) -> RemoteOptions {
        var options = RemoteOptions(endpoint: endpoint, model: model)
        let environment = ProcessInfo.processInfo.environment
        options.apiKey = apiKey ?? [environment["E2H_API_KEY"], environment["OPENAI_API_KEY"]].compactMap { $0 }.first { !$0.isEmpty }
        options.concurrency = concurrency
        options.maxNPerRequest = maxNPerRequest
        options.timeout = timeout
        options.attempts = attempts
        return options
    }
}

extension PRMStyle: ExpressibleByArgument {}

/// Non-empty lines of a file (the total of a progress bar); 0 when it cannot be read.
func countLines(_ path: String) throws -> Int {
    guard let data = FileManager.default.contents(atPath: path) else { return 0 }
    return data.split(separator: 0x0A).count { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D } }
}
