// Mean next-token cross-entropy over the positions that have a target.

import Kernels

extension TransformerModel {
    /// Computes the mean cross-entropy of `activations.logits` (N, V) against `targets` (N; < 0 =
    /// ignored) and writes its gradient into `activations.logitsGrad`.
    ///
    /// - Parameter scale: multiplies the gradient (e.g. 1/microbatches for accumulation).
    /// - Returns: the mean loss over counted positions (0 when none are counted).
    @discardableResult
    public func crossEntropyLoss(
        targets: UnsafeBufferPointer<Int32>, rows: Int, activations a: Activations, scale: Float = 1
    ) -> Float {
        let V = config.vocabSize
        let targetBase = targets.baseAddress!
        let counted = targets.prefix(rows).reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let perToken = counted > 0 ? scale / Float(counted) : 0
        for n in 0..<rows { a.tokenLossGrad[n] = perToken }
        // One pass over the (N, V) logits for the losses and their gradient.
        crossEntropyForwardBackward(losses: a.tokenLosses, logitsGrad: a.logitsGrad, logits: a.logits, targets: targetBase,
                                    gradient: perToken, rows: rows, vocab: V)
        var total: Double = 0
        for n in 0..<rows where targets[n] >= 0 { total += Double(a.tokenLosses[n]) }
        return counted > 0 ? Float(total / Double(counted)) : 0
    }
}
