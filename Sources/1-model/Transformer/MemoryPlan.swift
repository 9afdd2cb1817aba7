// What a model allocates, by buffer, for a given use: an inference-only model decoding S sequences
// of up to N tokens (and scoring batches of B × N), and a training model with batches of B × N.
// The figures are the byte counts the real buffers report (`byteCount` of each), computed without
// allocating, so `e2h bench --memory` can answer for a Llama-3-size config on a small machine.

import GEMM

/// One named buffer and its size.
public struct MemoryEntry: Sendable, Equatable {
    public var name: String
    public var bytes: Int
}

/// Bytes allocated by buffer for inference and for training at one context.
public struct MemoryPlan: Sendable {
    // Each figure below equals the `byteCount` of the buffer it names (tested in MemoryTests).
    public var config: TransformerConfig
    public var context: Int
    public var batch: Int
    public var slots: Int
    /// Parameters, rotary table, KV cache and decoder scratch; scoring activations (forward only).
    public var inference: [MemoryEntry]
    /// Parameters, gradients, AdamW moments, rotary table and activations.
    public var training: [MemoryEntry]

    public var inferenceBytes: Int { inference.reduce(0) { $0 + $1.bytes } }
    public var trainingBytes: Int { training.reduce(0) { $0 + $1.bytes } }

    /// - Parameters:
    ///   - context: tokens per sequence, N (capped at `max_position_embeddings`).
    ///   - batch: sequences per training or scoring batch, B.
    ///   - slots: sequences decoded together, S.
    public init(config: TransformerConfig, context: Int, batch: Int, slots: Int) {
        let N = min(context, config.maxPositions), floatSize = MemoryLayout<Float>.size
        self.config = config; self.context = N; self.batch = batch; self.slots = slots
        let parameters = (config.parameterCountIfRepresentable ?? 0) * floatSize
        let ropePositions = TransformerModel.ropeTableSize(covering: N, limit: config.maxPositions)
        let rope = ropePositions * config.headDim * floatSize  // cos and sin, D/2 each
        let kvCache = KVCache.byteCount(config: config, slots: slots, positions: N, precision: MatmulPrecision.processDefault)
        let decoder = IncrementalDecoder.scratchBytes(config: config, slots: slots, positions: N)
        let packedBytes = config.parameterCountIfRepresentable == nil ? Int.max : PackedWeights.byteCount(config: config)
        let packed = packedBytes <= PackedWeights.byteLimit ? packedBytes : 0
        let activations = Activations.floatCount(config: config, maxBatch: batch, maxTime: N) * floatSize
        inference = [
            MemoryEntry(name: "parameters", bytes: parameters),
            MemoryEntry(name: "gradients", bytes: 0),
            MemoryEntry(name: "rotary table (\(ropePositions) positions)", bytes: rope),
            MemoryEntry(name: "KV cache (\(slots) slots x \(N) positions)", bytes: kvCache),
            MemoryEntry(name: "decoder logits and scratch", bytes: decoder),
            MemoryEntry(name: "packed weights (decoder: float models; bf16 tiles of quantized ones)", bytes: packed),
            MemoryEntry(name: "scoring activations (\(batch) x \(N))", bytes: activations),
        ]
        training = [
            MemoryEntry(name: "parameters", bytes: parameters),
            MemoryEntry(name: "gradients", bytes: parameters),
            MemoryEntry(name: "AdamW moments", bytes: 2 * parameters),
            MemoryEntry(name: "rotary table (\(ropePositions) positions)", bytes: rope),
            MemoryEntry(name: "activations (\(batch) x \(N))", bytes: activations),
        ]
    }

    /// A table: one line per buffer with inference and training bytes, then the totals.
    public var table: String {
        func format(_ bytes: Int) -> String {
            let units = ["B", "KiB", "MiB", "GiB", "TiB"]
            var value = Double(bytes), unit = 0
            while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
            return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
        }
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        var lines = ["memory at context \(context), batch \(batch), \(slots) decode slots (\(config.parameterCountIfRepresentable ?? 0) parameters)"]
        lines.append(pad("inference-only model", 44) + "bytes")
        for entry in inference { lines.append("  " + pad(entry.name, 42) + "\(entry.bytes)  (\(format(entry.bytes)))") }
        lines.append("  " + pad("total", 42) + "\(inferenceBytes)  (\(format(inferenceBytes)))")
        lines.append(pad("training model", 44) + "bytes")
        for entry in training { lines.append("  " + pad(entry.name, 42) + "\(entry.bytes)  (\(format(entry.bytes)))") }
        lines.append("  " + pad("total", 42) + "\(trainingBytes)  (\(format(trainingBytes)))")
        return lines.joined(separator: "\n")
    }
}
