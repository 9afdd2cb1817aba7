// Per-token log-probabilities of target tokens under a row softmax, with the row entropies: the
// bridge from a model's logits to the losses of Objectives, which all read per-token log-probs.
// Shapes: N rows, V vocabulary. A target < 0 marks a row without a token (prompt, padding); such
// rows read as logp = 0, entropy = 0 and get a zero gradient.

/// Forward: `logProbs[n]` = log softmax(logits[n])[targets[n]] = logits[n][t] − logsumexp(logits[n]).
///
/// Uses `logSumExp` of Softmax.swift, so −logProbs[n] is bit for bit `crossEntropyForward`'s loss.
/// Numerically stable (max subtracted); parallel over rows.
///
/// - Parameters:
///   - logProbs: (N) output.
///   - logSumExps: (N) optional output, logsumexp of each row (saves the backward one pass).
///   - entropies: (N) optional output, H = −Σ p log p of each row's softmax (Float accumulation).
///   - logits: (N, V).
///   - targets: (N) token ids in 0..<V, or < 0 for none.
public func tokenLogProbsForward(
    logProbs: UnsafeMutablePointer<Float>, logSumExps: UnsafeMutablePointer<Float>? = nil,
    entropies: UnsafeMutablePointer<Float>? = nil,
    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, vocab: Int
) {
    parallelChunks(rows, minimumPerChunk: rowsPerChunk(vocab: vocab)) { range in
        for row in range {
            let target = Int(targets[row])
            guard target >= 0 else {
                logProbs[row] = 0
                logSumExps?[row] = 0
                entropies?[row] = 0
                continue
            }
            precondition(target < vocab, "target id \(target) beyond the vocabulary (\(vocab))")
            let x = logits + row * vocab
            let lse = logSumExp(x, count: vocab)
            logProbs[row] = x[target] - lse
            logSumExps?[row] = lse
            if let entropies { entropies[row] = rowEntropy(x, count: vocab, logSumExp: lse) }
        }
    }
}

/// Backward of `tokenLogProbsForward`: dlogits[n] = dlogp[n]·(onehot(t) − p) + dH[n]·(−p ⊙ (log p + H)),
/// p = softmax(logits[n]).
///
/// Overwrites `logitsGrad` unless `accumulate` is true, in which case it adds into it. Rows whose
/// target is < 0 get zeros (or are left unchanged when accumulating).
///
/// - Parameters:
///   - logitsGrad: (N, V) output.
///   - logProbsGrad: (N) dL/dlogp.
///   - entropiesGrad: (N) optional dL/dH (e.g. −entropy coefficient); nil = no entropy term.
///   - logits: (N, V); targets: (N) as in the forward.
///   - logSumExps: (N) optional, from the forward; recomputed when nil.
///   - entropies: (N) optional, from the forward; recomputed when nil and `entropiesGrad` is given.
public func tokenLogProbsBackward(
    logitsGrad: UnsafeMutablePointer<Float>, logProbsGrad: UnsafePointer<Float>,
    entropiesGrad: UnsafePointer<Float>? = nil,
    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    logSumExps: UnsafePointer<Float>? = nil, entropies: UnsafePointer<Float>? = nil,
    rows: Int, vocab: Int, accumulate: Bool = false
) {
    parallelChunks(rows, minimumPerChunk: rowsPerChunk(vocab: vocab)) { range in
        for row in range {
            let target = Int(targets[row])
            let dx = logitsGrad + row * vocab
            guard target >= 0 else {
                if !accumulate { dx.update(repeating: 0, count: vocab) }
                continue
            }
            precondition(target < vocab, "target id \(target) beyond the vocabulary (\(vocab))")
            let x = logits + row * vocab
            let lse = logSumExps?[row] ?? logSumExp(x, count: vocab)
            let g = logProbsGrad[row]
            let gH = entropiesGrad?[row] ?? 0
            if gH == 0 {
                // dx = −g·p, then + g at the target.
                let minusG = Vec8(repeating: -g), shift = Vec8(repeating: lse)
                var i = 0
                while i + 8 <= vocab {
                    let term = exp8(load8(x + i) - shift) * minusG
                    store8(accumulate ? load8(dx + i) + term : term, dx + i)
                    i += 8
                }
                while i < vocab {
                    let term = -g * expScalar(x[i] - lse)
                    dx[i] = accumulate ? dx[i] + term : term
                    i += 1
                }
            } else {
                // dH/dx_i = −p_i·(log p_i + H) = −p_i·(x_i − lse + H).
                let H = entropies?[row] ?? rowEntropy(x, count: vocab, logSumExp: lse)
                let minusG = Vec8(repeating: -g), minusGH = Vec8(repeating: -gH)
                let shift = Vec8(repeating: lse), h = Vec8(repeating: H)
                var i = 0
                while i + 8 <= vocab {
                    let logP = load8(x + i) - shift
                    let p = exp8(logP)
                    let term = p * minusG + p * (logP + h) * minusGH
                    store8(accumulate ? load8(dx + i) + term : term, dx + i)
                    i += 8
                }
                while i < vocab {
                    let logP = x[i] - lse
                    let p = expScalar(logP)
                    let term = -g * p - gH * p * (logP + H)
                    dx[i] = accumulate ? dx[i] + term : term
                    i += 1
                }
            }
            dx[target] += g
        }
    }
}

/// Naive reference of `tokenLogProbsForward` in Double (two passes per row, libm exp/log), for tests.
///
/// - Returns: (logProbs (N), logSumExps (N), entropies (N)); rows with target < 0 hold zeros.
public func tokenLogProbsNaive(
    logits: [Float], targets: [Int32], rows: Int, vocab: Int
) -> (logProbs: [Double], logSumExps: [Double], entropies: [Double]) {
    var logProbs = [Double](repeating: 0, count: rows)
    var logSumExps = logProbs, entropies = logProbs
    for row in 0..<rows where targets[row] >= 0 {
        let x = logits[(row * vocab)..<((row + 1) * vocab)].map(Double.init)
        let m = x.max()!
        let lse = m + _logDouble(x.reduce(0) { $0 + _expDouble($1 - m) })
        logSumExps[row] = lse
        logProbs[row] = x[Int(targets[row])] - lse
        entropies[row] = x.reduce(0) { $0 - _expDouble($1 - lse) * ($1 - lse) }
    }
    return (logProbs, logSumExps, entropies)
}

/// Entropy of softmax(x) given its logsumexp: H = Σ p_i·d_i with d_i = lse − x_i = −log p_i ≥ 0.
///
/// d is capped at 87.3 (where `exp8` flushes to its smallest value), so masked logits (−∞) add
/// ~0, not ∞·0.
@inline(__always)
func rowEntropy(_ x: UnsafePointer<Float>, count: Int, logSumExp lse: Float) -> Float {
    let shift = Vec8(repeating: lse), cap = Vec8(repeating: 87.3)
    var sum = Vec8()
    var i = 0
    while i + 8 <= count {
        var d = shift - load8(x + i)
        d = d.replacing(with: cap, where: d .> cap)
        sum += exp8(-d) * d
        i += 8
    }
    var total = sum.sum()
    while i < count {
        let d = min(lse - x[i], 87.3)
        total += expScalar(-d) * d
        i += 1
    }
    return total
}

/// Rows per parallel chunk: about 32k logits of work per chunk, so small batches stay inline.
@inline(__always)
func rowsPerChunk(vocab: Int) -> Int { max(1, 32_768 / max(1, vocab)) }

#if canImport(Glibc)
import Glibc
@inline(__always) func _logDouble(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _expDouble(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _logDouble(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _expDouble(_ x: Double) -> Double { Darwin.exp(x) }
#endif
