// AdamW over the model's flat buffers, with global gradient-norm clipping.

import Kernels

/// AdamW state for one model: first and second moments in the parameter layout, and the step count.
public final class AdamWOptimizer {
    public var config: AdamWConfig
    /// Completed update steps (bias correction uses step + 1).
    public var step: Int = 0
    public let firstMoment: UnsafeMutableBufferPointer<Float>
    public let secondMoment: UnsafeMutableBufferPointer<Float>
    let layout: ParameterLayout

    /// Creating an optimizer means training: the model's gradient buffer is allocated here.
    public init(model: TransformerModel, config: AdamWConfig = AdamWConfig()) {
        model.allocateGradients()
        self.config = config
        layout = model.layout
        firstMoment = .allocate(capacity: model.layout.count)
        firstMoment.initialize(repeating: 0)
        secondMoment = .allocate(capacity: model.layout.count)
        secondMoment.initialize(repeating: 0)
    }

    deinit {
        firstMoment.deallocate()
        secondMoment.deallocate()
    }

    /// Clips the gradients to `config.gradientClip` (global L2 norm) and applies one AdamW update.
    ///
    /// - Parameters:
    ///   - frozen: tensor names left untouched (e.g. the score head while training the LM).
    /// - Returns: the gradient norm before clipping.
    @discardableResult
    public func update(model: TransformerModel, learningRate: Float, frozen: Set<String> = []) -> Float {
        let gradients = UnsafePointer(model.gradients.baseAddress!)
        let norm = globalNorm(gradients, count: model.gradients.count)
        let scale = clipFactor(norm: norm, maxNorm: config.gradientClip)
        step += 1
        model.weightsDidChange()
        for tensor in layout.tensors where !frozen.contains(tensor.name) {
            adamWUpdate(parameters: model.parameters.baseAddress!, gradients: gradients,
                        firstMoment: firstMoment.baseAddress!, secondMoment: secondMoment.baseAddress!,
                        range: tensor.range, step: step, learningRate: learningRate,
                        decay: tensor.decays, config: config, gradientScale: scale)
        }
        return norm
    }
}
