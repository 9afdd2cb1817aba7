// Row softmax and fused cross-entropy over a vocabulary.
// Shapes: N rows, V columns (vocabulary). Targets are token ids; a target < 0 is ignored.

#if arch(x86_64)
import CCPUFeatures
#endif
import GEMM

/// In place: `row[0..<count]` ← softmax(row[0..<count] · scale). Returns nothing; numerically
/// stable (max subtracted).
@inline(__always)
public func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, count: Int, scale: Float = 1) {
    var maximum = -Float.infinity
    for i in 0..<count { maximum = max(maximum, row[i]) }
    let shift = maximum * scale
    var sum: Float = 0
    var i = 0
    var sumVector = Vec8()
    while i + 8 <= count {
        let e = exp8(load8(row + i) * scale - shift)
        sumVector += e
        store8(e, row + i)
        i += 8
    }
    sum = sumVector.sum()
    while i < count {
        let e = expScalar(row[i] * scale - shift)
        row[i] = e
        sum += e
        i += 1
    }
    let inverse = 1 / sum
    for j in 0..<count { row[j] *= inverse }
}

/// log Σ exp(row) computed stably.
@inline(__always)
public func logSumExp(_ row: UnsafePointer<Float>, count: Int) -> Float {
    var maximum = -Float.infinity
    for i in 0..<count { maximum = max(maximum, row[i]) }
    var sumVector = Vec8()
    var i = 0
    while i + 8 <= count {
        sumVector += exp8(load8(row + i) - maximum)
        i += 8
    }
    var sum = sumVector.sum()
    while i < count { sum += expScalar(row[i] - maximum); i += 1 }
    return maximum + _logf(sum)
}

/// `logSumExp` with 16 lanes on AVX-512 (CCPUFeatures/attention.c: the same polynomial; sums
/// differ by float rounding), where `kernel` runs there; else `logSumExp`. For the decode
/// scheduler's pass over each vocabulary row; training keeps `logSumExp`'s sums.
public func logSumExp(_ row: UnsafePointer<Float>, count: Int, kernel: GEMMKernel) -> Float {
#if arch(x86_64)
    if kernel.runnable == .avx512 && count > 0 { return e2h_log_sum_exp_avx512(row, count) }
#endif
    return logSumExp(row, count: count)
}

/// The first index of the largest of `row[0..<count]` (NaNs never count), or nil when every value
/// is NaN (or `count` is 0).
public func firstIndexOfMaximum(_ row: UnsafePointer<Float>, count: Int, kernel: GEMMKernel = .selected) -> Int? {
#if arch(x86_64)
    if kernel.runnable == .avx512 {
        let i = e2h_argmax_avx512(row, count)
        return i >= 0 ? i : nil
    }
#endif
    var best = -1, maximum = -Float.infinity
    for i in 0..<count where row[i] > maximum || (best < 0 && row[i] == maximum) {
        best = i; maximum = row[i]
    }
    return best >= 0 ? best : nil
}

/// Per-row cross-entropy −log softmax(logits)[target]; rows whose target is negative get 0.
public func crossEntropyForward(
    losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>, rows: Int, vocab: Int
) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        for row in range {
            let target = Int(targets[row])
            guard target >= 0 else { losses[row] = 0; continue }
            precondition(target < vocab, "target id beyond the vocabulary")
            let x = logits + row * vocab
            losses[row] = logSumExp(x, count: vocab) - x[target]
        }
    }
}

/// Writes `logitsGrad` (N,V) = lossGrad[row] · (softmax(logits[row]) − onehot(target)); rows whose
/// target is negative get zeros.
public func crossEntropyBackward(
    logitsGrad: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>, lossGrad: UnsafePointer<Float>, rows: Int, vocab: Int
) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        for row in range {
            let target = Int(targets[row])
            let dx = logitsGrad + row * vocab
            guard target >= 0 else {
                dx.update(repeating: 0, count: vocab)
                continue
            }
            dx.update(from: logits + row * vocab, count: vocab)
            softmaxInPlace(dx, count: vocab)
            let g = lossGrad[row]
            for v in 0..<vocab { dx[v] *= g }
            dx[target] -= g
        }
    }
}

/// `crossEntropyForward` then `crossEntropyBackward` with the same `gradient` for every row, in one
/// pass over each row's logits (the exponentials computed once, straight into `logitsGrad`); the
/// losses and the gradient are bit for bit the two kernels'.
public func crossEntropyForwardBackward(
    losses: UnsafeMutablePointer<Float>, logitsGrad: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>, gradient g: Float, rows: Int, vocab: Int
) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        for row in range {
            let target = Int(targets[row])
            let x = logits + row * vocab, dx = logitsGrad + row * vocab
            guard target >= 0 else {
                losses[row] = 0
                dx.update(repeating: 0, count: vocab)
                continue
            }
            precondition(target < vocab, "target id beyond the vocabulary")
            // The sums of `logSumExp` and `softmaxInPlace` (scale 1), in their order.
            var maximum = -Float.infinity
            for i in 0..<vocab { maximum = max(maximum, x[i]) }
            var sumVector = Vec8()
            var i = 0
            while i + 8 <= vocab {
                let e = exp8(load8(x + i) - maximum)
                sumVector += e
                store8(e, dx + i)
                i += 8
            }
            var sum = sumVector.sum()
            while i < vocab {
                let e = expScalar(x[i] - maximum)
                dx[i] = e
                sum += e
                i += 1
            }
            losses[row] = maximum + _logf(sum) - x[target]
            let inverse = 1 / sum
            for j in 0..<vocab { dx[j] = dx[j] * inverse * g }
            dx[target] -= g
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _logf(_ x: Float) -> Float { Glibc.logf(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _logf(_ x: Float) -> Float { Darwin.logf(x) }
#endif
