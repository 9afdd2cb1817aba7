// How many workers a product gets when the caller does not say.

import Foundation
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Products below this many multiply-adds (m·n·k) run on one thread: handing work to a second
/// core costs more than it saves.
let parallelThreshold = 128 * 128 * 128

/// Threads of this process: the active processor count, or `E2H_THREADS` (Support's thread policy).
let coreCount = processThreadCount

/// All cores for large products, one thread for small ones; never more than the calling
/// thread's ``WorkerLimit``.
func defaultThreads(m: Int, n: Int, k: Int) -> Int {
    m * n * k >= parallelThreshold ? WorkerLimit.capped(coreCount) : 1
}

