// The GEMM benchmark behind `e2h bench`: GF/s of `gemm` per shape, form and thread count, beside
// OpenBLAS's `cblas_sgemm` on the same operands in the same process when OpenBLAS can be loaded.

import GEMM
import Support
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GEMMForm: Codable {}

/// A product's dimensions: C(m, n) = A(m, k) · B(k, n).
public struct GEMMShape: Codable, Sendable, Hashable {
    public var m: Int, n: Int, k: Int
    public init(m: Int, n: Int, k: Int) { (self.m, self.n, self.k) = (m, n, k) }

    /// Square 256/512/1024 and the transformer's [4096x256]x[256x1024] and [4096x1024]x[1024x256].
    public static let benchmarkDefaults: [GEMMShape] = [
        GEMMShape(m: 256, n: 256, k: 256), GEMMShape(m: 512, n: 512, k: 512),
        GEMMShape(m: 1024, n: 1024, k: 1024),
        GEMMShape(m: 4096, n: 1024, k: 256), GEMMShape(m: 4096, n: 256, k: 1024),
    ]
}

/// One measured case.
public struct GEMMBenchmarkResult: Codable, Sendable {
    public var form: GEMMForm
    public var m: Int, n: Int, k: Int
    public var threads: Int
    /// Our speed, 2·m·n·k / seconds of the fastest call / 1e9.
    public var gflops: Double
    /// Which micro-kernel ran ("avx512", "avx2", "portable").
    public var kernel: String
    /// OpenBLAS's speed on the same case, when it was loaded.
    public var openblasGflops: Double?
    /// gflops / openblasGflops.
    public var ratio: Double?
}

/// All measured cases and what they ran on.
public struct GEMMBenchmarkReport: Codable, Sendable {
    /// Our micro-kernel.
    public var kernel: String
    /// The OpenBLAS peer: "openblas: not found", or its path, core type and configuration.
    public var openblas: String
    /// The kernel family OpenBLAS chose (e.g. "Haswell", "Zen"), when it was loaded.
    public var openblasCoreType: String?
    public var results: [GEMMBenchmarkResult]

    /// A fixed-width table, one line per case.
    public var table: String {
        var lines = ["gemm kernel: \(kernel)", openblas,
                     "form      m     n     k  thr    GF/s  openblas   ratio"]
        for r in results {
            let peer = r.openblasGflops.map { fixed($0, 1) } ?? "-"
            let ratio = r.ratio.map { fixed($0, 2) } ?? "-"
            lines.append(pad(r.form.rawValue, 4) + pad(String(r.m), 7) + pad(String(r.n), 6)
                         + pad(String(r.k), 6) + pad(String(r.threads), 5)
                         + pad(fixed(r.gflops, 1), 8) + pad(peer, 10) + pad(ratio, 8))
        }
        return lines.joined(separator: "\n")
    }
}

/// Measures `gemm` (and OpenBLAS when `compareWithOpenBLAS` and it can be loaded) on every
/// shape × form × thread count.
///
/// The machine may be shared with other work, so the two sides are interleaved and the fastest
/// call of each counts: on one thread they alternate call by call; on several they alternate in
/// six rounds with a pause after OpenBLAS's, whose worker threads keep spinning for a while after
/// each call and would otherwise take cores from ours. Each side runs about `secondsPerCase`.
public func benchmarkGEMM(
    shapes: [GEMMShape] = GEMMShape.benchmarkDefaults,
    forms: [GEMMForm] = GEMMForm.allCases,
    threads: [Int] = [1, 2],
    kernel: GEMMKernel = GEMMKernel.selected,
    compareWithOpenBLAS: Bool = true,
    secondsPerCase: Double = 0.3,
    precision: MatmulPrecision = .float32
) -> GEMMBenchmarkReport {
    let runnable = kernel.runnable
    // bf16 products (AMX tiles) against OpenBLAS's float32 sgemm; their kernel is named "amx-bf16".
    let bf16 = precision.effective == .bfloat16
    let kernelName = bf16 ? "amx-bf16" : runnable.rawValue
    let blas = compareWithOpenBLAS ? OpenBLAS.load() : nil
    var results: [GEMMBenchmarkResult] = []
    for t in threads {
        for shape in shapes {
            for form in forms {
                let (ours, peer) = withOperands(form, shape) { a, lda, b, ldb, c, ldc in
                    let runOurs = {
                        if bf16 {
                            gemm(form, m: shape.m, n: shape.n, k: shape.k, a: a, lda: lda, b: b,
                                 ldb: ldb, c: c, ldc: ldc, threads: t, precision: .bfloat16)
                        } else {
                            gemm(form, m: shape.m, n: shape.n, k: shape.k, a: a, lda: lda, b: b,
                                 ldb: ldb, c: c, ldc: ldc, threads: t, kernel: runnable)
                        }
                    }
                    guard let blas else {
                        return (fastestSeconds(budget: secondsPerCase, runOurs), Double.nan)
                    }
                    blas.setThreadCount(t)
                    let runPeer = {
                        blas.sgemm(form, m: shape.m, n: shape.n, k: shape.k, a: a, lda: lda,
                                   b: b, ldb: ldb, c: c, ldc: ldc)
                    }
                    if t == 1 {
                        return fastestAlternating(budget: secondsPerCase, runOurs, runPeer)
                    }
                    let rounds = 6
                    var best = (Double.infinity, Double.infinity)
                    for _ in 0..<rounds {
                        best.0 = min(best.0, fastestSeconds(budget: secondsPerCase / Double(rounds), runOurs))
                        best.1 = min(best.1, fastestSeconds(budget: secondsPerCase / Double(rounds), runPeer))
                        usleep(120_000)
                    }
                    return best
                }
                var result = GEMMBenchmarkResult(
                    form: form, m: shape.m, n: shape.n, k: shape.k, threads: t,
                    gflops: gflops(shape, ours), kernel: kernelName)
                if blas != nil {
                    result.openblasGflops = gflops(shape, peer)
                    result.ratio = result.gflops / gflops(shape, peer)
                }
                results.append(result)
            }
        }
    }
    let peerLine: String
    if let blas {
        peerLine = "openblas: \(blas.path) core=\(blas.coreName) config=\(blas.config)"
    } else {
        peerLine = compareWithOpenBLAS ? "openblas: not found" : "openblas: not compared"
    }
    return GEMMBenchmarkReport(kernel: kernelName, openblas: peerLine,
                               openblasCoreType: blas?.coreName, results: results)
}

private func gflops(_ s: GEMMShape, _ seconds: Double) -> Double {
    2 * Double(s.m) * Double(s.n) * Double(s.k) / seconds / 1e9
}

/// Allocates A, B, C stored as `form` expects, filled with small deterministic values.
private func withOperands<R>(
    _ form: GEMMForm, _ s: GEMMShape,
    _ body: (UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> R
) -> R {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.k)  // (M,K) or (K,M) for tn
    let b = UnsafeMutablePointer<Float>.allocate(capacity: s.k * s.n)  // (K,N) or (N,K) for nt
    let c = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.n)  // (M,N)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<(s.m * s.k) { a[i] = Float((i &* 7919) % 17) / 17 - 0.5 }
    for i in 0..<(s.k * s.n) { b[i] = Float((i &* 104729) % 23) / 23 - 0.5 }
    c.initialize(repeating: 0, count: s.m * s.n)
    let lda = form == .tn ? s.m : s.k
    let ldb = form == .nt ? s.k : s.n
    return body(a, lda, b, ldb, c, s.n)
}

/// Calls `body` once to warm up, then repeatedly for about `budget` seconds (at least 3 times);
/// returns the fastest call's seconds.
private func fastestSeconds(budget: Double, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    var total = 0.0
    var calls = 0
    while total < budget || calls < 3 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, seconds)
        total += seconds
        calls += 1
    }
    return best
}

/// Alternates `first` and `second` call by call (after a warm-up call each) until each has run
/// about `budget` seconds; returns the fastest call of each.
private func fastestAlternating(budget: Double, _ first: () -> Void, _ second: () -> Void)
    -> (Double, Double) {
    first()
    second()
    var best = (Double.infinity, Double.infinity)
    var total = (0.0, 0.0)
    var calls = 0
    while total.0 < budget || total.1 < budget || calls < 3 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        first()
        let t1 = DispatchTime.now().uptimeNanoseconds
        second()
        let t2 = DispatchTime.now().uptimeNanoseconds
        let s = (Double(t1 - t0) / 1e9, Double(t2 - t1) / 1e9)
        best = (min(best.0, s.0), min(best.1, s.1))
        total = (total.0 + s.0, total.1 + s.1)
        calls += 1
    }
    return best
}

private func pad(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
}

private func fixed(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let v = (x * scale).rounded() / scale
    var s = String(v)
    let decimals = s.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
    if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    return s
}
