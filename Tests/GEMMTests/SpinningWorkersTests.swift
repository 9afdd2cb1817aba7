// The spinning workers (GEMM/SpinningWorkers.swift): every chunk of every region runs exactly
// once and before the region returns, also for back-to-back regions, regions started while
// another runs (nested, or from other threads: those fall back to concurrentPerform) and after
// the workers went to sleep.

import Dispatch
import Foundation
@testable import GEMM
import Testing

@Suite("Spinning workers", .serialized)
struct SpinningWorkersTests {
    /// Runs one region of `chunks` chunks; whether each ran once.
    func region(_ chunks: Int) -> Bool {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(1, chunks))
        counts.initialize(repeating: 0, count: max(1, chunks))
        defer { counts.deallocate() }
        SpinningWorkers.shared.run(chunks: chunks) { chunk in counts[chunk] += 1 }
        return (0..<chunks).allSatisfy { counts[$0] == 1 }
    }

    @Test func everyChunkRunsOnce() {
        #expect((0..<20_000).allSatisfy { region(1 + $0 % 9) })
        #expect(region(0))
    }

    @Test func nestedAndConcurrentRegionsFallBack() {
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        total.initialize(repeating: 0, count: 64)
        defer { total.deallocate() }
        SpinningWorkers.shared.run(chunks: 8) { outer in
            // Nested: the pool is taken, so this runs on concurrentPerform.
            SpinningWorkers.shared.run(chunks: 8) { inner in total[outer * 8 + inner] += 1 }
        }
        #expect((0..<64).allSatisfy { total[$0] == 1 })
        let good = UnsafeMutablePointer<Bool>.allocate(capacity: 4)
        defer { good.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            good[t] = (0..<2_000).allSatisfy { region(2 + $0 % 5) }
        }
        #expect((0..<4).allSatisfy { good[$0] })
    }

    @Test func regionsAfterTheWorkersSlept() {
        for _ in 0..<3 {
            #expect(region(4))
            Thread.sleep(forTimeInterval: 0.01)  // past the 2 ms of spinning
        }
    }

    /// `spinningChunks` covers its range exactly once, however it cuts it.
    @Test func chunksCoverTheRangeInOrder() {
        for count in [1, 7, 100, 1_000] {
            let seen = UnsafeMutablePointer<Int>.allocate(capacity: count)
            seen.initialize(repeating: 0, count: count)
            defer { seen.deallocate() }
            spinningChunks(count, minimumPerChunk: 3, threads: 4) { range in for i in range { seen[i] += 1 } }
            #expect((0..<count).allSatisfy { seen[$0] == 1 })
        }
    }
}
