// The one thread policy of the project: how many workers a parallel loop, a matrix product or a
// kernel may use. The process default is the active processor count, overridden by the
// `E2H_THREADS` environment variable; a thread may lower it for the work it starts with
// ``WorkerLimit/with(_:_:)`` (two jobs side by side, one core each).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The active processor count, or `E2H_THREADS` when set to a positive integer.
public let processThreadCount: Int = {
    if let value = getenv("E2H_THREADS"), let n = Int(String(cString: value)), n > 0 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Workers for work started from the current thread: ``processThreadCount`` lowered to the
/// thread's ``WorkerLimit``.
public var defaultThreadCount: Int { WorkerLimit.capped(processThreadCount) }

/// A cap on the workers that products and kernels started from the current thread use, so that
/// two jobs can share the cores without fighting over them (`e2h run` trains the policy and the
/// evaluator's language model side by side, one core each).
///
/// The cap belongs to the thread that sets it: other threads keep theirs.
public enum WorkerLimit {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// The current thread's cap, or nil when it has none.
    public static var current: Int? {
        pthread_getspecific(key).map { Int(bitPattern: $0) }
    }

    /// `count`, lowered to the current thread's cap.
    public static func capped(_ count: Int) -> Int {
        current.map { min(count, $0) } ?? count
    }

    /// Runs `body` with at most `workers` (at least 1) workers per product or kernel started
    /// from this thread, then restores the previous cap.
    public static func with<R>(_ workers: Int, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: max(1, workers)))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}
