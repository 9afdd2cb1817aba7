// The blocking parameters and macro-kernel of each GEMMKernel.
//
// Cache blocking follows BLIS: a KC×NC block of B is packed for L3 (shared), an MC×KC block of A
// for L2, and one KC×NR micro-panel of B is streamed through L1 while the micro-kernel sweeps the
// MR-row panels of A past it. Each pass over K re-reads and re-writes all of C, so a depth up to
// `singlePassDepth` is done in one pass; deeper products are cut into blocks of at most `kc`.

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
    /// Floats of packed A to keep in L2 (MC·KC ≤ this).
    let aBlockFloats: Int
    /// Floats of A packed per sweep when A is stored (K, M): several A blocks at once.
    let aGroupFloats = 256 * 1024
    /// Largest K block (KC) when K is cut into blocks.
    let kc: Int
    /// Depths up to this are done in one K block.
    let singlePassDepth: Int
    /// Floats of packed B to keep in L3 (KC·NC ≤ this; also bounds each worker's buffer).
    let bBlockFloats: Int
    /// Largest block of columns of B (NC, multiple of NR).
    let nc: Int
    /// The instruction-set-specific loop over micro-tiles.
    let macroKernel: MacroKernelFunction

    init(_ requested: GEMMKernel) {
        kernel = requested.runnable
        switch kernel {
#if arch(x86_64)
        case .avx512:
            // Zen 4/5 and Intel server cores: L1 48 KB, L2 1-2 MB.
            (mr, nr) = avx512MicroTile
            (aBlockFloats, kc, singlePassDepth) = (96 * 1024, 512, 1024)
            (bBlockFloats, nc) = (1024 * 1024, 4096)
            macroKernel = avx512MacroKernel
        case .avx2:
            // Tuned on Zen 3 (L1 32 KB, L2 512 KB, L3 32 MB shared).
            (mr, nr) = avx2MicroTile
            (aBlockFloats, kc, singlePassDepth) = (48 * 1024, 512, 1024)
            (bBlockFloats, nc) = (1024 * 1024, 4080)
            macroKernel = avx2MacroKernel
#endif
        default:
            (mr, nr) = (microTileRows, microTileColumns)
            (aBlockFloats, kc, singlePassDepth) = (32 * 1024, 256, 256)
            (bBlockFloats, nc) = (1024 * 1024, 4096)
            macroKernel = portableMacroKernel
        }
    }

    /// The K block for depth `k`: all of it up to `singlePassDepth`, else equal blocks ≤ `kc`.
    func depthBlock(_ k: Int) -> Int {
        k <= singlePassDepth ? k : balancedBlock(k, limit: kc, unit: 1)
    }

    /// The M block for `m` rows when the K block is `kc`: as many MR panels as fit `aBlockFloats`.
    func rowBlock(_ m: Int, depth kc: Int) -> Int {
        let limit = max(mr, aBlockFloats / kc / mr * mr)
        return balancedBlock(m, limit: limit, unit: mr)
    }

    /// The N block for `n` columns when the K block is `kc`: at most NC, and within `bBlockFloats`.
    func columnBlock(_ n: Int, depth kc: Int) -> Int {
        let limit = max(nr, min(nc, bBlockFloats / kc / nr * nr))
        return balancedBlock(n, limit: limit, unit: nr)
    }
}

/// Splits `total` into blocks of at most `limit`, of equal size rounded up to a multiple of `unit`
/// (e.g. K = 1300 with KC = 512 becomes 434 + 434 + 432 rather than 512 + 512 + 276).
func balancedBlock(_ total: Int, limit: Int, unit: Int) -> Int {
    let blocks = (total + limit - 1) / limit
    let size = (total + blocks - 1) / blocks
    return min(limit, (size + unit - 1) / unit * unit)
}
