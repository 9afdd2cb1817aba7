// RMSNorm (Zhang & Sennrich 2019), as in Llama: y = x / sqrt(mean(x²) + eps) * w.
// Shapes: N rows (= B·T tokens), C channels.

/// Forward. Writes `output` (N,C) and the per-row reciprocal RMS `rstd` (N) for the backward.
public func rmsNormForward(
    output: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, channels: Int, epsilon: Float
) {
    parallelChunks(rows, minimumPerChunk: 64) { range in
        // Four rows' sums of squares at a time: four independent chains, each summing its row in
        // channel order (so the same bits as one row at a time, without waiting on one add chain).
        var row = range.lowerBound
        while row + 4 <= range.upperBound {
            let x0 = input + row * channels, x1 = x0 + channels, x2 = x1 + channels, x3 = x2 + channels
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            for c in 0..<channels {
                s0 += x0[c] * x0[c]; s1 += x1[c] * x1[c]; s2 += x2[c] * x2[c]; s3 += x3[c] * x3[c]
            }
            normalizeRow(row, s0); normalizeRow(row + 1, s1); normalizeRow(row + 2, s2); normalizeRow(row + 3, s3)
            row += 4
        }
        while row < range.upperBound {
            let x = input + row * channels
            var sumSquares: Float = 0
            for c in 0..<channels { sumSquares += x[c] * x[c] }
            normalizeRow(row, sumSquares)
            row += 1
        }
    }

    @inline(__always) func normalizeRow(_ row: Int, _ sumSquares: Float) {
        let x = input + row * channels, y = output + row * channels
        let r = 1 / (sumSquares / Float(channels) + epsilon).squareRoot()
        rstd[row] = r
        for c in 0..<channels { y[c] = x[c] * r * weight[c] }
    }
}

/// Backward. Adds into `inputGrad` (N,C) and `weightGrad` (C).
///
/// With x̂ = x·r: dx = r·(w∘dy) − x·r³·mean(x∘w∘dy); dw = Σ_rows dy∘x̂.
public func rmsNormBackward(
    inputGrad: UnsafeMutablePointer<Float>, weightGrad: UnsafeMutablePointer<Float>,
    outputGrad: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rstd: UnsafePointer<Float>, rows: Int, channels: Int
) {
    // The weight gradient is a reduction over rows: each chunk sums privately, then we combine.
    let threads = min(defaultThreadCount, max(1, rows / 64))
    var partial = [Float](repeating: 0, count: threads * channels)
    partial.withUnsafeMutableBufferPointer { partialBuffer in
        let partialBase = partialBuffer.baseAddress!
        parallelChunks(threads, minimumPerChunk: 1, threads: threads) { chunkRange in
            for chunk in chunkRange {
                let dwLocal = partialBase + chunk * channels
                let start = rows * chunk / threads, end = rows * (chunk + 1) / threads
                for row in start..<end {
                    let x = input + row * channels
                    let dy = outputGrad + row * channels
                    let dx = inputGrad + row * channels
                    let r = rstd[row]
                    var dot: Float = 0
                    for c in 0..<channels { dot += x[c] * weight[c] * dy[c] }
                    let k = dot * r * r * r / Float(channels)
                    for c in 0..<channels {
                        dx[c] += r * weight[c] * dy[c] - x[c] * k
                        dwLocal[c] += dy[c] * x[c] * r
                    }
                }
            }
        }
        for chunk in 0..<threads {
            for c in 0..<channels { weightGrad[c] += partialBase[chunk * channels + c] }
        }
    }
}
