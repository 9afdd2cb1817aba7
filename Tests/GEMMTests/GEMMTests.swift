// Every GEMM kernel the CPU supports against the naive `gemmReference`: all forms, odd and edge
// sizes, padded strides, accumulate, one and two threads, and concurrent callers.

import Foundation
import GEMM
import Testing

/// A deterministic generator (SplitMix64) so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One product to check: dimensions, padding added to each leading dimension, accumulate.
struct Case: CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var padA = 0, padB = 0, padC = 0
    var accumulate = false
    var description: String {
        "m=\(m) n=\(n) k=\(k) pads=(\(padA),\(padB),\(padC)) accumulate=\(accumulate)"
    }
}

/// Edge cases, sizes that cross the cache blocks (MC ≤ 192 at these depths, K blocks ≤ 512 past
/// K = 1024 (256 for the portable kernel), NC ≈ 4096), then random ones.
func cases() -> [Case] {
    var list: [Case] = [
        Case(m: 0, n: 5, k: 3), Case(m: 5, n: 0, k: 3),
        Case(m: 4, n: 5, k: 0), Case(m: 4, n: 5, k: 0, accumulate: true),
        Case(m: 1, n: 1, k: 1), Case(m: 1, n: 1, k: 1, accumulate: true),
        Case(m: 1, n: 37, k: 19), Case(m: 23, n: 1, k: 41), Case(m: 7, n: 9, k: 1),
        Case(m: 6, n: 16, k: 8), Case(m: 12, n: 32, k: 64), Case(m: 5, n: 15, k: 7),
        Case(m: 13, n: 17, k: 19, padA: 3, padB: 5, padC: 7, accumulate: true),
        Case(m: 150, n: 70, k: 600, padA: 1, padB: 2, padC: 3),
        Case(m: 301, n: 45, k: 130, accumulate: true),
        Case(m: 4, n: 4130, k: 3, padC: 1),
        Case(m: 97, n: 203, k: 1037, padB: 4, accumulate: true),
        Case(m: 9, n: 20, k: 2100, padA: 2, accumulate: true),
    ]
    var rng = SplitMix64(state: 2024)
    for _ in 0..<24 {
        list.append(Case(m: Int.random(in: 1...90, using: &rng), n: Int.random(in: 1...90, using: &rng),
                         k: Int.random(in: 1...200, using: &rng),
                         padA: Int.random(in: 0...3, using: &rng), padB: Int.random(in: 0...3, using: &rng),
                         padC: Int.random(in: 0...3, using: &rng), accumulate: Bool.random(using: &rng)))
    }
    return list
}

/// The operands of one case stored as `form` expects, with random values and padded strides.
struct Operands {
    let form: GEMMForm, test: Case
    let lda: Int, ldb: Int, ldc: Int
    var a: [Float], b: [Float], c0: [Float]

    init(_ form: GEMMForm, _ test: Case, seed: UInt64) {
        self.form = form
        self.test = test
        var rng = SplitMix64(state: seed)
        let (m, n, k) = (test.m, test.n, test.k)
        // A is (M,K), or (K,M) for tn; B is (K,N), or (N,K) for nt; C is (M,N).
        let aRows = form == .tn ? k : m, aCols = form == .tn ? m : k
        let bRows = form == .nt ? n : k, bCols = form == .nt ? k : n
        lda = aCols + test.padA
        ldb = bCols + test.padB
        ldc = n + test.padC
        a = (0..<max(aRows * lda, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        b = (0..<max(bRows * ldb, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        c0 = (0..<max(m * ldc, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    /// C after `gemm` with the given kernel and thread count.
    func run(kernel: GEMMKernel?, threads: Int?) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let (m, n, k) = (test.m, test.n, test.k)
                    if let kernel {
                        gemm(form, m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!,
                             ldb: ldb, c: c.baseAddress!, ldc: ldc, accumulate: test.accumulate,
                             threads: threads, kernel: kernel)
                    } else {
                        gemmReference(form, m: m, n: n, k: k, a: a.baseAddress!, lda: lda,
                                      b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: ldc,
                                      accumulate: test.accumulate)
                    }
                }
            }
        }
        return c
    }

    /// The first element of `got` that differs from `expected` by more than the rounding allowance
    /// 1e-5·sqrt(k)·(Σ|a·b| + |C0| + 1), including padding that must stay untouched.
    func firstMismatch(_ got: [Float], _ expected: [Float]) -> String? {
        let tolerance = 1e-5 * Float(max(test.k, 1)).squareRoot()
        for i in 0..<test.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < test.n else {
                    if got[index] != c0[index] { return "padding C[\(i)][\(j)] was written" }
                    continue
                }
                var scale: Float = 1 + (test.accumulate ? abs(c0[index]) : 0)
                for p in 0..<test.k {
                    let av = form == .tn ? a[p * lda + i] : a[i * lda + p]
                    let bv = form == .nt ? b[j * ldb + p] : b[p * ldb + j]
                    scale += abs(av * bv)
                }
                if abs(got[index] - expected[index]) > tolerance * scale {
                    return "C[\(i)][\(j)] = \(got[index]), reference \(expected[index])"
                }
            }
        }
        return nil
    }
}

@Suite struct GEMMTests {
    static let kernels = GEMMKernel.allCases.filter(\.isSupported)

    @Test(arguments: GEMMForm.allCases)
    func everySupportedKernelMatchesTheReference(form: GEMMForm) {
        for (index, test) in cases().enumerated() {
            let operands = Operands(form, test, seed: UInt64(index) &* 7919 &+ 1)
            let expected = operands.run(kernel: nil, threads: nil)
            for kernel in Self.kernels {
                for threads in [1, 2] {
                    let got = operands.run(kernel: kernel, threads: threads)
                    let mismatch = operands.firstMismatch(got, expected)
                    #expect(mismatch == nil, "\(kernel) \(form) threads=\(threads) \(test): \(mismatch ?? "")")
                }
            }
        }
    }

    @Test func defaultKernelAndThreadsMatchTheReference() {
        for form in GEMMForm.allCases {
            let test = Case(m: 130, n: 140, k: 150, padC: 2, accumulate: true)
            let operands = Operands(form, test, seed: 99)
            let got = operands.run(kernel: GEMMKernel.selected, threads: nil)
            let mismatch = operands.firstMismatch(got, operands.run(kernel: nil, threads: nil))
            #expect(mismatch == nil, "\(form): \(mismatch ?? "")")
        }
    }

    @Test func concurrentCallersGetTheirOwnResults() {
        // Several threads multiply different products at once, each itself using two workers.
        let tests = (0..<6).map { Case(m: 40 + 17 * $0, n: 60 + 5 * $0, k: 70 + 11 * $0) }
        let operands = tests.enumerated().map { Operands(.nt, $1, seed: UInt64(100 + $0)) }
        let expected = operands.map { $0.run(kernel: nil, threads: nil) }
        let results = ResultBox(count: tests.count)
        DispatchQueue.concurrentPerform(iterations: tests.count * 4) { job in
            let index = job % tests.count
            results.set(index, operands[index].run(kernel: GEMMKernel.selected, threads: 2))
        }
        for index in tests.indices {
            let mismatch = operands[index].firstMismatch(results.get(index), expected[index])
            #expect(mismatch == nil, "\(tests[index]): \(mismatch ?? "")")
        }
    }

    @Test func kernelSelectionIsSupported() {
        #expect(GEMMKernel.portable.isSupported)
        #expect(GEMMKernel.best.isSupported)
        #expect(GEMMKernel.selected.isSupported)
        #expect(GEMMKernel(rawValue: gemmKernelName) == GEMMKernel.selected)
    }

    @Test func macroKernelCopiesAreIdentical() throws {
        // MacroKernel.swift is compiled once per instruction set; the copies must not drift apart.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let copies = try ["GEMM", "GEMMAVX2", "GEMMAVX512"].map {
            try String(contentsOf: root.appendingPathComponent("Sources/0-engine/\($0)/MacroKernel.swift"),
                       encoding: .utf8)
        }
        #expect(copies[0] == copies[1] && copies[1] == copies[2],
                "Sources/0-engine/{GEMM,GEMMAVX2,GEMMAVX512}/MacroKernel.swift differ; copy one over the others")
    }
}

/// Results written from concurrent jobs.
final class ResultBox: @unchecked Sendable {  // Guarded by `lock`.
    private let lock = NSLock()
    private var values: [[Float]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [Float]) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> [Float] { lock.lock(); defer { lock.unlock() }; return values[index] }
}
