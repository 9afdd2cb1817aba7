// OpenBLAS through dlopen, as an optional peer for the benchmark (never needed to build or run).
//
// Searched in order: $E2H_OPENBLAS, the system's libopenblas, then the copy NumPy bundles
// (scipy-openblas, whose symbols carry a `scipy_` prefix and, for 64-bit integers, a `64_` suffix).

import GEMM
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded OpenBLAS library: `cblas_sgemm`, its thread count and the core type it chose.
public final class OpenBLAS: @unchecked Sendable {  // Immutable after init; OpenBLAS is thread-safe.
    /// The file that was loaded.
    public let path: String
    /// The kernel family OpenBLAS chose for this CPU (`openblas_get_corename`), e.g. "Haswell".
    public let coreName: String
    /// Build configuration (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...".
    public let config: String

    private typealias SGEMM32 = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    private typealias SGEMM64 = @convention(c) (
        Int32, Int32, Int32, Int, Int, Int, Float, UnsafePointer<Float>?, Int,
        UnsafePointer<Float>?, Int, Float, UnsafeMutablePointer<Float>?, Int) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    private let handle: UnsafeMutableRawPointer
    private let sgemm32: SGEMM32?
    private let sgemm64: SGEMM64?
    private let setThreads: SetThreads?

    /// Loads the first OpenBLAS found (see the file comment), or returns nil.
    public static func load() -> OpenBLAS? {
        for path in candidatePaths() {
            if let library = OpenBLAS(path: path) { return library }
        }
        return nil
    }

    /// Loads OpenBLAS from `path`, or returns nil if it cannot be opened or has no `cblas_sgemm`.
    public init?(path: String) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            for prefix in ["", "scipy_"] {
                for suffix in ["", "64_"] {
                    if let s = dlsym(handle, prefix + name + suffix) {
                        return unsafeBitCast(s, to: type)
                    }
                }
            }
            return nil
        }
        // ILP64 builds mark every symbol with the `64_` suffix; 32-bit-integer builds with none.
        if let s = dlsym(handle, "cblas_sgemm") ?? dlsym(handle, "scipy_cblas_sgemm") {
            (sgemm32, sgemm64) = (unsafeBitCast(s, to: SGEMM32.self), nil)
        } else if let s = dlsym(handle, "cblas_sgemm64_") ?? dlsym(handle, "scipy_cblas_sgemm64_") {
            (sgemm32, sgemm64) = (nil, unsafeBitCast(s, to: SGEMM64.self))
        } else {
            dlclose(handle)
            return nil
        }
        self.handle = handle
        self.path = path
        setThreads = symbol("openblas_set_num_threads", as: SetThreads.self)
        let text = { (name: String) -> String in
            symbol(name, as: GetString.self).flatMap { $0() }.map { String(cString: $0) } ?? "unknown"
        }
        coreName = text("openblas_get_corename")
        config = text("openblas_get_config").strippingWhitespace()
    }

    deinit { dlclose(handle) }

    /// Sets the number of threads OpenBLAS uses for the following calls.
    public func setThreadCount(_ threads: Int) {
        setThreads?(Int32(threads))
    }

    /// C = A·B in the given form, row-major, as `gemm` does (without accumulate).
    public func sgemm(
        _ form: GEMMForm, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (rowMajor, noTrans, trans): (Int32, Int32, Int32) = (101, 111, 112)
        let ta = form == .tn ? trans : noTrans
        let tb = form == .nt ? trans : noTrans
        if let f = sgemm64 {
            f(rowMajor, ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
        } else if let f = sgemm32 {
            f(rowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb),
              0, c, Int32(ldc))
        }
    }

    /// Where to look, most specific first.
    static func candidatePaths() -> [String] {
        var paths: [String] = []
        if let env = getenv("E2H_OPENBLAS") { paths.append(String(cString: env)) }
#if os(macOS)
        paths += ["/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
                  "/usr/local/opt/openblas/lib/libopenblas.dylib"]
#else
        paths += ["libopenblas.so.0", "libopenblas.so",
                  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0"]
#endif
        // NumPy's bundled copy, in the usual places Python packages live.
        let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
        for root in ["\(home)/.pyenv/versions/*/lib/python3*/site-packages",
                     "\(home)/.local/lib/python3*/site-packages",
                     "/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
                     "/usr/lib/python3/dist-packages", "/opt/conda/lib/python3*/site-packages"] {
            paths += globPaths("\(root)/numpy.libs/libscipy_openblas*")
            paths += globPaths("\(root)/numpy/.dylibs/libscipy_openblas*")
            paths += globPaths("\(root)/scipy_openblas*/lib/libscipy_openblas*")
        }
        return paths
    }

    private static func globPaths(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { i in
            result.gl_pathv[i].map { String(cString: $0) }
        }
    }
}

private extension String {
    /// Without leading and trailing spaces and newlines.
    func strippingWhitespace() -> String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
