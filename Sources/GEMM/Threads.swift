// How many workers a product gets when the caller does not say.

import Foundation

/// Products below this many multiply-adds (m·n·k) run on one thread: handing work to a second
/// core costs more than it saves.
let parallelThreshold = 128 * 128 * 128

/// Cores of this machine, asked once.
let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// All cores for large products, one thread for small ones.
func defaultThreads(m: Int, n: Int, k: Int) -> Int {
    m * n * k >= parallelThreshold ? coreCount : 1
}
