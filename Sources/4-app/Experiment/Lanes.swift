// Independent jobs of `e2h run` side by side: training and scoring a 0.9M-parameter model gains
// little from a second core (two threads ran SFT 1.18x and sampling 1.23x faster than one on the
// 2-core machine), so two jobs on one core each finish sooner than the same jobs one after the
// other on both cores.

import Foundation
import GEMM
import Kernels

/// One job of ``Experiment/inLanes(_:)``.
struct LaneJob {
    /// Whether the job draws its progress bar; at most one job of a call should (two bars on one
    /// terminal line overwrite each other). The others run quietly and log one line when done.
    var showsProgress = false
    /// The work; `quiet` tells it to draw no progress.
    var body: (_ quiet: Bool) throws -> Void
}

extension Experiment {
    /// Cores each lane may use: half of the machine's (at least one). Every job runs under this cap,
    /// however many jobs are left, so a job's result does not depend on which others ran beside
    /// it or on where a resumed run restarted (sums in training change with the thread count).
    var laneWorkers: Int { max(1, defaultThreadCount / 2) }

    /// Runs `jobs` on two lanes (threads), each taking the next job when its last one ends, every
    /// job limited to ``laneWorkers`` cores; one lane on a one-core machine. Rethrows the first
    /// error once the running jobs have finished (no new job starts after an error).
    func inLanes(_ jobs: [LaneJob]) throws {
        let lanes = defaultThreadCount >= 2 ? min(2, jobs.count) : 1
        let workers = laneWorkers
        let queue = LaneQueue(count: jobs.count)
        let laneWork = {
            while let index = queue.next() {
                do {
                    try WorkerLimit.with(workers) { try jobs[index].body(self.quiet || !jobs[index].showsProgress && lanes > 1) }
                } catch {
                    queue.fail(error)
                }
            }
        }
        let finished = DispatchSemaphore(value: 0)
        for _ in 1..<max(1, lanes) {
            let thread = Thread { laneWork(); finished.signal() }
            thread.stackSize = 8 << 20  // as the main thread's: the model's kernels use the stack
            thread.start()
        }
        laneWork()
        for _ in 1..<max(1, lanes) { finished.wait() }
        if let error = queue.error { throw error }
    }
}

/// The next job to run and the first error, shared by the lanes.
final class LaneQueue: @unchecked Sendable {  // every field is read and written under `lock`.
    private let lock = NSLock()
    private let count: Int
    private var nextIndex = 0
    private var firstError: (any Error)?

    init(count: Int) { self.count = count }

    /// The next job's index, or nil when all have started or one has failed.
    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard firstError == nil, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func fail(_ error: any Error) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }

    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }
}
