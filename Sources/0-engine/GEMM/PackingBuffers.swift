// Reusable packing buffers, so that a call does not allocate (and fault in) megabytes each time.
//
// Each worker of each `gemm` call borrows one `PackingBuffers` from a lock-protected pool and gives
// it back when done; concurrent calls from many threads therefore never share a buffer.

import Foundation

/// One worker's packed A block and packed B block, 64-byte aligned, grown on demand.
final class PackingBuffers {
    /// Packed A block, (MC/MR, KC, MR).
    private(set) var a: UnsafeMutablePointer<Float>
    /// Packed B block, (NC/NR, KC, NR).
    private(set) var b: UnsafeMutablePointer<Float>
    private var aCapacity = 0, bCapacity = 0

    init() {
        a = PackingBuffers.allocate(0)
        b = PackingBuffers.allocate(0)
    }

    deinit {
        a.deallocate()
        b.deallocate()
    }

    /// Makes room for at least `aCount` and `bCount` floats (contents are not kept).
    func reserve(aCount: Int, bCount: Int) {
        if aCount > aCapacity {
            a.deallocate()
            a = PackingBuffers.allocate(aCount)
            aCapacity = aCount
        }
        if bCount > bCapacity {
            b.deallocate()
            b = PackingBuffers.allocate(bCount)
            bCapacity = bCount
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride,
                                         alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }
}

/// The process-wide pool of idle packing buffers.
final class PackingBufferPool: @unchecked Sendable {  // `idle` is only touched under `lock`.
    static let shared = PackingBufferPool()

    /// Idle buffers kept for reuse, one per core and one spare; more are freed on return
    /// (each holds up to about 4 MB).
    private let maxIdle = coreCount + 1
    private let lock = NSLock()
    private var idle: [PackingBuffers] = []

    /// Runs `body` with buffers of at least the given sizes, borrowed for the duration of the call.
    func withBuffers<R>(aCount: Int, bCount: Int, _ body: (PackingBuffers) -> R) -> R {
        lock.lock()
        let buffers = idle.popLast() ?? PackingBuffers()
        lock.unlock()
        buffers.reserve(aCount: aCount, bCount: bCount)
        defer {
            lock.lock()
            if idle.count < maxIdle { idle.append(buffers) }
            lock.unlock()
        }
        return body(buffers)
    }
}
