// The float weight matrices of a model packed once for the GEMM's micro-kernel, for decoding: a
// decode step multiplies a few rows by every matrix, and re-packing each matrix on every step cost
// 17% of a batch-64 step of the reference model (docs/gemm.md). The packed products are
// bit-identical to the unpacked ones (same kernel, same K blocks). In bfloat16 (the process's
// `--matmul bf16` on a CPU with AMX) the matrices are rounded to bfloat16 tiles once, half the
// bytes, and the products equal `gemm`'s in bfloat16.
//
// A quantized (GGUF) model gets bfloat16 tiles too in bfloat16, dequantized from its blocks once:
// steps of at least ``PackedWeights/tileRows`` rows (batched sampling, prompts) multiply by the
// tiles, smaller ones by the blocks (memory-bound, where the 4-bit blocks win). SmolLM2-135M Q4_1,
// decoding tokens/s (loaded machine, session 18): blocks 257.6 / 261.2 / 331.4 at 4 / 8 / 16 rows,
// bfloat16 tiles 225.0 / 335.3 / 597.0; at 64 rows 564-636 against 1330-1527.

import Dispatch
import GEMM

/// One packed copy of the linear layers and the LM head, taken at one ``TransformerModel/weightVersion``.
public final class PackedWeights {
    struct Layer {
        let qkv: PackedMatrix, output: PackedMatrix, gateUp: PackedMatrix, down: PackedMatrix
    }
    let layers: [Layer]
    let lmHead: PackedMatrix
    /// The model's `weightVersion` when these were packed.
    public private(set) var version: Int
    /// The matrices' precision (the process's ``MatmulPrecision/processDefault`` when packed, where it runs).
    public let precision: MatmulPrecision
    /// Whether the matrices were dequantized from a quantized model's blocks (which never change).
    public let fromQuantized: Bool

    /// Rows from which a quantized model's products use its bfloat16 tiles rather than its blocks.
    public static let tileRows = 8

    /// Packed copies are made only up to this many bytes (SmolLM2-135M's float matrices take 0.5
    /// GiB); a larger float model keeps packing each product as it goes rather than doubling its
    /// weights in memory.
    public static let byteLimit = 1 << 30

    /// Packs `model`'s matrices in `precision` (where it runs), or nil when the packed matrices
    /// would exceed ``byteLimit`` or the model holds quantized weights and `precision` is float32.
    public init?(model: TransformerModel, precision: MatmulPrecision = MatmulPrecision.processDefault) {
        let precision = precision.effective, quantized = model.quantizedWeights
        guard quantized == nil || precision == .bfloat16,
              Self.byteCount(config: model.config, precision: precision) <= Self.byteLimit else { return nil }
        let config = model.config, C = config.hiddenSize, I = config.intermediateSize
        func pack(_ offset: Int, _ n: Int, _ k: Int, _ parts: [(matrix: QuantizedMatrix, column: Int)]?) -> PackedMatrix {
            guard let parts else {
                return PackedMatrix(.nt, n: n, k: k, b: model.parameter(offset), ldb: k, precision: precision)
            }
            // The blocks as a float (n, k) matrix, then its tiles.
            let dense = UnsafeMutablePointer<Float>.allocate(capacity: n * k)
            defer { dense.deallocate() }
            for part in parts {
                let rows = part.matrix.rows, chunk = 256
                DispatchQueue.concurrentPerform(iterations: (rows + chunk - 1) / chunk) { index in
                    for r in (index * chunk)..<min(rows, (index + 1) * chunk) {
                        part.matrix.dequantizeRow(r, into: dense + (part.column + r) * k)
                    }
                }
            }
            return PackedMatrix(.nt, n: n, k: k, b: dense, ldb: k, precision: precision)
        }
        self.precision = precision
        fromQuantized = quantized != nil
        layers = model.layout.layers.enumerated().map { l, w in
            Layer(qkv: pack(w.qkv, config.qkvWidth, C, quantized?.qkv[l]?.parts),
                  output: pack(w.output, C, config.queryWidth, quantized?.output[l]?.parts),
                  gateUp: pack(w.gateUp, 2 * I, C, quantized?.gateUp[l]?.parts),
                  down: pack(w.down, C, I, quantized?.down[l]?.parts))
        }
        lmHead = pack(model.layout.lmHead, config.vocabSize, C, quantized?.lmHead.map { [(matrix: $0, column: 0)] })
        version = model.weightVersion
    }

    /// Re-packs from `model` (the same one) when its weights changed since the last packing.
    func refresh(from model: TransformerModel) {
        guard version != model.weightVersion, !fromQuantized else { return }
        let config = model.config, C = config.hiddenSize, I = config.intermediateSize
        for (w, p) in zip(model.layout.layers, layers) {
            p.qkv.repack(.nt, b: model.parameter(w.qkv), ldb: C)
            p.output.repack(.nt, b: model.parameter(w.output), ldb: config.queryWidth)
            p.gateUp.repack(.nt, b: model.parameter(w.gateUp), ldb: C)
            p.down.repack(.nt, b: model.parameter(w.down), ldb: I)
        }
        lmHead.repack(.nt, b: model.parameter(model.layout.lmHead), ldb: C)
        version = model.weightVersion
    }

    /// Bytes of the packed matrices of `config` (panels padded to the kernel's tile width).
    public static func byteCount(config: TransformerConfig,
                                 precision: MatmulPrecision = MatmulPrecision.processDefault) -> Int {
        let C = config.hiddenSize, I = config.intermediateSize
        func bytes(_ n: Int, _ k: Int) -> Int { PackedMatrix.byteCount(n: n, k: k, precision: precision) }
        let layer = bytes(config.qkvWidth, C) + bytes(C, config.queryWidth) + bytes(2 * I, C) + bytes(C, I)
        return config.layerCount * layer + bytes(config.vocabSize, C)
    }

    /// Bytes held.
    public var byteCount: Int {
        layers.reduce(lmHead.byteCount) { $0 + $1.qkv.byteCount + $1.output.byteCount + $1.gateUp.byteCount + $1.down.byteCount }
    }
}
