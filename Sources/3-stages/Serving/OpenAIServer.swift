// `e2h serve`: the HTTP shell (Hummingbird 2) around the engine. Routes, the API key, the body
// bound, errors as OpenAI error bodies, and a graceful shutdown that drains in-flight requests.

import Foundation
import Hummingbird
import InferenceProtocol
import Logging
import NIOCore
import ServiceLifecycle
import Tokenizers
import Training

/// An OpenAI-compatible server for one model bundle.
public final class OpenAIServer: @unchecked Sendable {
    public let engine: InferenceEngine
    let served: ServedModel
    let logger: Logger
    let created = Int(Date().timeIntervalSince1970)
    private var group: ServiceGroup?
    private let lock = NSLock()

    /// - Parameters:
    ///   - bundle: the model; its engine thread starts here.
    public init(bundle: ModelBundle, config: ServeConfig, logger: Logger) {
        let stopTokenIDs = bundle.tokenizer.stopIDs.union(bundle.manifest.stopTokenIDs)
        engine = InferenceEngine(model: bundle.model, tokenizer: bundle.tokenizer, config: config.engine, logger: logger,
                                 stopTokenIDs: stopTokenIDs)
        served = ServedModel(name: config.modelName, tokenizer: bundle.tokenizer, promptFormat: bundle.promptFormat,
                             chatTemplate: bundle.chatTemplate, stopTokenIDs: stopTokenIDs,
                             context: bundle.model.config.maxPositions, vocabularySize: bundle.model.config.vocabSize,
                             config: config)
        self.logger = logger
        engine.start()
    }

    /// Serves until SIGINT / SIGTERM (when `signals`) or ``shutdown()``: stops accepting, lets
    /// in-flight requests finish, then stops the engine.
    /// - Parameter onRunning: called with the bound port once the server listens.
    public func run(signals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let config = served.config
        let router = Router()
        if let key = config.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        addRoutes(to: router)
        let app = Application(router: router,
                              configuration: .init(address: .hostname(config.host, port: config.port), serverName: "e2h"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [],
                                                      logger: logger))
        setGroup(group)
        defer {
            logger.info("draining the engine")
            engine.drainAndStop()
            logger.info("stopped")
        }
        try await group.run()
    }

    /// Starts the graceful shutdown of ``run(signals:onRunning:)``.
    public func shutdown() async {
        await currentGroup()?.triggerGracefulShutdown()
    }

    private func setGroup(_ group: ServiceGroup) { lock.lock(); self.group = group; lock.unlock() }
    private func currentGroup() -> ServiceGroup? { lock.lock(); defer { lock.unlock() }; return group }

    private func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"],
                                                 body: .init(byteBuffer: ByteBuffer(string: "{}"))) }
        router.get("/v1/models") { [served, created] _, _ in
            Self.json(ModelList(data: [.init(id: served.name, created: created, maxModelLen: served.context)]))
        }
        router.post("/v1/completions") { [self] request, _ in await respond { try await completions(request) } }
        router.post("/v1/chat/completions") { [self] request, _ in await respond { try await chat(request) } }
        router.post("/pooling") { [self] request, _ in await respond { try await pooling(request) } }
    }

    /// Runs a handler; every error becomes an OpenAI error body with its status.
    private func respond(_ handler: () async throws -> Response) async -> Response {
        do { return try await handler() } catch let error as ServeError {
            logger.info("refused: \(error.description)")
            return error.response
        } catch is NIOTooManyBytesError {
            return ServeError(status: .contentTooLarge, message: "the request body is larger than \(served.config.maxBodyBytes) bytes",
                              param: nil).response
        } catch let rejection as EngineRejection {
            switch rejection {
            case .busy:
                logger.notice("queue full: \(rejection)")
                return ServeError(status: .tooManyRequests, message: rejection.description, param: nil,
                                  headers: [.retryAfter: "\(served.config.retryAfterSeconds)"]).response
            case .stopping:
                return ServeError(status: .serviceUnavailable, message: rejection.description, param: nil).response
            }
        } catch {
            logger.error("internal error: \(error)")
            return ServeError(status: .internalServerError, message: "\(error)", param: nil).response
        }
    }

    /// The request body, at most `maxBodyBytes` (413 beyond, from the Content-Length when given).
    func body(_ request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > served.config.maxBodyBytes {
            throw NIOTooManyBytesError(maxBytes: served.config.maxBodyBytes)
        }
        return try await request.body.collect(upTo: served.config.maxBodyBytes)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: JSONWire.encode(value))))
    }

    /// One server-sent event.
    static func event<T: Encodable>(_ value: T) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(JSONWire.encode(value))
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static let eventStreamHeaders: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    /// A seed for requests without one: different per request.
    func freshSeed() -> UInt64 { UInt64.random(in: 0...UInt64.max) }
}

/// 401 unless `Authorization: Bearer <key>`; `/health` is open (as vLLM's).
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" { return try await next(request, context) }
        guard let header = request.headers[.authorization], header == "Bearer \(key)" else {
            return ServeError(status: .unauthorized, message: "a valid API key is required: Authorization: Bearer <key>",
                              param: nil).response
        }
        return try await next(request, context)
    }
}
