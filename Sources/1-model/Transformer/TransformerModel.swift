// A Llama-family decoder with an LM head and a scalar (reward/value) head on one backbone.
// One flat parameter buffer and one flat gradient buffer (allocated only for training); `layout` names the views.

import Foundation
import Kernels

/// The model: parameters, their gradients (only once training asks for them) and the rotary table
/// (computed up to the longest position used). Forward and backward passes live in
/// `TransformerModel+Forward.swift`, `TransformerModel+Block.swift` and
/// `TransformerModel+Backward.swift`.
public final class TransformerModel {
    public let config: TransformerConfig
    public let layout: ParameterLayout
    /// All parameters, laid out as `layout` says.
    public let parameters: UnsafeMutableBufferPointer<Float>
    private var gradientStorage: UnsafeMutableBufferPointer<Float>?
    private var ropeTable: RoPETable
    private let ropeLock = NSLock()
    /// (D/2) the rotary inverse frequencies, scaling applied.
    public let ropeInverseFrequencies: [Float]
    /// Matrices computed on in their GGUF block format (``load(gguf:keepQuantized:)``); their part
    /// of `parameters` is never written or read. Nil for a model that holds every weight as floats.
    public internal(set) var quantizedWeights: QuantizedWeights?
    /// Changes whenever the engine writes the parameters (initialisation, loads, copies, optimizer
    /// steps), so that copies derived from them (a decoder's packed weights) know they are stale.
    /// Code that writes `parameters` directly calls ``weightsDidChange()``.
    public private(set) var weightVersion = 0

    /// Marks the parameters as changed (see ``weightVersion``).
    public func weightsDidChange() { weightVersion &+= 1 }

    /// Creates a model with all parameters zero; load a checkpoint or call `initializeWeights`.
    /// Only the parameters are allocated: gradients appear with `allocateGradients()` (or the first
    /// use of `gradients`), so an inference-only model holds one copy of the weights.
    public init(config: TransformerConfig) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.count)
        parameters.initialize(repeating: 0)
        ropeInverseFrequencies = Kernels.ropeInverseFrequencies(
            headDim: config.headDim, theta: config.ropeTheta, scaling: config.ropeScaling)
        ropeTable = RoPETable(inverseFrequencies: ropeInverseFrequencies, maxPositions: 0)
    }

    /// A model whose parameter buffer is allocated but not written: the caller writes every
    /// tensor it will read (a quantized load leaves the quantized matrices' pages untouched, so
    /// they take no memory).
    init(unfilledConfig config: TransformerConfig) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.count)
        ropeInverseFrequencies = Kernels.ropeInverseFrequencies(
            headDim: config.headDim, theta: config.ropeTheta, scaling: config.ropeScaling)
        ropeTable = RoPETable(inverseFrequencies: ropeInverseFrequencies, maxPositions: 0)
    }

    deinit {
        parameters.deallocate()
        gradientStorage?.deallocate()
    }

    /// Gradients, same layout as `parameters`. Backward passes add into them; call
    /// `zeroGradients()` between steps. Allocated (zeroed) on first use.
    public var gradients: UnsafeMutableBufferPointer<Float> {
        allocateGradients()
        return gradientStorage!
    }

    /// Whether the gradient buffer exists (false for a model only ever used for inference).
    public var hasGradients: Bool { gradientStorage != nil }

    /// Allocates the zeroed gradient buffer if it does not exist yet (training calls this).
    /// Stops (the message of ``requireFloatWeights(for:)``) for a model loaded with quantized
    /// weights: its gradients would be computed against floats that were never written.
    public func allocateGradients() {
        guard gradientStorage == nil else { return }
        if let quantizedWeights {
            preconditionFailure(TransformerError.quantizedWeights(purpose: "compute gradients", tensors: quantizedWeights.names.count).description)
        }
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: layout.count)
        buffer.initialize(repeating: 0)
        gradientStorage = buffer
    }

    /// Throws unless every weight is in the float buffer: a model loaded with `keepQuantized` holds
    /// its matrices only as GGUF blocks, so training it, computing its gradients or saving it would
    /// silently use floats that were never written. `purpose` ("train", "save") names the refusal.
    public func requireFloatWeights(for purpose: String) throws {
        if let quantizedWeights {
            throw TransformerError.quantizedWeights(purpose: purpose, tensors: quantizedWeights.names.count)
        }
    }

    /// Frees the gradient buffer (e.g. when training is over and the model only decodes).
    public func releaseGradients() {
        gradientStorage?.deallocate()
        gradientStorage = nil
    }

    /// The rotary table, grown (to a power of two, at most `max_position_embeddings`) so that it
    /// covers positions 0..<count. Safe to call from several threads.
    func rope(covering count: Int) -> RoPETable {
        ropeLock.lock()
        defer { ropeLock.unlock() }
        if ropeTable.maxPositions < count {
            let size = Self.ropeTableSize(covering: count, current: ropeTable.maxPositions, limit: config.maxPositions)
            ropeTable = RoPETable(inverseFrequencies: ropeInverseFrequencies, maxPositions: size)
        }
        return ropeTable
    }

    /// Positions the rotary table is grown to so that it covers `count`: doubling from 64, at
    /// most `limit` (max_position_embeddings).
    public static func ropeTableSize(covering count: Int, current: Int = 0, limit: Int) -> Int {
        var size = max(64, current)
        while size < count { size *= 2 }
        return max(count, min(size, limit))
    }

    /// Positions the rotary table holds now (it grows with use).
    public var ropePositions: Int {
        ropeLock.lock()
        defer { ropeLock.unlock() }
        return ropeTable.maxPositions
    }

    /// Bytes held by the parameters, and by the gradients when they exist.
    public var parameterBytes: Int { layout.count * MemoryLayout<Float>.size }
    public var gradientBytes: Int { (gradientStorage?.count ?? 0) * MemoryLayout<Float>.size }
    /// Bytes held by the rotary table's cosines and sines.
    public var ropeBytes: Int {
        let table = rope(covering: 0)
        return (table.cos.count + table.sin.count) * MemoryLayout<Float>.size
    }

    /// Number of parameters (the scalar head included).
    public var parameterCount: Int { layout.count }

    /// GPT-2-style initialisation: matrices N(0, 0.02²), the two projections that write into the
    /// residual stream scaled by 1/√(2L), norms 1, the score head's bias 0.
    public func initializeWeights(seed: UInt64) {
        weightsDidChange()
        var generator = SeededGenerator(seed: seed)
        let residualScale = 1 / Float(2 * config.layerCount).squareRoot()
        for tensor in layout.tensors {
            let isNorm = tensor.name.hasSuffix("norm.weight")
            let isResidualWriter = tensor.name.hasSuffix("o_proj.weight") || tensor.name.hasSuffix("down_proj.weight")
            for i in tensor.range {
                if isNorm {
                    parameters[i] = 1
                } else if tensor.name.hasSuffix(".bias") {
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
        weightsDidChange()
    }

    @inline(__always) func parameter(_ offset: Int) -> UnsafeMutablePointer<Float> {
        parameters.baseAddress! + offset
    }

    @inline(__always) func gradient(_ offset: Int) -> UnsafeMutablePointer<Float> {
        gradients.baseAddress! + offset
    }
}
