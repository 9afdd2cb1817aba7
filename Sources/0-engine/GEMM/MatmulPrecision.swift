// The precision of matrix products: float32 throughout (the default, PyTorch's), or bfloat16
// operands with float32 sums on Intel AMX tiles (CCPUFeatures/amx_gemm.c), the mixed precision of
// `torch.autocast(dtype=torch.bfloat16)`: each operand rounded to 8 significant bits, every sum kept
// in float32. Weights, gradients, optimizer state and every other kernel stay float32.
//
// The process default is `E2H_MATMUL` (fp32 | bf16) or what a command sets (`--matmul bf16`) before
// it starts work. bf16 runs only where the CPU has AMX-BF16 (and Linux grants the tile state);
// elsewhere products stay float32 and ``MatmulPrecision/effective`` says so.

import CCPUFeatures
import Dispatch
import Foundation
import Support

/// Operand precision of `gemm`.
public enum MatmulPrecision: String, Sendable, CaseIterable {
    /// Float32 operands and sums.
    case float32 = "fp32"
    /// Operands rounded to bfloat16 (to nearest even), float32 sums: AMX tiles.
    case bfloat16 = "bf16"

    /// Whether this CPU and OS run bfloat16 products (AMX-BF16 tiles granted to the process).
    public static let amxAvailable: Bool = e2h_amx_bf16_available() == 1

    private static let setting: UnsafeMutablePointer<Int64> = {
        let word = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
        var initial = MatmulPrecision.float32
        if let raw = getenv("E2H_MATMUL").map({ String(cString: $0) }), !raw.isEmpty {
            if let named = MatmulPrecision(rawValue: raw) {
                initial = named
            } else {
                warn("E2H_MATMUL=\(raw) is not one of fp32, bf16; using fp32")
            }
        }
        word.initialize(to: initial == .bfloat16 ? 1 : 0)
        return word
    }()

    /// The precision `gemm` uses when its caller does not name one: `E2H_MATMUL`, or the last
    /// value set here (a command sets it once, before it starts work).
    public static var processDefault: MatmulPrecision {
        get { e2h_atomic_load(setting) == 1 ? .bfloat16 : .float32 }
        set { e2h_atomic_store(setting, newValue == .bfloat16 ? 1 : 0) }
    }

    /// What a product asked for in this precision runs in: bfloat16 only with AMX.
    public var effective: MatmulPrecision { self == .bfloat16 && Self.amxAvailable ? .bfloat16 : .float32 }

    /// The bf16 AMX tile peak in GF/s on `threads` threads (best of three runs of a loop of tile dot
    /// products on resident tiles, 13 GFLOP per thread); 0 without AMX. For `e2h bench`'s share of peak.
    public static func tilePeakGFLOPS(threads: Int) -> Double {
        guard amxAvailable, threads >= 1 else { return 0 }
        let iterations = 200_000
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now()
            DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = e2h_amx_bf16_peak_loop(iterations) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            best = max(best, Double(threads * iterations) * 4 * 16_384 / seconds / 1e9)
        }
        return best
    }
}

/// Products with fewer multiply-adds stay float32 even in bfloat16 mode: too small for the
/// packing to pay (and the decoding step's one-row products gain nothing from tiles).
let amxThreshold = 32 * 32 * 32

/// The bfloat16 product on AMX tiles on `threads` threads. On all the process's threads, a product
/// at least as tall as wide packs each block of B once, the threads sharing the tiles, then the
/// threads claim A's row blocks one at a time (a late thread takes fewer; nobody waits for a fixed
/// half). Otherwise it is split into bands as ``runBlocked`` splits, each band packing its own B
/// (bands respect a lower `threads`, e.g. a ``WorkerLimit``; the shared workers are all the cores).
func runAMX(_ product: StridedProduct, threads: Int) {
    if threads > 1, threads >= coreCount, product.m >= product.n, product.m >= 2 * AMXBlocking.rows {
        runAMXSharedB(product, threads: threads)
        return
    }
    forEachBand(product, rowUnit: 32, columnUnit: 32, threads: threads) { p in
        e2h_amx_gemm_bf16(p.m, p.n, p.k, p.a, p.aRowStride, p.aDepthStride,
                          p.b, p.bDepthStride, p.bColumnStride, p.c, p.ldc, p.accumulate ? 1 : 0)
    }
}

/// amx_gemm.c's block sizes: depth, columns (of a packed B block), rows (of a packed A block).
enum AMXBlocking {
    static let (depth, columns, rows): (Int, Int, Int) = {
        var kc = 0, nc = 0, mc = 0
        e2h_amx_blocking(&kc, &nc, &mc)
        return (kc, nc, mc)
    }()
}

/// Per block of B: its tiles packed by all threads into one shared buffer, then A's row blocks
/// claimed one by one against it.
private func runAMXSharedB(_ p: StridedProduct, threads: Int) {
    let kc = AMXBlocking.depth, nc = AMXBlocking.columns, mc = AMXBlocking.rows
    let roundedColumns = (min(nc, p.n) + 31) / 32 * 32, roundedDepth = (min(kc, p.k) + 31) / 32 * 32
    // bf16 values in a Float buffer: two per float.
    PackingBufferPool.shared.withBuffers(aCount: 0, bCount: (roundedColumns * roundedDepth + 1) / 2) { buffers in
        let packed = UnsafeMutableRawPointer(buffers.b).assumingMemoryBound(to: UInt16.self)
        var jc = 0
        while jc < p.n {
            let columns = min(nc, p.n - jc), tiles = (columns + 31) / 32 * 2
            var pc = 0
            while pc < p.k {
                let depth = min(kc, p.k - pc), accumulate: Int32 = p.accumulate || pc > 0 ? 1 : 0
                let b = p.b + pc * p.bDepthStride + jc * p.bColumnStride
                let packChunks = min(tiles / 2, threads * SpinningWorkers.chunksPerThread)
                parallelBands(packChunks) { chunk in
                    // Whole tile pairs per chunk (the pair is the unit the rows read).
                    let first = tiles / 2 * chunk / packChunks * 2, end = tiles / 2 * (chunk + 1) / packChunks * 2
                    if first < end { e2h_amx_pack_b(b, p.bDepthStride, p.bColumnStride, columns, depth, first, end, packed) }
                }
                let blocks = (p.m + mc - 1) / mc
                let a = p.a + pc * p.aDepthStride, c = p.c + jc
                parallelBands(blocks) { block in
                    let rows = min(mc, p.m - block * mc)
                    e2h_amx_rows(a + block * mc * p.aRowStride, p.aRowStride, p.aDepthStride, rows, depth,
                                 packed, columns, c + block * mc * p.ldc, p.ldc, accumulate)
                }
                pc += depth
            }
            jc += columns
        }
    }
}
