// Attention of one query against a cached sequence of keys and values (incremental decoding):
// scores, softmax and the weighted sum of values in one call, so the per-position inner loops are
// inlined here instead of being two calls per position from another module (which cost 70% of
// decoding time). Head dimensions of 32 and 64 keep the query and the output in registers.

/// out = softmax(scale · K q) V over `length` cached positions.
///
/// - Parameters:
///   - query: (D) the query of one head.
///   - keys, values: position j's key/value for this head at `keys + j·stride`, `values + j·stride`.
///   - scores: scratch of at least `length` floats (left holding the attention probabilities).
///   - output: (D) the result.
public func attendCached(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                         stride: Int, length: Int, headDim D: Int, scale: Float,
                         scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
    if D == 32 {
        attendCachedFixed(query: query, keys: keys, values: values, stride: stride, length: length, lanes: 4,
                          scale: scale, scores: scores, output: output)
    } else if D == 64 {
        attendCachedFixed(query: query, keys: keys, values: values, stride: stride, length: length, lanes: 8,
                          scale: scale, scores: scores, output: output)
    } else {
        for j in 0..<length { scores[j] = dotProduct(query, keys + j * stride, count: D) }
        softmaxInPlace(scores, count: length, scale: scale)
        output.update(repeating: 0, count: D)
        for j in 0..<length { addScaled(output, values + j * stride, scale: scores[j], count: D) }
    }
}

/// The register-blocked path for D = 8·lanes (lanes ≤ 8).
@inline(__always)
private func attendCachedFixed(query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                               stride: Int, length: Int, lanes: Int, scale: Float,
                               scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
    var q = (Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8())
    withUnsafeMutableBytes(of: &q) { raw in
        let lanesOut = raw.baseAddress!.assumingMemoryBound(to: Vec8.self)
        for l in 0..<lanes { lanesOut[l] = load8(query + 8 * l) }
    }
    withUnsafeBytes(of: q) { raw in
        let qv = raw.baseAddress!.assumingMemoryBound(to: Vec8.self)
        for j in 0..<length {
            let k = keys + j * stride
            var sum = qv[0] * load8(k)
            for l in 1..<lanes { sum += qv[l] * load8(k + 8 * l) }
            scores[j] = sum.sum()
        }
    }
    softmaxInPlace(scores, count: length, scale: scale)
    var acc = (Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8(), Vec8())
    withUnsafeMutableBytes(of: &acc) { raw in
        let av = raw.baseAddress!.assumingMemoryBound(to: Vec8.self)
        for j in 0..<length {
            let v = values + j * stride, p = scores[j]
            for l in 0..<lanes { av[l] += load8(v + 8 * l) * p }
        }
        for l in 0..<lanes { store8(av[l], output + 8 * l) }
    }
}
