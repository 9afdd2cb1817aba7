// Public entry point of the matrix multiply. All matrices are row-major, Float32.
//
// Shape legend: M, N, K are the GEMM dimensions; `ld*` are row strides (leading dimensions).

/// Which operands are stored transposed. Row-major throughout.
///
/// - `nn`: C(M,N) = A(M,K) · B(K,N)
/// - `nt`: C(M,N) = A(M,K) · B(N,K)ᵀ   (a linear layer forward: x · Wᵀ with W stored (out, in))
/// - `tn`: C(M,N) = A(K,M)ᵀ · B(K,N)   (a weight gradient: dYᵀ · X)
public enum GEMMForm: String, Sendable, CaseIterable {
    case nn, nt, tn
}

/// C = A·B (in the given form), or C += A·B when `accumulate` is true.
///
/// Packed, cache-blocked and vectorized with the best micro-kernel the CPU supports (see
/// `GEMMKernel`; `E2H_GEMM_KERNEL` may force one). Safe to call from several threads at once.
/// Without `accumulate`, C is only written, so it may hold garbage (even NaN) beforehand.
///
/// - Parameters:
///   - form: which operand is transposed.
///   - m, n, k: GEMM dimensions.
///   - a: A's storage, `lda` floats between rows.
///   - b: B's storage, `ldb` floats between rows.
///   - c: C (M,N), `ldc` floats between rows.
///   - accumulate: add into C instead of overwriting it.
///   - threads: worker threads to use; `nil` means the library default (all cores for products of
///     at least 128³ multiply-adds, one thread below).
///   - precision: operand precision; `nil` means ``MatmulPrecision/processDefault`` (float32 unless
///     `E2H_MATMUL=bf16` or a command's `--matmul bf16`). bfloat16 runs only where the CPU has AMX.
public func gemm(
    _ form: GEMMForm,
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool = false,
    threads: Int? = nil,
    precision: MatmulPrecision? = nil
) {
    if (precision ?? MatmulPrecision.processDefault).effective == .bfloat16, m * n * k >= amxThreshold {
        let product = StridedProduct(form, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                     c: c, ldc: ldc, accumulate: accumulate)
        runAMX(product, threads: threads ?? defaultThreads(m: m, n: n, k: k))
        return
    }
    gemm(form, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
         accumulate: accumulate, threads: threads, kernel: GEMMKernel.selected)
}

/// `gemm` with a chosen micro-kernel (for tests and benchmarks). A kernel the CPU does not support
/// is replaced by the best one it does, so this never executes an illegal instruction.
public func gemm(
    _ form: GEMMForm,
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool = false,
    threads: Int? = nil,
    kernel: GEMMKernel
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension m=\(m) n=\(n) k=\(k)")
    guard m > 0 && n > 0 else { return }
    guard k > 0 else {
        // An empty sum: C = 0, or C unchanged when accumulating.
        if !accumulate {
            for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
        }
        return
    }
    let product = StridedProduct(form, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                 c: c, ldc: ldc, accumulate: accumulate)
    let workers = threads ?? defaultThreads(m: m, n: n, k: k)
    runBlocked(product, plan: KernelPlan(kernel), threads: workers)
}

/// The naive triple loop, kept as the reference every fast path is tested against.
public func gemmReference(
    _ form: GEMMForm,
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool = false
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let av = form == .tn ? a[p * lda + i] : a[i * lda + p]
                let bv = form == .nt ? b[j * ldb + p] : b[p * ldb + j]
                sum += av * bv
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
        }
    }
}
