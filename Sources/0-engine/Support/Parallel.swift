// The one parallel-for of the project, in three shapes: contiguous chunks (kernels), an ordered
// map (independent items with results), and pulling workers (load-balanced partial results). All
// honour the thread policy (`ThreadPolicy.swift`).

import Dispatch
import Foundation

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

/// Runs `body(k)` for k in 0..<count on up to `threads` threads and returns the results in order.
///
/// Results land in their own slots, so the output never depends on scheduling. When bodies throw,
/// the error of the smallest k is rethrown.
public func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
    if count == 0 { return [] }
    let slots = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: count)
    slots.initialize(repeating: nil, count: count)
    defer { slots.deinitialize(count: count); slots.deallocate() }
    let workers = Swift.max(1, Swift.min(threads, count))
    if workers == 1 {
        for k in 0..<count { slots[k] = Result { try body(k) } }
    } else {
        // Workers take the next index from a shared counter (dynamic load balancing).
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let k = next.take()
                if k >= count { break }
                slots[k] = Result { try body(k) }
            }
        }
    }
    var out: [T] = []
    out.reserveCapacity(count)
    for k in 0..<count { out.append(try slots[k]!.get()) }
    return out
}

/// A lock-protected counter handing out indices.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}

/// The number of threads to use: the option, else the thread policy's default.
public func workerCount(_ option: Int?) -> Int {
    option ?? defaultThreadCount
}

/// Runs `workers` copies of `body` in parallel; each pulls item indices from a shared counter with
/// `next()` (nil when all are taken) and returns its own partial result. Combine the partial
/// results with an order-independent operation so the outcome does not depend on scheduling.
public func parallelWorkers<T>(_ workers: Int, items: Int, _ body: (_ next: () -> Int?) -> T) -> [T] {
    let counter = Counter()
    let next: () -> Int? = {
        let k = counter.take()
        return k < items ? k : nil
    }
    if workers <= 1 { return [body(next)] }
    let slots = UnsafeMutablePointer<T?>.allocate(capacity: workers)
    slots.initialize(repeating: nil, count: workers)
    defer { slots.deinitialize(count: workers); slots.deallocate() }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        slots[w] = body(next)
    }
    return (0..<workers).map { slots[$0]! }
}
