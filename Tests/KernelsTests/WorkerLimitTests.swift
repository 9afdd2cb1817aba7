// `WorkerLimit`: a per-thread cap on kernel workers, so two trainers can share the cores.

import Foundation
import GEMM
import Kernels
import Testing

@Suite struct WorkerLimitTests {
    @Test func capHoldsOnItsThreadOnlyAndIsRestored() {
        let uncapped = defaultThreadCount
        #expect(WorkerLimit.current == nil)
        WorkerLimit.with(1) {
            #expect(defaultThreadCount == 1)
            WorkerLimit.with(3) { #expect(defaultThreadCount == min(3, uncapped)) }
            #expect(WorkerLimit.current == 1)
            // Another thread started here keeps its own (absent) cap.
            let other = OtherThreadProbe()
            let done = DispatchSemaphore(value: 0)
            let thread = Thread { other.count = defaultThreadCount; other.cap = WorkerLimit.current; done.signal() }
            thread.start()
            done.wait()
            #expect(other.count == uncapped)
            #expect(other.cap == nil)
        }
        #expect(WorkerLimit.current == nil)
        #expect(defaultThreadCount == uncapped)
        #expect(WorkerLimit.with(0) { defaultThreadCount } == 1)  // at least one worker
    }

    @Test func cappedProductsEqualUncappedOnes() {
        // A product large enough to run on every core unless capped: same result either way.
        let m = 200, n = 160, k = 190
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        for i in a.indices { a[i] = Float((i * 37) % 101) / 101 - 0.5 }
        for i in b.indices { b[i] = Float((i * 53) % 97) / 97 - 0.5 }
        var free = [Float](repeating: 0, count: m * n), capped = free
        func product(into c: inout [Float]) {
            c.withUnsafeMutableBufferPointer { c in
                gemm(.nn, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c.baseAddress!, ldc: n)
            }
        }
        product(into: &free)
        WorkerLimit.with(1) { product(into: &capped) }
        #expect(free == capped)
    }
}

final class OtherThreadProbe: @unchecked Sendable {  // written before the semaphore signals.
    var count = 0
    var cap: Int?
}
