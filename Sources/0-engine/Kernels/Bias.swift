// Bias vectors of linear layers: broadcast over rows in the forward, summed over rows in the
// backward. Shapes: `rows` rows of `columns` floats, row r at `data + r·stride`.

/// data[r, c] += bias[c] for every row.
public func addRowBias(_ data: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int,
                       bias: UnsafePointer<Float>) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        for r in range {
            let row = data + r * stride
            for c in 0..<columns { row[c] += bias[c] }
        }
    }
}

/// data[r, c] = bias[c] for every row (so that a GEMM with `accumulate` adds x·Wᵀ onto the bias).
public func broadcastRowBias(_ data: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int,
                             bias: UnsafePointer<Float>) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        for r in range { (data + r * stride).update(from: bias, count: columns) }
    }
}

/// biasGrad[c] += Σ_r data[r, c]: the gradient of a bias from the gradient of its layer's output.
public func accumulateColumnSums(into biasGrad: UnsafeMutablePointer<Float>, from data: UnsafePointer<Float>,
                                 rows: Int, columns: Int, stride: Int) {
    // Columns are independent: split them across threads, each summing every row in order
    // (deterministic for any thread count).
    parallelChunks(columns, minimumPerChunk: 256) { range in
        for r in 0..<rows {
            let row = data + r * stride
            for c in range { biasGrad[c] += row[c] }
        }
    }
}
