// When to retry a request to an inference server, and how long to wait: exponential backoff with
// full jitter, on 429 / 5xx / timeouts / dropped connections only (never another 4xx: the request
// itself is wrong and would fail again). Pure, so it is tested without a server or a clock.

/// Retries with exponential backoff and jitter.
public struct RetryPolicy: Codable, Sendable, Equatable {
    /// Tries in all (1: no retry).
    public var attempts = 6
    /// Wait before the first retry, in seconds; doubled every retry.
    public var baseDelay = 0.5
    /// Longest wait between tries, in seconds.
    public var maxDelay = 30.0

    public init(attempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.attempts = attempts; self.baseDelay = baseDelay; self.maxDelay = maxDelay
    }

    /// Whether an HTTP status may succeed when tried again.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// Seconds to wait before try `attempt + 1` after try `attempt` (1-based) failed, or nil when
    /// no try is left. A server's `Retry-After` is honoured (capped at `maxDelay`); otherwise a
    /// uniformly random wait in [0, min(maxDelay, baseDelay * 2^(attempt-1))] ("full jitter"), so
    /// many clients that failed together do not come back together.
    /// - Parameter unit: a uniform random number in [0, 1).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, unit: Double) -> Double? {
        guard attempt < attempts else { return nil }
        if let retryAfter, retryAfter.isFinite, retryAfter >= 0 { return min(retryAfter, maxDelay) }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        return unit * ceiling
    }
}
