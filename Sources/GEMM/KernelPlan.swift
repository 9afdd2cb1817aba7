// The blocking parameters and macro-kernel of each GEMMKernel.
//
// Cache blocking follows BLIS: a KC×NC block of B is packed to stay in L3 (shared), an MC×KC block
// of A to stay in L2, and one KC×NR micro-panel of B stays in L1 while the micro-kernel sweeps the
// MR-row panels of A past it.

import Glibc
#if arch(x86_64)
import GEMMAVX2
import GEMMAVX512
#endif

/// C(mc, nc) (+)= packed A (mc/MR, kc, MR) · packed B (nc/NR, kc, NR), C with `ldc` between rows.
typealias MacroKernelFunction = (
    _ mc: Int, _ nc: Int, _ kc: Int,
    _ packedA: UnsafePointer<Float>, _ packedB: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) -> Void

/// How one kernel is driven: tile shape, cache blocks and the macro-kernel itself.
struct KernelPlan {
    /// The kernel that runs (the requested one, or the best supported if it is not).
    let kernel: GEMMKernel
    /// Micro-tile rows (MR) and columns (NR).
    let mr: Int, nr: Int
    /// Largest blocks: rows of A (MC, multiple of MR), depth (KC), columns of B (NC, multiple of NR).
    let mc: Int, kc: Int, nc: Int
    /// The instruction-set-specific loop over micro-tiles.
    let macroKernel: MacroKernelFunction

    init(_ requested: GEMMKernel) {
        kernel = requested.runnable
        switch kernel {
#if arch(x86_64)
        case .avx512:
            (mr, nr) = avx512MicroTile
            (mc, kc, nc) = (144, 256, 4096)
            macroKernel = avx512MacroKernel
        case .avx2:
            (mr, nr) = avx2MicroTile
            if let e = getenv("E2H_TUNE"), e[0] != 120 { let v = String(cString: e).split(separator: ",").map { Int($0)! }; (mc, kc, nc) = (v[0], v[1], v[2]) } else {
            (mc, kc, nc) = (96, 512, 4080) }
            macroKernel = avx2MacroKernel
#endif
        default:
            (mr, nr) = (microTileRows, microTileColumns)
            (mc, kc, nc) = (96, 256, 4096)
            macroKernel = portableMacroKernel
        }
    }
}
