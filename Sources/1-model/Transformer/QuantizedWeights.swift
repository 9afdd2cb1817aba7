// Weights kept in their GGUF block format (Q4_0, Q4_1, Q8_0) and multiplied as they are stored
// (GEMM's `quantizedMatMul`): a GGUF model loaded with `keepQuantized` holds its matrices as views
// of the memory-mapped file, and only the norms, biases and any matrix of another type as floats.
// Such a model decodes and scores; it cannot be trained (its float buffer lacks those matrices).

import Foundation
import GEMM
import GGUF
import Support

/// One linear layer's weight (N, K) as quantized parts, each filling a block of output columns
/// (q, k and v of the fused QKV projection; gate and up).
public struct QuantizedLinear: @unchecked Sendable {
    public var parts: [(matrix: QuantizedMatrix, column: Int)]
    public var byteCount: Int { parts.reduce(0) { $0 + $1.matrix.byteCount } }
}

/// The quantized matrices of a model, and the file whose pages hold them.
public final class QuantizedWeights: @unchecked Sendable {
    /// Per layer; nil where the layer's weight is a float tensor in the parameter buffer.
    public internal(set) var qkv: [QuantizedLinear?], output: [QuantizedLinear?]
    public internal(set) var gateUp: [QuantizedLinear?], down: [QuantizedLinear?]
    public internal(set) var embedding: QuantizedMatrix?, lmHead: QuantizedMatrix?
    /// Names (Hugging Face) of the tensors held here rather than in the float buffer.
    public internal(set) var names: Set<String> = []
    /// How the few-row products (decoding) read the activations: floats (equal to the float load
    /// up to rounding; greedy continuations as transformers'), or int8 blocks as llama.cpp does
    /// (1.4-1.5x the tokens/s on one thread; each product within Σ|w|·max|x|/254 of the float one,
    /// which moves SmolLM2's greedy continuations: docs/models.md). `E2H_QUANT_ACTIVATIONS=int8`
    /// opts in; the default is float.
    public var activations: QuantizedActivations = QuantizedWeights.defaultActivations
    /// Keeps the mapped bytes alive.
    let storage: AnyObject

    /// `E2H_QUANT_ACTIVATIONS` when it names a case, else float.
    public static let defaultActivations: QuantizedActivations = {
        ProcessInfo.processInfo.environment["E2H_QUANT_ACTIVATIONS"].flatMap(QuantizedActivations.init(rawValue:)) ?? .float
    }()

    init(layers: Int, storage: AnyObject) {
        qkv = Array(repeating: nil, count: layers); output = qkv; gateUp = qkv; down = qkv
        self.storage = storage
    }

    /// Bytes of the quantized matrices (the tied embedding counted once).
    public var byteCount: Int {
        let layers = (qkv + output + gateUp + down).reduce(0) { $0 + ($1?.byteCount ?? 0) }
        let head = lmHead.map { head in embedding.map { $0.base == head.base } == true ? 0 : head.byteCount } ?? 0
        return layers + (embedding?.byteCount ?? 0) + head
    }
}

extension QuantizedFormat {
    /// The engine's format of a GGUF tensor type, or nil when it computes on floats for that type.
    init?(_ type: GGMLType) {
        switch type {
        case .q4_0: self = .q4_0
        case .q4_1: self = .q4_1
        case .q8_0: self = .q8_0
        default: return nil
        }
    }
}

extension TransformerModel {
    /// C = A·Wᵀ, or C += A·Wᵀ, for the (n, k) weight at parameter `offset`, or its quantized form
    /// when there is one; `packed` (the decoder's) when given, except for a quantized weight's
    /// products of fewer than ``PackedWeights/tileRows`` rows.
    @inline(__always)
    func linear(_ quantized: QuantizedLinear?, weight offset: Int, packed: PackedMatrix? = nil, m: Int, n: Int, k: Int,
                a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false) {
        if let packed, quantized == nil || m >= PackedWeights.tileRows {
            gemm(m: m, a: a, lda: lda, packed: packed, c: c, ldc: ldc, accumulate: accumulate)
        } else if let quantized {
            quantizedMatMul(m: m, a: a, lda: lda, parts: quantized.parts, c: c, ldc: ldc, accumulate: accumulate,
                            activations: quantizedWeights?.activations ?? .float)
        } else {
            gemm(.nt, m: m, n: n, k: k, a: a, lda: lda, b: parameter(offset), ldb: k, c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// Writes the embeddings of `tokens` (ids already checked) as rows of `x`.
    func embed(tokens: UnsafeBufferPointer<Int32>, into x: UnsafeMutablePointer<Float>) {
        let C = config.hiddenSize
        if let table = quantizedWeights?.embedding {
            for (n, token) in tokens.enumerated() { table.dequantizeRow(Int(token), into: x + n * C) }
            return
        }
        let embedding = parameter(layout.embedding)
        spinningChunks(tokens.count, minimumPerChunk: 256, threads: defaultThreadCount) { range in
            for n in range { (x + n * C).update(from: embedding + Int(tokens[n]) * C, count: C) }
        }
    }

    /// (rows, V) logits = hidden · lm_headᵀ.
    func lmHead(rows: Int, hidden: UnsafePointer<Float>, logits: UnsafeMutablePointer<Float>, packed: PackedMatrix? = nil) {
        let C = config.hiddenSize, V = config.vocabSize
        let head = quantizedWeights?.lmHead
        if let packed, head == nil || rows >= PackedWeights.tileRows {
            gemm(m: rows, a: hidden, lda: C, packed: packed, c: logits, ldc: V)
        } else if let head {
            quantizedMatMul(m: rows, a: hidden, lda: C, weights: head, c: logits, ldc: V,
                            activations: quantizedWeights?.activations ?? .float)
        } else {
            gemm(.nt, m: rows, n: V, k: C, a: hidden, lda: C, b: parameter(layout.lmHead), ldb: C, c: logits, ldc: V)
        }
    }
}
