import Foundation
import GEMM
import Kernels
import TestSupport
import Testing

@Suite("AdamW")
struct AdamWTests {
    @Test func matchesScalarReference() {
        var config = AdamWConfig()
        config.learningRate = 0.01
        config.weightDecay = 0.1
        var p = randomArray(10, seed: 31)
        let grads = (0..<3).map { randomArray(10, seed: 40 + UInt64($0)) }
        var m = [Float](repeating: 0, count: 10), v = [Float](repeating: 0, count: 10)
        // Reference in Double, PyTorch's formula: p ← p(1 − lr·wd) − lr·m̂/(√v̂ + eps).
        var rp = p.map(Double.init), rm = [Double](repeating: 0, count: 10), rv = rm
        for (step, g) in grads.enumerated() {
            adamWUpdate(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, range: 0..<10,
                        step: step + 1, learningRate: 0.01, decay: true, config: config)
            for i in 0..<10 {
                rm[i] = 0.9 * rm[i] + 0.1 * Double(g[i])
                rv[i] = 0.95 * rv[i] + 0.05 * Double(g[i]) * Double(g[i])
                let mh = rm[i] / (1 - Foundation.pow(0.9, Double(step + 1)))
                let vh = rv[i] / (1 - Foundation.pow(0.95, Double(step + 1)))
                rp[i] = rp[i] * (1 - 0.01 * 0.1) - 0.01 * mh / (vh.squareRoot() + 1e-8)
            }
        }
        for i in 0..<10 { #expect(abs(Double(p[i]) - rp[i]) < 1e-5) }
    }

    /// The vectorized update equals the scalar formula bit for bit (eight lanes, the scalar tail,
    /// a range starting off a multiple of 8, decay on and off, a clip scale), so training runs
    /// are unchanged by it.
    @Test(arguments: [true, false])
    func vectorizedUpdateIsTheScalarFormulaBitForBit(decay: Bool) {
        // Every form the CPU runs: the Swift lanes (portable) and adamw.c's AVX2 / AVX-512 lanes.
        for kernel in GEMMKernel.allCases where kernel.isSupported { check(decay: decay, kernel: kernel) }
    }

    func check(decay: Bool, kernel: GEMMKernel) {
        var config = AdamWConfig()
        config.weightDecay = 0.1
        let count = 70_003, range = 5..<(count - 2)
        var p = randomArray(count, seed: 3), m = randomArray(count, seed: 4).map { $0 * 0.01 }
        var v = randomArray(count, seed: 5).map { $0 * $0 * 0.001 }
        let g = randomArray(count, seed: 6)
        var (rp, rm, rv) = (p, m, v)
        for step in 1...3 {
            adamWUpdate(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, range: range, step: step,
                        learningRate: 3e-4, decay: decay, config: config, gradientScale: 0.37, kernel: kernel)
            let c1 = 1 - Foundation.powf(0.9, Float(step)), c2 = 1 - Foundation.powf(0.95, Float(step))
            let decayFactor: Float = decay ? 3e-4 * 0.1 : 0
            for i in range {
                let gi = g[i] * 0.37
                rm[i] = 0.9 * rm[i] + (1 - 0.9) * gi
                rv[i] = 0.95 * rv[i] + (1 - 0.95) * gi * gi
                let mHat = rm[i] / c1, vHat = rv[i] / c2
                rp[i] -= 3e-4 * (mHat / (vHat.squareRoot() + 1e-8)) + decayFactor * rp[i]
            }
        }
        #expect(p.map(\.bitPattern) == rp.map(\.bitPattern), "\(kernel)")
        #expect(m.map(\.bitPattern) == rm.map(\.bitPattern), "\(kernel)")
        #expect(v.map(\.bitPattern) == rv.map(\.bitPattern), "\(kernel)")
        #expect(p[0] == randomArray(count, seed: 3)[0] && p[count - 1] == randomArray(count, seed: 3)[count - 1])
    }

    @Test func clippingAndNorm() {
        let g: [Float] = Array(repeating: 3, count: 16) + [4]
        let norm = globalNorm(g, count: g.count)
        #expect(abs(norm - Float((9.0 * 16 + 16).squareRoot())) < 1e-4)
        #expect(clipFactor(norm: 0.5, maxNorm: 1) == 1)
        #expect(abs(clipFactor(norm: 4, maxNorm: 1) - 0.25) < 1e-6)
        #expect(clipFactor(norm: 4, maxNorm: 0) == 1)
    }

    @Test func warmupThenCosine() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, minimumRatio: 0.1)
        #expect(abs(schedule.rate(at: 0) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 9) - 1) < 1e-6)
        #expect(abs(schedule.rate(at: 60) - 0.55) < 1e-5)
        #expect(abs(schedule.rate(at: 110) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 500) - 0.1) < 1e-6)
    }

    @Test func generatorIsDeterministic() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5), c = SeededGenerator(seed: 6)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
        var n = SeededGenerator(seed: 9)
        let samples = (0..<20_000).map { _ in Double(n.nextNormal()) }
        let mean = samples.reduce(0, +) / 20_000
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }
}
