// Settings of `e2h serve`: where it listens and the limits it enforces.

/// How `e2h serve` listens and what it accepts.
public struct ServeConfig: Codable, Sendable, Equatable {
    /// Address to bind (loopback by default: nothing outside the machine can reach it).
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests), reported through `onRunning`.
    public var port = 8000
    /// When set, every `/v1/*` and `/pooling` request needs `Authorization: Bearer <key>` (else 401).
    public var apiKey: String?
    /// The name clients pass as `model` (`/v1/models` lists it).
    public var modelName = "e2h"
    /// Largest request body in bytes (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Largest `n` (completions per prompt); 400 beyond.
    public var maxN = 64
    /// Largest `max_tokens`; 400 beyond. 0: the model's context.
    public var maxTokens = 0
    /// Most prompts in one request (a list `prompt` or `input`); 400 beyond.
    public var maxPrompts = 64
    /// Most stop strings in one request; 400 beyond.
    public var maxStops = 16
    /// Seconds a client is told to wait (`Retry-After`) when the queue is full.
    public var retryAfterSeconds = 1
    /// The engine: slots and the bound of the queue.
    public var engine = EngineConfig()

    public init() {}
}
