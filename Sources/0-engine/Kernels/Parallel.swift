// Kernels re-export the support layer: its seeded generator, thread policy and parallel-for are
// the engine's (`Support/Parallel.swift`, `Support/ThreadPolicy.swift`).

@_exported import Support

import GEMM

/// Support's `parallelChunks`, on GEMM's spinning workers when they are on: the elementwise
/// kernels between two products then use the threads the products keep awake, instead of waking a
/// second pool that competes with the spinning one for the cores (the built-in model's batch-64
/// decoding varied between 17.5k and 24.6k tokens/s with two pools, 21.8-22.2k with the spinning
/// one off). Bodies here never depend on how the range is cut.
@inline(__always)
func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, threads: Int = defaultThreadCount,
                    _ body: @escaping (Range<Int>) -> Void) {
    spinningChunks(count, minimumPerChunk: minimumPerChunk, threads: threads, body)
}
