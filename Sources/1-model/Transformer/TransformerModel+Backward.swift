// The backward pass: the forward read bottom-up. Gradients are added into `gradients`.
// Shapes as in the forward: N tokens (B·T for a padded batch), C hidden, V vocabulary, I intermediate.

import GEMM
import Kernels

extension TransformerModel {
    /// Backpropagates from the heads to every parameter.
    ///
    /// Call right after `forward` on the same `activations`. Either or both of the head gradients
    /// are used: `activations.logitsGrad` (N, V) when `outputs` contains `.logits`, and
    /// `activations.valuesGrad` (N) when it contains `.values`.
    public func backward(
        tokens: UnsafeBufferPointer<Int32>, batch B: Int, time T: Int,
        activations a: Activations, outputs: ForwardOutputs
    ) {
        backward(tokens: tokens, segments: AttentionSegments(batch: B, time: T), activations: a, outputs: outputs)
    }

    /// Backpropagates a forward over `segments` (the gradients of a shared prefix sum over the
    /// segments that continue it).
    public func backward(
        tokens: UnsafeBufferPointer<Int32>, segments: AttentionSegments,
        activations a: Activations, outputs: ForwardOutputs
    ) {
        let N = segments.rows, C = config.hiddenSize, V = config.vocabSize, I = config.intermediateSize
        let dx = a.residualGrad  // (N, C) gradient of the residual stream, carried down the layers
        let dFinal = a.normOutGrad  // (N, C)
        dFinal.update(repeating: 0, count: N * C)

        if outputs.contains(.logits) {
            gemm(.nn, m: N, n: C, k: V, a: a.logitsGrad, lda: V, b: parameter(layout.lmHead), ldb: C,
                 c: dFinal, ldc: C, accumulate: true)
            gemm(.tn, m: V, n: C, k: N, a: a.logitsGrad, lda: V, b: a.finalOut, ldb: C,
                 c: gradient(layout.lmHead), ldc: C, accumulate: true)
        }
        if outputs.contains(.values) {
            scoreHeadBackward(hiddenGrad: dFinal, valuesGrad: a.valuesGrad, hidden: a.finalOut, rows: N)
        }
        dx.update(repeating: 0, count: N * C)
        rmsNormBackward(inputGrad: dx, weightGrad: gradient(layout.finalNorm), outputGrad: dFinal,
                        input: a.residuals[config.layerCount], weight: parameter(layout.finalNorm),
                        rstd: a.finalRstd, rows: N, channels: C)

        for l in stride(from: config.layerCount - 1, through: 0, by: -1) {
            let w = layout.layers[l], s = a.layers[l]
            // MLP block (out = middle + down(h)); dx is d(out) and becomes d(middle).
            gemm(.nn, m: N, n: I, k: C, a: dx, lda: C, b: parameter(w.down), ldb: I,
                 c: a.hiddenGrad, ldc: I)
            gemm(.tn, m: C, n: I, k: N, a: dx, lda: C, b: s.hidden, ldb: I,
                 c: gradient(w.down), ldc: I, accumulate: true)
            swigluBackward(gateUpGrad: a.gateUpGrad, outputGrad: a.hiddenGrad, gateUp: s.gateUp,
                           rows: N, hidden: I)
            gemm(.nn, m: N, n: C, k: 2 * I, a: a.gateUpGrad, lda: 2 * I, b: parameter(w.gateUp), ldb: C,
                 c: a.normOutGrad, ldc: C)
            gemm(.tn, m: 2 * I, n: C, k: N, a: a.gateUpGrad, lda: 2 * I, b: s.norm2Out, ldb: C,
                 c: gradient(w.gateUp), ldc: C, accumulate: true)
            rmsNormBackward(inputGrad: dx, weightGrad: gradient(w.postNorm), outputGrad: a.normOutGrad,
                            input: s.middle, weight: parameter(w.postNorm), rstd: s.norm2Rstd,
                            rows: N, channels: C)
            // Attention block (middle = x + o_proj(y) + bo); dx is d(middle) and becomes d(x).
            let Dq = config.queryWidth, width = config.qkvWidth
            if let bias = w.outputBias {
                accumulateColumnSums(into: gradient(bias), from: dx, rows: N, columns: C, stride: C)
            }
            gemm(.nn, m: N, n: Dq, k: C, a: dx, lda: C, b: parameter(w.output), ldb: Dq,
                 c: a.attentionOutGrad, ldc: Dq)
            gemm(.tn, m: C, n: Dq, k: N, a: dx, lda: C, b: s.attentionOut, ldb: Dq,
                 c: gradient(w.output), ldc: Dq, accumulate: true)
            attentionBackward(queryGrad: a.qkvGrad, keyGrad: a.qkvGrad + Dq,
                              valueGrad: a.qkvGrad + Dq + config.keyValueWidth,
                              outputGrad: a.attentionOutGrad, probabilities: s.probabilities,
                              query: s.qkv, key: s.qkv + Dq, value: s.qkv + Dq + config.keyValueWidth,
                              shape: attentionShape(), segments: segments)
            applyRope(a.qkvGrad, rows: N, positions: a.positions, positionLimit: segments.positionLimit, inverse: true)
            if let bias = w.qkvBias {
                accumulateColumnSums(into: gradient(bias), from: a.qkvGrad, rows: N, columns: width, stride: width)
            }
            gemm(.nn, m: N, n: C, k: width, a: a.qkvGrad, lda: width, b: parameter(w.qkv), ldb: C,
                 c: a.normOutGrad, ldc: C)
            gemm(.tn, m: width, n: C, k: N, a: a.qkvGrad, lda: width, b: s.norm1Out, ldb: C,
                 c: gradient(w.qkv), ldc: C, accumulate: true)
            rmsNormBackward(inputGrad: dx, weightGrad: gradient(w.inputNorm), outputGrad: a.normOutGrad,
                            input: a.residuals[l], weight: parameter(w.inputNorm), rstd: s.norm1Rstd,
                            rows: N, channels: C)
        }

        // Embedding: scatter-add each token's gradient row (serial: tokens repeat).
        let dEmbedding = gradient(layout.embedding)
        for n in 0..<N {
            let row = dEmbedding + Int(tokens[n]) * C
            let g = dx + n * C
            for c in 0..<C { row[c] += g[c] }
        }
    }

    /// Adds the scalar head's gradients: dh[n] += dv[n]·w, dw += Σ dv[n]·h[n], db += Σ dv[n].
    func scoreHeadBackward(hiddenGrad: UnsafeMutablePointer<Float>, valuesGrad: UnsafePointer<Float>,
                           hidden: UnsafePointer<Float>, rows: Int) {
        let C = config.hiddenSize
        let w = parameter(layout.scoreWeight)
        let dw = gradient(layout.scoreWeight), db = gradient(layout.scoreBias)
        for n in 0..<rows {
            let g = valuesGrad[n]
            if g == 0 { continue }
            let h = hidden + n * C, dh = hiddenGrad + n * C
            for c in 0..<C {
                dh[c] += g * w[c]
                dw[c] += g * h[c]
            }
            db[0] += g
        }
    }
}
