// Kernels re-export the support layer: its seeded generator, thread policy and parallel-for are
// the engine's (`Support/Parallel.swift`, `Support/ThreadPolicy.swift`).

@_exported import Support
