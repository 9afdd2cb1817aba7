// Run-time choice of the micro-kernel: the widest instruction set the CPU supports, unless the
// environment variable E2H_GEMM_KERNEL (avx512 | avx2 | portable) or the caller asks for another.

import CCPUFeatures
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A family of micro-kernels, one per instruction set, fastest first.
public enum GEMMKernel: String, CaseIterable, Codable, Sendable {
    /// 6×32 tiles of SIMD16 (zmm), for CPUs with AVX-512F/BW/DQ/VL.
    case avx512
    /// 6×16 tiles of SIMD8 (ymm) with fused multiply-add, for CPUs with AVX2 and FMA.
    case avx2
    /// 6×8 tiles of SIMD4 compiled for the platform baseline; runs on every CPU.
    case portable

    /// Whether the running CPU can execute this kernel.
    public var isSupported: Bool {
        switch self {
        case .avx512: return CPUSupport.avx512
        case .avx2: return CPUSupport.avx2
        case .portable: return true
        }
    }

    /// The fastest kernel the running CPU supports.
    public static var best: GEMMKernel {
        allCases.first { $0.isSupported } ?? .portable
    }

    /// The kernel `gemm` uses when none is given: `E2H_GEMM_KERNEL` if set to a supported kernel,
    /// else `best`. An unknown or unsupported value is reported once on standard error and ignored.
    public static let selected: GEMMKernel = {
        guard let raw = getenv("E2H_GEMM_KERNEL").map({ String(cString: $0) }), !raw.isEmpty else {
            return best
        }
        guard let kernel = GEMMKernel(rawValue: raw.lowercased()) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            warn("E2H_GEMM_KERNEL=\(raw) is not one of \(names); using \(best.rawValue)")
            return best
        }
        guard kernel.isSupported else {
            warn("E2H_GEMM_KERNEL=\(raw): this CPU does not support it; using \(best.rawValue)")
            return best
        }
        return kernel
    }()

    /// This kernel if the CPU supports it, else the best one it does (never an illegal instruction).
    public var runnable: GEMMKernel { isSupported ? self : GEMMKernel.best }
}

/// A warning about an environment setting on standard error.
func warn(_ message: String) {
    fputs("warning: \(message)\n", stderr)
}

/// The name of the kernel `gemm` uses by default ("avx512", "avx2" or "portable").
public var gemmKernelName: String { GEMMKernel.selected.rawValue }

/// CPU features, asked once.
enum CPUSupport {
#if arch(x86_64)
    static let avx512 = e2h_cpu_has_avx512() != 0
    static let avx2 = e2h_cpu_has_avx2_fma() != 0
#else
    // The AVX targets are compiled for x86_64 only; elsewhere the portable kernel runs.
    static let avx512 = false
    static let avx2 = false
#endif
}
