import Foundation
import GEMM
import Kernels
import TestSupport
import Testing

@Suite("FastMath")
struct FastMathTests {
    @Test func expMatchesLibm() {
        var worst: Float = 0
        var x: Float = -80
        while x < 80 {
            let approx = exp8(Vec8(repeating: x))[3]
            let exact = Float(Foundation.exp(Double(x)))
            worst = max(worst, abs(approx - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
        #expect(exp8(Vec8(repeating: -200))[0] >= 0)
        #expect(exp8(Vec8(repeating: 0))[0] == 1)
    }

    @Test func sigmoidMatches() {
        for x in stride(from: Float(-20), to: 20, by: 0.37) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(sigmoidScalar(x)) - exact) < 1e-6)
        }
    }
}

@Suite("RMSNorm")
struct RMSNormTests {
    let rows = 5, channels = 12, epsilon: Float = 1e-5

    func forward(_ x: [Float], _ w: [Float]) -> ([Float], [Float]) {
        var out = [Float](repeating: 0, count: rows * channels), rstd = [Float](repeating: 0, count: rows)
        rmsNormForward(output: &out, rstd: &rstd, input: x, weight: w, rows: rows, channels: channels, epsilon: epsilon)
        return (out, rstd)
    }

    @Test func forwardMatchesNaive() {
        let x = randomArray(rows * channels, seed: 1), w = randomArray(channels, seed: 2)
        let (out, _) = forward(x, w)
        var expected = [Float]()
        for r in 0..<rows {
            let row = x[(r * channels)..<((r + 1) * channels)]
            let ms = row.map { Double($0) * Double($0) }.reduce(0, +) / Double(channels)
            for (c, v) in row.enumerated() { expected.append(Float(Double(v) / (ms + Double(epsilon)).squareRoot()) * w[c]) }
        }
        #expect(maxRelativeError(out, expected) < 1e-5)
    }

    @Test func forwardIsTheOneRowAtATimeLoopBitForBit() {
        // Rows are summed four at a time; each row's sum must stay the channel-order float sum.
        for (rows, channels) in [(1, 576), (7, 12), (70, 576), (130, 256)] {
            let x = randomArray(rows * channels, seed: 3, scale: 4), w = randomArray(channels, seed: 4)
            var out = [Float](repeating: 0, count: rows * channels), rstd = [Float](repeating: 0, count: rows)
            rmsNormForward(output: &out, rstd: &rstd, input: x, weight: w, rows: rows, channels: channels, epsilon: epsilon)
            var expected = [Float](), expectedRstd = [Float]()
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<channels { sum += x[r * channels + c] * x[r * channels + c] }
                let inverse = 1 / (sum / Float(channels) + epsilon).squareRoot()
                expectedRstd.append(inverse)
                for c in 0..<channels { expected.append(x[r * channels + c] * inverse * w[c]) }
            }
            #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "rows \(rows), channels \(channels)")
            #expect(rstd.map(\.bitPattern) == expectedRstd.map(\.bitPattern), "rows \(rows), channels \(channels)")
        }
    }

    @Test func backwardMatchesFiniteDifferences() {
        var x = randomArray(rows * channels, seed: 3), w = randomArray(channels, seed: 4)
        let dy = randomArray(rows * channels, seed: 5)
        let (_, rstd) = forward(x, w)
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
        rmsNormBackward(inputGrad: &dx, weightGrad: &dw, outputGrad: dy, input: x, weight: w, rstd: rstd,
                        rows: rows, channels: channels)
        let wCopy = w, xCopy = x
        expectGradient(of: &x, analytic: dx, "dx") { dot(forward($0, wCopy).0, dy) }
        expectGradient(of: &w, analytic: dw, "dw") { dot(forward(xCopy, $0).0, dy) }
    }
}

@Suite("RoPE")
struct RoPETests {
    @Test func forwardMatchesFormulaAndInverseUndoesIt() {
        let D = 8, heads = 2, rows = 6
        let table = RoPETable(headDim: D, maxPositions: 16, theta: 10_000)
        let original = randomArray(rows * heads * D, seed: 7)
        var x = original
        let positions: [Int32] = [0, 3, 5, 1, 15, 7]
        ropeApply(&x, rows: rows, rowStride: heads * D, heads: heads, positions: positions, table: table)
        for r in 0..<rows {
            for h in 0..<heads {
                for i in 0..<(D / 2) {
                    let angle = Double(positions[r]) / Foundation.pow(10_000, Double(2 * i) / Double(D))
                    let base = r * heads * D + h * D
                    let a = Double(original[base + i]), b = Double(original[base + i + D / 2])
                    #expect(abs(Double(x[base + i]) - (a * cos(angle) - b * sin(angle))) < 1e-4)
                    #expect(abs(Double(x[base + i + D / 2]) - (b * cos(angle) + a * sin(angle))) < 1e-4)
                }
            }
        }
        ropeApply(&x, rows: rows, rowStride: heads * D, heads: heads, positions: positions, table: table, inverse: true)
        #expect(maxRelativeError(x, original) < 1e-5)
    }

    @Test func backwardIsTheTransposedRotation() {
        let D = 6, rows = 4
        let table = RoPETable(headDim: D, maxPositions: 8, theta: 100)
        let positions: [Int32] = [1, 2, 6, 7]
        var x = randomArray(rows * D, seed: 8)
        let dy = randomArray(rows * D, seed: 9)
        var dx = dy
        ropeApply(&dx, rows: rows, rowStride: D, heads: 1, positions: positions, table: table, inverse: true)
        expectGradient(of: &x, analytic: dx, "dx") { input in
            var y = input
            ropeApply(&y, rows: rows, rowStride: D, heads: 1, positions: positions, table: table)
            return dot(y, dy)
        }
    }
}

@Suite("SwiGLU")
struct SwiGLUTests {
    let rows = 3, hidden = 19  // not a multiple of 8: exercises the scalar tail

    func forward(_ gu: [Float]) -> [Float] {
        var h = [Float](repeating: 0, count: rows * hidden)
        swigluForward(output: &h, gateUp: gu, rows: rows, hidden: hidden)
        return h
    }

    @Test func forwardMatchesNaive() {
        let gu = randomArray(rows * 2 * hidden, seed: 10, scale: 3)
        let h = forward(gu)
        for r in 0..<rows {
            for i in 0..<hidden {
                let g = Double(gu[r * 2 * hidden + i]), u = Double(gu[r * 2 * hidden + hidden + i])
                let expected = g / (1 + Foundation.exp(-g)) * u
                #expect(abs(Double(h[r * hidden + i]) - expected) < 1e-5 * (1 + abs(expected)))
            }
        }
    }

    @Test func backwardMatchesFiniteDifferences() {
        var gu = randomArray(rows * 2 * hidden, seed: 11, scale: 2)
        let dh = randomArray(rows * hidden, seed: 12)
        var dgu = [Float](repeating: 0, count: gu.count)
        swigluBackward(gateUpGrad: &dgu, outputGrad: dh, gateUp: gu, rows: rows, hidden: hidden)
        expectGradient(of: &gu, analytic: dgu, samples: 60, "dgateUp") { dot(forward($0), dh) }
    }

    @Test func everyKernelIsTheSwiftFormBitForBit() {
        // 70 rows (several parallel chunks), widths with and without a tail, values across the
        // exp clamp and special ones.
        for hidden in [19, 64, 771] {
            let rows = 70
            var gu = randomArray(rows * 2 * hidden, seed: 13, scale: 12)
            let special: [Float] = [0, -0.0, 1e-30, -1e-30, 87.3, -87.3, 88.7, -88.7, 95, -95, 1e30, -1e30, .infinity, -.infinity, .nan]
            for (i, v) in special.enumerated() { gu[i * 7 % gu.count] = v }
            let dh = randomArray(rows * hidden, seed: 14, scale: 3)
            func run(_ kernel: GEMMKernel) -> ([Float], [Float]) {
                var h = [Float](repeating: 0, count: rows * hidden), dgu = [Float](repeating: 0, count: gu.count)
                swigluForward(output: &h, gateUp: gu, rows: rows, hidden: hidden, kernel: kernel)
                swigluBackward(gateUpGrad: &dgu, outputGrad: dh, gateUp: gu, rows: rows, hidden: hidden, kernel: kernel)
                return (h, dgu)
            }
            let (h0, d0) = run(.portable)
            for kernel in GEMMKernel.allCases where kernel.isSupported && kernel != .portable {
                let (h, d) = run(kernel)
                // Bit for bit; a NaN may carry another payload (which operand an instruction
                // propagates is the compiler's choice).
                func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
                let forward = h.indices.filter { !same(h[$0], h0[$0]) }, backward = d.indices.filter { !same(d[$0], d0[$0]) }
                #expect(forward.isEmpty, "forward, \(kernel), hidden \(hidden): \(forward.count) differ, first \(forward.first.map { "\($0): \(h[$0]) vs \(h0[$0])" } ?? "")")
                #expect(backward.isEmpty, "backward, \(kernel), hidden \(hidden): \(backward.count) differ, first \(backward.first.map { "\($0): \(d[$0]) vs \(d0[$0]) at g \(gu[$0 / (2 * hidden) * 2 * hidden + $0 % hidden])" } ?? "")")
            }
        }
    }
}

@Suite("Softmax and cross-entropy")
struct CrossEntropyTests {
    @Test func softmaxMatchesNaive() {
        var row = randomArray(37, seed: 13, scale: 4)
        let original = row
        softmaxInPlace(&row, count: 37, scale: 0.5)
        let exps = original.map { Foundation.exp(Double($0) * 0.5) }
        let total = exps.reduce(0, +)
        for i in 0..<37 { #expect(abs(Double(row[i]) - exps[i] / total) < 1e-6) }
    }

    @Test func lossAndGradient() {
        let rows = 4, vocab = 11
        var logits = randomArray(rows * vocab, seed: 14, scale: 2)
        let targets: [Int32] = [3, -1, 10, 0]
        var losses = [Float](repeating: 0, count: rows)
        crossEntropyForward(losses: &losses, logits: logits, targets: targets, rows: rows, vocab: vocab)
        #expect(losses[1] == 0)
        let row0 = logits[0..<vocab].map { Double($0) }
        let expected0 = Foundation.log(row0.map { Foundation.exp($0) }.reduce(0, +)) - row0[3]
        #expect(abs(Double(losses[0]) - expected0) < 1e-5)
        let lossGrad: [Float] = [0.5, 0.5, 0.25, 1]
        var dlogits = [Float](repeating: 0, count: logits.count)
        crossEntropyBackward(logitsGrad: &dlogits, logits: logits, targets: targets, lossGrad: lossGrad, rows: rows, vocab: vocab)
        expectGradient(of: &logits, analytic: dlogits, samples: 44, "dlogits") { input in
            var l = [Float](repeating: 0, count: rows)
            crossEntropyForward(losses: &l, logits: input, targets: targets, rows: rows, vocab: vocab)
            return dot(l, lossGrad)
        }
    }

    @Test func fusedLossAndGradientAreTheTwoKernelsBitForBit() {
        // Rows past one chunk of 64 (parallel), a vocabulary with an 8-lane tail, ignored targets.
        let rows = 150, vocab = 203
        let logits = randomArray(rows * vocab, seed: 15, scale: 6)
        let targets: [Int32] = (0..<rows).map { $0 % 7 == 3 ? -1 : Int32(($0 * 37) % vocab) }
        let g: Float = 1 / 131
        var losses = [Float](repeating: .nan, count: rows), dlogits = [Float](repeating: .nan, count: logits.count)
        crossEntropyForward(losses: &losses, logits: logits, targets: targets, rows: rows, vocab: vocab)
        crossEntropyBackward(logitsGrad: &dlogits, logits: logits, targets: targets,
                             lossGrad: [Float](repeating: g, count: rows), rows: rows, vocab: vocab)
        var fusedLosses = [Float](repeating: .nan, count: rows), fused = [Float](repeating: .nan, count: logits.count)
        crossEntropyForwardBackward(losses: &fusedLosses, logitsGrad: &fused, logits: logits, targets: targets,
                                    gradient: g, rows: rows, vocab: vocab)
        #expect(fusedLosses.map(\.bitPattern) == losses.map(\.bitPattern))
        #expect(fused.map(\.bitPattern) == dlogits.map(\.bitPattern))
        #expect(fused[3 * vocab ..< 4 * vocab].allSatisfy { $0 == 0 })  // row 3's target is ignored
    }
}
