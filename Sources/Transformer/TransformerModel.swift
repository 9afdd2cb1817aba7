// A Llama-family decoder with an LM head and a scalar (reward/value) head on one backbone.
// One flat parameter buffer and one flat gradient buffer; `layout` names the views.

import Kernels

/// The model: parameters, their gradients and the rotary table. Forward and backward passes live
/// in `TransformerModel+Forward.swift` and `TransformerModel+Backward.swift`.
public final class TransformerModel {
    public let config: TransformerConfig
    public let layout: ParameterLayout
    /// All parameters, laid out as `layout` says.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// Gradients, same layout. Backward passes add into them; call `zeroGradients()` between steps.
    public let gradients: UnsafeMutableBufferPointer<Float>
    let rope: RoPETable

    /// Creates a model with all parameters zero; load a checkpoint or call `initializeWeights`.
    public init(config: TransformerConfig) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.count)
        parameters.initialize(repeating: 0)
        gradients = .allocate(capacity: layout.count)
        gradients.initialize(repeating: 0)
        rope = RoPETable(headDim: config.headDim, maxPositions: config.maxPositions, theta: config.ropeTheta)
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
    }

    /// Number of parameters (the scalar head included).
    public var parameterCount: Int { layout.count }

    /// GPT-2-style initialisation: matrices N(0, 0.02²), the two projections that write into the
    /// residual stream scaled by 1/√(2L), norms 1, the score head's bias 0.
    public func initializeWeights(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let residualScale = 1 / Float(2 * config.layerCount).squareRoot()
        for tensor in layout.tensors {
            let isNorm = tensor.name.hasSuffix("norm.weight")
            let isResidualWriter = tensor.name.hasSuffix("o_proj.weight") || tensor.name.hasSuffix("down_proj.weight")
            for i in tensor.range {
                if isNorm {
                    parameters[i] = 1
                } else if tensor.name == "score.bias" {
                    parameters[i] = 0
                } else {
                    parameters[i] = 0.02 * generator.nextNormal() * (isResidualWriter ? residualScale : 1)
                }
            }
        }
    }

    public func zeroGradients() {
        gradients.update(repeating: 0)
    }

    /// Copies all parameters from another model of the same config (e.g. a reference policy).
    public func copyParameters(from other: TransformerModel) {
        precondition(other.layout.count == layout.count, "models differ in size")
        _ = parameters.update(from: other.parameters)
    }

    @inline(__always) func parameter(_ offset: Int) -> UnsafeMutablePointer<Float> {
        parameters.baseAddress! + offset
    }

    @inline(__always) func gradient(_ offset: Int) -> UnsafeMutablePointer<Float> {
        gradients.baseAddress! + offset
    }
}
