// SwiGLU (Shazeer 2020), the Llama MLP nonlinearity: h = silu(g) ∘ u with silu(g) = g·σ(g).
// Shapes: N rows, I hidden units. g and u live side by side in one (N, 2I) buffer (the fused
// gate/up projection output): g = row[0..<I], u = row[I..<2I].

import CCPUFeatures
import GEMM

/// Forward: `output` (N,I) = silu(g) ∘ u, reading `gateUp` (N, 2I).
///
/// `kernel`: `.portable` forces the Swift form (compiled for the baseline); otherwise the widest
/// form the CPU runs (swiglu.c: the same operations bit for bit, 16 or 8 lanes at a time).
public func swigluForward(
    output: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, hidden: Int,
    kernel: GEMMKernel = .selected
) {
    let form = kernel.runnable
    parallelChunks(rows, minimumPerChunk: 32) { range in
        #if arch(x86_64)
        let first = range.lowerBound
        switch form {
        case .avx512:
            e2h_swiglu_forward_avx512(output + first * hidden, gateUp + first * 2 * hidden, range.count, hidden); return
        case .avx2:
            e2h_swiglu_forward_avx2(output + first * hidden, gateUp + first * 2 * hidden, range.count, hidden); return
        case .portable: break
        }
        #endif
        for row in range {
            let g = gateUp + row * 2 * hidden
            let u = g + hidden
            let h = output + row * hidden
            var i = 0
            while i + 8 <= hidden {
                let gv = load8(g + i)
                let uv = load8(u + i)
                let hv = gv * sigmoid8(gv) * uv
                store8(hv, h + i)
                i += 8
            }
            while i < hidden {
                h[i] = g[i] * sigmoidScalar(g[i]) * u[i]
                i += 1
            }
        }
    }
}

/// Backward: writes `gateUpGrad` (N, 2I) from `outputGrad` (N, I).
///
/// dg = dh·u·σ(g)·(1 + g·(1 − σ(g))), du = dh·silu(g).
public func swigluBackward(
    gateUpGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
    gateUp: UnsafePointer<Float>, rows: Int, hidden: Int, kernel: GEMMKernel = .selected
) {
    let form = kernel.runnable
    parallelChunks(rows, minimumPerChunk: 32) { range in
        #if arch(x86_64)
        let first = range.lowerBound
        switch form {
        case .avx512:
            e2h_swiglu_backward_avx512(gateUpGrad + first * 2 * hidden, outputGrad + first * hidden,
                                       gateUp + first * 2 * hidden, range.count, hidden); return
        case .avx2:
            e2h_swiglu_backward_avx2(gateUpGrad + first * 2 * hidden, outputGrad + first * hidden,
                                     gateUp + first * 2 * hidden, range.count, hidden); return
        case .portable: break
        }
        #endif
        for row in range {
            let g = gateUp + row * 2 * hidden
            let u = g + hidden
            let dg = gateUpGrad + row * 2 * hidden
            let du = dg + hidden
            let dh = outputGrad + row * hidden
            var i = 0
            while i + 8 <= hidden {
                let gv = load8(g + i)
                let uv = load8(u + i)
                let dhv = load8(dh + i)
                let s = sigmoid8(gv)
                let dgv = dhv * uv * s * (1 + gv * (1 - s))
                let duv = dhv * gv * s
                store8(dgv, dg + i)
                store8(duv, du + i)
                i += 8
            }
            while i < hidden {
                let s = sigmoidScalar(g[i])
                dg[i] = dh[i] * u[i] * s * (1 + g[i] * (1 - s))
                du[i] = dh[i] * g[i] * s
                i += 1
            }
        }
    }
}
