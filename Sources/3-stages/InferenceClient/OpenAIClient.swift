// An OpenAI-compatible HTTP client (AsyncHTTPClient) for vLLM, SGLang, llama.cpp's server and
// `e2h serve`: JSON in and out, the API key, a timeout per try, and retries by ``RetryPolicy``.

import AsyncHTTPClient
import Foundation
import InferenceProtocol
import NIOCore
import NIOHTTP1

/// A request that failed for good: the status and the server's message, or a transport error.
public struct ClientError: Error, CustomStringConvertible, Equatable {
    /// The HTTP status, or nil when no response came (connection refused, timeout).
    public var status: Int?
    public var message: String
    /// The endpoint's path.
    public var path: String
    public var attempts: Int

    public var description: String {
        let what = status.map { "HTTP \($0)" } ?? "no response"
        return "\(path): \(what) after \(attempts) tr\(attempts == 1 ? "y" : "ies"): \(message)"
    }
}

/// Settings of the client.
public struct ClientConfig: Sendable {
    /// Base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted).
    public var endpoint: String
    /// Sent as `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Seconds one try may take (connecting, generating and reading the response).
    public var timeout: Double = 600
    public var retry = RetryPolicy()
    /// Largest response body read, in bytes.
    public var maxResponseBytes = 256 << 20

    public init(endpoint: String, apiKey: String? = nil) { self.endpoint = endpoint; self.apiKey = apiKey }
}

/// A client of one OpenAI-compatible server. Safe to use from many tasks at once.
public final class OpenAIClient: Sendable {
    public let config: ClientConfig
    private let http: HTTPClient
    private let base: String
    /// Called before each retry with (path, try that failed, its error, seconds to wait).
    private let onRetry: (@Sendable (String, Int, String, Double) -> Void)?

    public init(config: ClientConfig, onRetry: (@Sendable (String, Int, String, Double) -> Void)? = nil) {
        self.config = config
        var base = config.endpoint
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        self.base = base
        var httpConfig = HTTPClient.Configuration()
        httpConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        httpConfig.timeout = .init(connect: .seconds(10))
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfig)
        self.onRetry = onRetry
    }

    /// Closes the connections. Call once, when done.
    public func shutdown() async throws { try await http.shutdown() }

    /// `POST /v1/completions` (not streamed).
    public func completions(_ request: CompletionRequest) async throws -> CompletionResponse {
        try await post("/v1/completions", request, as: CompletionResponse.self)
    }

    /// `POST /v1/chat/completions` (not streamed).
    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        try await post("/v1/chat/completions", request, as: ChatResponse.self)
    }

    /// vLLM's `POST /pooling`.
    public func pooling(_ request: PoolingRequest) async throws -> PoolingResponse {
        try await post("/pooling", request, as: PoolingResponse.self)
    }

    /// `GET /v1/models`.
    public func models() async throws -> ModelList {
        let data = try await send("/v1/models", method: .GET, body: nil)
        return try Self.decode(ModelList.self, from: data, path: "/v1/models")
    }

    /// `POST path` with a JSON body, decoded as `T`.
    public func post<Body: Encodable, T: Decodable>(_ path: String, _ body: Body, as type: T.Type) async throws -> T {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try await send(path, method: .POST, body: try encoder.encode(body))
        return try Self.decode(type, from: data, path: path)
    }

    /// Decodes a response body, naming the path and the field that did not fit.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            let preview = String(decoding: data.prefix(300), as: UTF8.self)
            throw ClientError(status: 200, message: "unreadable response (\(error)); body starts: \(preview)", path: path, attempts: 1)
        }
    }

    /// Sends one request with retries; returns the body of a 2xx response.
    func send(_ path: String, method: HTTPMethod, body: Data?) async throws -> Data {
        try await withRetries(path) {
            let response = try await self.executeOnce(path, method: method, body: body, accept: "application/json")
            return Data(try await response.body.collect(upTo: self.config.maxResponseBytes).readableBytesView)
        }
    }

    /// A failure worth another try: a retryable status (429, 408, 5xx) with the server's message.
    struct RetryableFailure: Error {
        var status: Int
        var message: String
        var retryAfter: Double?
    }

    /// Runs `body` until it succeeds, throws a ``ClientError`` (never retried), or the retry policy
    /// gives up; transport errors (timeouts, refused or dropped connections) are retried.
    func withRetries<R>(_ path: String, _ body: () async throws -> R) async throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            let failure: (status: Int?, message: String, retryAfter: Double?)
            do {
                return try await body()
            } catch var error as ClientError {
                error.attempts = attempt
                throw error
            } catch let error as RetryableFailure {
                failure = (error.status, error.message, error.retryAfter)
            } catch {
                failure = (nil, "\(error)", nil)
            }
            guard let wait = config.retry.delay(afterAttempt: attempt, retryAfter: failure.retryAfter,
                                                unit: Double.random(in: 0..<1)) else {
                throw ClientError(status: failure.status, message: failure.message, path: path, attempts: attempt)
            }
            onRetry?(path, attempt, failure.status.map { "HTTP \($0): \(failure.message)" } ?? failure.message, wait)
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }

    /// One try: a 2xx response is returned with its body unread; another status throws
    /// ``RetryableFailure`` or, when it must not be retried, ``ClientError``.
    func executeOnce(_ path: String, method: HTTPMethod, body: Data?, accept: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        if let key = config.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .milliseconds(Int64(config.timeout * 1000)))
        let status = Int(response.status.code)
        if (200..<300).contains(status) { return response }
        let message = Self.errorMessage(Data(try await response.body.collect(upTo: config.maxResponseBytes).readableBytesView))
        guard RetryPolicy.isRetryable(status: status) else {
            throw ClientError(status: status, message: message, path: path, attempts: 1)
        }
        throw RetryableFailure(status: status, message: message,
                               retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init))
    }

    /// The message of an error body in any of the shapes servers send.
    public static func errorMessage(_ data: Data) -> String {
        if let body = try? JSONDecoder().decode(ErrorBody.self, from: data), !body.error.message.isEmpty { return body.error.message }
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            for key in ["message", "detail", "error"] { if let text = object[key] as? String { return text } }
        }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }
}
