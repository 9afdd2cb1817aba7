import ArgumentParser
import Experiment
import Foundation
import Logging
import Serving
import Training

/// `e2h serve`.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model behind an OpenAI-compatible HTTP API (completions, chat, vLLM-style pooling).",
        discussion: """
            Endpoints: GET /health, GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /pooling \
            (step scores of a reward model). Requests from all clients are decoded together on one engine thread. \
            SIGINT / SIGTERM stop accepting, finish the requests in flight, then exit. See docs/serving.md.
            """)

    @Option(help: "An e2h model folder, a Hugging Face folder or a .gguf file.") var model: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "TCP port (0: any free port, printed).") var port = 8000
    @Option(help: "Require 'Authorization: Bearer KEY' (default: $E2H_API_KEY when set).") var apiKey: String?
    @Option(help: "The model's name in requests and /v1/models (default: the folder's name).") var servedModelName: String?
    @Option(help: "KV-cache slots: sequences decoded together (≥ 1).") var slots = 32
    @Option(help: "Most sequences queued or running; beyond it requests get 429 (≥ 1).") var maxPending = 1024
    @Option(help: "Largest n per request (≥ 1).") var maxN = 64
    @Option(help: "Largest max_tokens (0: the model's context).") var maxTokens = 0
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "Dequantize a GGUF file's weights to float32 at load instead of computing on its Q4_0 / Q4_1 / Q8_0 blocks.")
    var floatWeights = false

    mutating func validate() throws {
        guard slots >= 1 else { throw ValidationError("--slots is \(slots); it must be an integer ≥ 1") }
        guard maxPending >= 1 else { throw ValidationError("--max-pending is \(maxPending); it must be an integer ≥ 1") }
        guard maxN >= 1 else { throw ValidationError("--max-n is \(maxN); it must be an integer ≥ 1") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens is \(maxTokens); it must be an integer ≥ 0") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes is \(maxBodyBytes); it must be ≥ 1024") }
        guard (0...65535).contains(port) else { throw ValidationError("--port is \(port); it must be in 0...65535") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level is \(logLevel); it must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        let folder = URL(fileURLWithPath: model)
        let bundle = try ModelBundle.load(from: folder, promptFormat: nil, keepQuantized: !floatWeights)
        var config = ServeConfig()
        config.host = host
        config.port = port
        config.apiKey = apiKey ?? ProcessInfo.processInfo.environment["E2H_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        config.modelName = servedModelName ?? folder.standardizedFileURL.lastPathComponent
        config.maxN = maxN
        config.maxTokens = maxTokens
        config.maxBodyBytes = maxBodyBytes
        config.engine.slots = slots
        config.engine.maxPendingSequences = maxPending
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "e2h.serve")
        if let weights = bundle.model.quantizedWeights {
            logger.info("computing on the file's quantized blocks (\(weights.names.count) matrices, \(weights.byteCount / 1_000_000) MB; --float-weights loads float32)")
        }
        let server = OpenAIServer(bundle: bundle, config: config, logger: logger)
        let name = config.modelName, authenticated = config.apiKey != nil, host = config.host
        try blockingAwait {
            try await server.run { port in
                logger.info("serving '\(name)' on http://\(host):\(port)\(authenticated ? " (API key required)" : "")")
            }
        }
    }
}
