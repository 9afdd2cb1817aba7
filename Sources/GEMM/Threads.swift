// How many workers a product gets when the caller does not say.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Products below this many multiply-adds (m·n·k) run on one thread: handing work to a second
/// core costs more than it saves.
let parallelThreshold = 128 * 128 * 128

/// Cores of this machine, asked once.
let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// All cores for large products, one thread for small ones; never more than the calling
/// thread's ``WorkerLimit``.
func defaultThreads(m: Int, n: Int, k: Int) -> Int {
    m * n * k >= parallelThreshold ? WorkerLimit.capped(coreCount) : 1
}

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
