import Dispatch
import GEMM

/// Runs `body(range)` over `0..<count` split into contiguous chunks on all cores.
///
/// Work smaller than `minimumPerChunk` items runs inline on the calling thread, so tiny kernels
/// pay no dispatch cost. `body` must only write data owned by its range.
@inline(__always)
public func parallelChunks(
    _ count: Int, minimumPerChunk: Int = 1, threads: Int = defaultThreadCount,
    _ body: (Range<Int>) -> Void
) {
    guard count > 0 else { return }
    let chunks = min(threads, max(1, count / max(1, minimumPerChunk)))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        if start < end { body(start..<end) }
    }
}

/// Number of worker threads kernels use by default: the active processor count, overridable by
/// the `E2H_THREADS` environment variable, lowered to the calling thread's `WorkerLimit`.
public var defaultThreadCount: Int { WorkerLimit.capped(processThreadCount) }

/// The active processor count, or `E2H_THREADS` when set.
let processThreadCount: Int = {
    if let value = getenv("E2H_THREADS"), let n = Int(String(cString: value)), n > 0 { return n }
    return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}()

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
