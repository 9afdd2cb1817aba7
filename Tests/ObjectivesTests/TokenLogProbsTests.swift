// The token log-prob kernel (Kernels/TokenLogProbs.swift): forward against the naive Double version,
// backward against finite differences, and bit-for-bit agreement with the cross-entropy kernel.

import Kernels
import TestSupport
import Testing

@Suite("TokenLogProbs kernel")
struct TokenLogProbsTests {
    /// Forward outputs (logp, lse, entropy) as arrays.
    func forward(_ logits: [Float], _ targets: [Int32], rows: Int, vocab: Int) -> ([Float], [Float], [Float]) {
        var logp = [Float](repeating: .nan, count: rows), lse = logp, entropy = logp
        tokenLogProbsForward(logProbs: &logp, logSumExps: &lse, entropies: &entropy, logits: logits, targets: targets,
                             rows: rows, vocab: vocab)
        return (logp, lse, entropy)
    }

    @Test(arguments: [(5, 37), (3, 8), (64, 1024)])
    func forwardMatchesNaive(rows: Int, vocab: Int) {
        let logits = randomArray(rows * vocab, seed: UInt64(rows * vocab), scale: 3)
        var targets = (0..<rows).map { Int32(($0 * 7 + 3) % vocab) }
        targets[1] = -1
        let (logp, lse, entropy) = forward(logits, targets, rows: rows, vocab: vocab)
        let naive = tokenLogProbsNaive(logits: logits, targets: targets, rows: rows, vocab: vocab)
        expectClose(logp, naive.logProbs.map(Float.init), "logp")
        expectClose(lse, naive.logSumExps.map(Float.init), "logsumexp")
        expectClose(entropy, naive.entropies.map(Float.init), tolerance: 2e-5, "entropy")
        #expect(logp[1] == 0 && entropy[1] == 0, "a row without a target reads 0")
        #expect(entropy.allSatisfy { $0 >= 0 && $0 <= Float(log(Double(vocab))) + 1e-4 })
    }

    @Test func stableForExtremeLogits() {
        let vocab = 11
        var logits = randomArray(2 * vocab, seed: 9, scale: 1000)
        logits[3] = -.infinity
        logits[vocab + 5] = 1e30
        let (logp, _, entropy) = forward(logits, [3, 5], rows: 2, vocab: vocab)
        #expect(logp[0] == -.infinity, "a −∞ logit has log-probability −∞")
        #expect(logp[1].isFinite && abs(logp[1]) < 1e-3, "a dominant logit has log-probability ≈ 0: \(logp[1])")
        #expect(entropy.allSatisfy { $0.isFinite && $0 >= 0 }, "entropies \(entropy)")
    }

    @Test func negativeLogProbIsTheCrossEntropyKernelBitForBit() {
        let rows = 9, vocab = 50
        let logits = randomArray(rows * vocab, seed: 4, scale: 4)
        let targets: [Int32] = [0, 49, -1, 7, 7, 30, -1, 12, 1]
        var losses = [Float](repeating: 0, count: rows), logp = losses
        crossEntropyForward(losses: &losses, logits: logits, targets: targets, rows: rows, vocab: vocab)
        tokenLogProbsForward(logProbs: &logp, logits: logits, targets: targets, rows: rows, vocab: vocab)
        #expect(zip(logp, losses).allSatisfy { -$0 == $1 }, "−logp \(logp.map { -$0 }) vs CE \(losses)")
    }

    @Test(arguments: [false, true])
    func backwardMatchesFiniteDifferences(withEntropy: Bool) {
        let rows = 4, vocab = 13
        var logits = randomArray(rows * vocab, seed: 21, scale: 1.5)
        let targets: [Int32] = [2, -1, 12, 0]
        let dlogp = randomArray(rows, seed: 22), dH = randomArray(rows, seed: 23)
        let (_, lse, entropy) = forward(logits, targets, rows: rows, vocab: vocab)
        var dx = [Float](repeating: .nan, count: rows * vocab)
        if withEntropy {
            tokenLogProbsBackward(logitsGrad: &dx, logProbsGrad: dlogp, entropiesGrad: dH, logits: logits,
                                  targets: targets, logSumExps: lse, entropies: entropy, rows: rows, vocab: vocab)
        } else {
            tokenLogProbsBackward(logitsGrad: &dx, logProbsGrad: dlogp, logits: logits, targets: targets,
                                  rows: rows, vocab: vocab)
        }
        #expect(dx[vocab..<(2 * vocab)].allSatisfy { $0 == 0 }, "a row without a target gets zeros")
        expectGradient(of: &logits, analytic: dx, samples: rows * vocab, epsilon: 1e-2, "dlogits") { x in
            let (logp, _, h) = forward(x, targets, rows: rows, vocab: vocab)
            return dot(logp, dlogp) + (withEntropy ? dot(h, dH) : 0)
        }
        // Without saved lse / entropies the backward recomputes them: same result.
        var recomputed = [Float](repeating: 0, count: rows * vocab)
        tokenLogProbsBackward(logitsGrad: &recomputed, logProbsGrad: dlogp, entropiesGrad: withEntropy ? dH : nil,
                              logits: logits, targets: targets, rows: rows, vocab: vocab)
        expectClose(recomputed, dx, tolerance: 1e-6, "recomputed")
    }

    @Test func accumulateAddsIntoTheGradient() {
        let rows = 3, vocab = 20
        let logits = randomArray(rows * vocab, seed: 31)
        let targets: [Int32] = [4, -1, 19]
        let dlogp = randomArray(rows, seed: 32)
        var fresh = [Float](repeating: 0, count: rows * vocab)
        tokenLogProbsBackward(logitsGrad: &fresh, logProbsGrad: dlogp, logits: logits, targets: targets,
                              rows: rows, vocab: vocab)
        let base = randomArray(rows * vocab, seed: 33)
        var accumulated = base
        tokenLogProbsBackward(logitsGrad: &accumulated, logProbsGrad: dlogp, logits: logits, targets: targets,
                              rows: rows, vocab: vocab, accumulate: true)
        expectClose(accumulated, zip(base, fresh).map { $0 + $1 }, tolerance: 1e-6, "accumulated")
        // dlogp·(onehot − p) sums to 0 over each row.
        for r in [0, 2] {
            let sum = fresh[(r * vocab)..<((r + 1) * vocab)].reduce(0, +)
            #expect(abs(sum) < 1e-5, "row \(r) sums to \(sum)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
