// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, over flat buffers.

import CCPUFeatures
import GEMM

/// Hyperparameters of AdamW.
public struct AdamWConfig: Codable, Sendable, Equatable {
    /// Peak learning rate.
    public var learningRate: Float = 1e-3
    /// Exponential decay of the first moment.
    public var beta1: Float = 0.9
    /// Exponential decay of the second moment.
    public var beta2: Float = 0.95
    /// Added to the root of the second moment.
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay, applied to the tensors the model marks as decayed (matrices).
    public var weightDecay: Float = 0.1
    /// Global gradient-norm clip; 0 disables clipping.
    public var gradientClip: Float = 1.0

    public init() {}
}

/// One AdamW update over a flat range of parameters.
///
/// `step` is the 1-based step count used for bias correction. Parameters in `range` decay by
/// `lr·weightDecay` when `decay` is true. Moments `m`, `v` have the parameters' shape.
public func adamWUpdate(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
    range: Range<Int>, step: Int, learningRate lr: Float, decay: Bool,
    config: AdamWConfig, gradientScale: Float = 1, kernel: GEMMKernel = .selected
) {
    let b1 = config.beta1, b2 = config.beta2
    let correction1 = 1 - _powf(b1, Float(step))
    let correction2 = 1 - _powf(b2, Float(step))
    let decayFactor = decay ? lr * config.weightDecay : 0
    let eps = config.epsilon
    let c1 = 1 - b1, c2 = 1 - b2
    // Eight lanes at a time, then the scalar tail: each lane computes the scalar expression with the
    // same operations in the same order (no fused multiply-add), so the result is bit for bit the
    // scalar loop's (the compiler left that loop scalar: a division, a division and a square root
    // per element).
    let form = kernel.runnable
    parallelChunks(range.count, minimumPerChunk: 1 << 16) { chunk in
        var i = range.lowerBound + chunk.lowerBound
        let end = range.lowerBound + chunk.upperBound
        #if arch(x86_64)
        // adamw.c: the same lanes on AVX-512 / AVX2, bit for bit.
        switch form {
        case .avx512:
            e2h_adamw_avx512(parameters + i, gradients + i, m + i, v + i, end - i, gradientScale, b1, b2, c1, c2,
                             correction1, correction2, lr, eps, decayFactor); return
        case .avx2:
            e2h_adamw_avx2(parameters + i, gradients + i, m + i, v + i, end - i, gradientScale, b1, b2, c1, c2,
                           correction1, correction2, lr, eps, decayFactor); return
        case .portable: break
        }
        #endif
        while i + 8 <= end {
            let g = load8(gradients + i) * gradientScale
            let m8 = b1 * load8(m + i) + c1 * g
            let v8 = b2 * load8(v + i) + c2 * g * g
            store8(m8, m + i)
            store8(v8, v + i)
            let mHat = m8 / correction1
            let vHat = v8 / correction2
            let p = load8(parameters + i)
            store8(p - (lr * (mHat / (vHat.squareRoot() + eps)) + decayFactor * p), parameters + i)
            i += 8
        }
        while i < end {
            let g = gradients[i] * gradientScale
            m[i] = b1 * m[i] + c1 * g
            v[i] = b2 * v[i] + c2 * g * g
            let mHat = m[i] / correction1
            let vHat = v[i] / correction2
            parameters[i] -= lr * (mHat / (vHat.squareRoot() + eps)) + decayFactor * parameters[i]
            i += 1
        }
    }
}

/// The L2 norm of a flat gradient buffer, accumulated in Double.
public func globalNorm(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var total: Double = 0
    var i = 0
    var acc = SIMD8<Float>()
    while i + 8 <= count {
        let x = load8(values + i)
        acc += x * x
        i += 8
        if i % 4096 == 0 { total += Double(acc.sum()); acc = SIMD8<Float>() }
    }
    total += Double(acc.sum())
    while i < count { total += Double(values[i] * values[i]); i += 1 }
    return Float(total.squareRoot())
}

/// The factor that scales gradients down to `maxNorm` (1 when already within it, or when disabled).
public func clipFactor(norm: Float, maxNorm: Float) -> Float {
    guard maxNorm > 0, norm > maxNorm else { return 1 }
    return maxNorm / (norm + 1e-6)
}

/// Learning rate with linear warmup then cosine decay to `minimumRatio · peak`.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    /// Floor of the cosine as a fraction of the peak.
    public var minimumRatio: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimumRatio: Float = 0.1) {
        self.peak = peak; self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps; self.minimumRatio = minimumRatio
    }

    /// The rate for 0-based `step`.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(span))
        let cosine = 0.5 * (1 + _cosf(Float.pi * progress))
        return peak * (minimumRatio + (1 - minimumRatio) * cosine)
    }
}
