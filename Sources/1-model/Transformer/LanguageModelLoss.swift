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
        crossEntropyForward(losses: a.tokenLosses, logits: a.logits, targets: targetBase, rows: rows, vocab: V)
        var counted = 0
        var total: Double = 0
        for n in 0..<rows where targets[n] >= 0 {
            counted += 1
            total += Double(a.tokenLosses[n])
        }
        let perToken = counted > 0 ? scale / Float(counted) : 0
        for n in 0..<rows { a.tokenLossGrad[n] = perToken }
        crossEntropyBackward(logitsGrad: a.logitsGrad, logits: a.logits, targets: targetBase,
                             lossGrad: a.tokenLossGrad, rows: rows, vocab: V)
        return counted > 0 ? Float(total / Double(counted)) : 0
    }
}
