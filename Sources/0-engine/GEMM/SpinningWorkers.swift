// Worker threads that spin between parallel regions, for the many short products of a decoding
// step (one token: ~120 quantized products of 10-50 µs each). `DispatchQueue.concurrentPerform`
// wakes a sleeping worker for each region, and a wake-up costs about as much as such a product,
// so the second core mostly arrived after the work was done. These workers stay awake (spinning
// with `pause`) for a couple of milliseconds after each region, then sleep on a condition.
//
// Protocol: one word `ticket` = generation (32 bits) | chunks (16) | next chunk (16). A region
// publishes its body, then a new ticket; everyone (caller included) claims chunks by advancing
// `next` with compare-and-swap and reads the body only after a successful claim (the region
// cannot end while a claimed chunk runs, so the body is still that region's). The caller returns
// when `finished` reaches the chunk count. One region at a time: a region started while another
// runs (nested, or from a second thread) falls back to `concurrentPerform`.
//
// ON unless `E2H_SPIN_WORKERS=0` (session 13; before, off unless `=1`). Two rules keep it safe on a
// shared machine, where a spinner that the OS preempts in the middle of a chunk once stalled the
// caller (docs/gemm.md): a region has up to 4 chunks per thread, claimed in turn, so a caller whose
// worker is late runs the remaining chunks itself instead of waiting for it; and every spin loop
// (the workers' and the caller's) yields the core (`sched_yield`) every 256 pauses, so that on an
// oversubscribed machine the spinning costs other threads little.

import CCPUFeatures
import Dispatch
import Foundation
import Support

final class SpinningWorkers: @unchecked Sendable {
    /// Whether `spinningChunks` uses the workers: unless `E2H_SPIN_WORKERS=0`.
    static let enabled = ProcessInfo.processInfo.environment["E2H_SPIN_WORKERS"] != "0"
    /// Chunks per thread of a region, so that the caller can take a late worker's share.
    static let chunksPerThread = 4

    /// Workers besides the calling thread: cores - 1 (none on one core).
    static let shared = SpinningWorkers(workers: max(0, coreCount - 1))

    /// ticket, finished, sleepers, busy: each on its own cache line.
    private let words = UnsafeMutablePointer<Int64>.allocate(capacity: 32)
    private var ticket: UnsafeMutablePointer<Int64> { words }
    private var finished: UnsafeMutablePointer<Int64> { words + 8 }
    private var sleepers: UnsafeMutablePointer<Int64> { words + 16 }
    private var busy: UnsafeMutablePointer<Int64> { words + 24 }
    private var body: ((Int) -> Void)?
    private let wake = NSCondition()
    let workers: Int
    /// How long a worker spins after a region before it sleeps.
    private let spinNanoseconds: UInt64 = 2_000_000

    private init(workers: Int) {
        self.workers = workers
        words.initialize(repeating: 0, count: 32)
        for w in 0..<workers {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "e2h-worker-\(w)"
            thread.start()
        }
    }

    /// Runs `body(chunk)` for chunk in 0..<chunks, on the caller and the workers. (Escaping, so
    /// that a worker's copy of it may outlive the region by a moment.)
    func run(chunks: Int, _ body: @escaping (Int) -> Void) {
        if chunks <= 1 || workers == 0 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        guard chunks < 1 << 16, e2h_atomic_swap_if(busy, 0, 1) != 0 else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
            return
        }
        self.body = body
        e2h_atomic_store(finished, 0)
        let generation = (e2h_atomic_load(ticket) >> 32) + 1
        e2h_atomic_store(ticket, generation << 32 | Int64(chunks) << 16)
        if e2h_atomic_load(sleepers) > 0 {
            wake.lock()
            wake.broadcast()
            wake.unlock()
        }
        claim(generation)
        var spins = 0
        while e2h_atomic_load(finished) < Int64(chunks) {
            e2h_cpu_relax()
            spins += 1
            if spins & 255 == 0 { sched_yield() }
        }
        self.body = nil
        e2h_atomic_store(busy, 0)
    }

    /// Claims and runs chunks of region `generation` until none is left.
    private func claim(_ generation: Int64) {
        while true {
            let t = e2h_atomic_load(ticket)
            let chunks = (t >> 16) & 0xFFFF, next = t & 0xFFFF
            guard t >> 32 == generation, next < chunks else { return }
            guard e2h_atomic_swap_if(ticket, t, t + 1) != 0 else { continue }
            body!(Int(next))
            e2h_atomic_add(finished, 1)
        }
    }

    private func work() {
        var seen: Int64 = 0
        while true {
            var generation = e2h_atomic_load(ticket) >> 32
            if generation == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while generation == seen {
                    e2h_cpu_relax()
                    spins += 1
                    if spins & 255 == 0 { sched_yield() }
                    if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds {
                        wake.lock()
                        e2h_atomic_add(sleepers, 1)
                        while e2h_atomic_load(ticket) >> 32 == seen { wake.wait() }
                        e2h_atomic_add(sleepers, -1)
                        wake.unlock()
                    }
                    generation = e2h_atomic_load(ticket) >> 32
                }
            }
            claim(generation)
            seen = generation
        }
    }
}

/// Support's `parallelChunks`, run on the spinning workers when they are enabled, then with up to
/// ``SpinningWorkers/chunksPerThread`` chunks per thread (the same ranges when that is 1). Bodies
/// must not depend on how the range is cut.
public func spinningChunks(_ count: Int, minimumPerChunk: Int = 1, threads: Int, _ body: @escaping (Range<Int>) -> Void) {
    guard SpinningWorkers.enabled else {
        parallelChunks(count, minimumPerChunk: minimumPerChunk, threads: threads, body)
        return
    }
    guard count > 0 else { return }
    let most = threads <= 1 ? 1 : threads * SpinningWorkers.chunksPerThread
    let chunks = min(most, max(1, count / max(1, minimumPerChunk)))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    SpinningWorkers.shared.run(chunks: chunks) { chunk in
        let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
        if start < end { body(start..<end) }
    }
}

/// Runs `body(band)` for band in 0..<bands, one band per thread: on the spinning workers when they
/// are enabled (the same threads the elementwise kernels use, so a product never competes with a
/// spinning worker for a core), else `concurrentPerform`.
func parallelBands(_ bands: Int, _ body: @escaping (Int) -> Void) {
    if SpinningWorkers.enabled {
        SpinningWorkers.shared.run(chunks: bands, body)
    } else {
        DispatchQueue.concurrentPerform(iterations: bands, execute: body)
    }
}
