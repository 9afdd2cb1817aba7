// A padded batch's sequences as the rows a forward actually runs: no padding, and a prompt that
// several sequences share run once. The losses keep the padded (B, T) layout; `unpack` and `pack`
// move per-row values between the two.

import Kernels
import Transformer

/// The rows of a batch without padding, shared prompts run once. A prompt of P ≥ 2 tokens that
/// two or more sequences share becomes a prefix segment of its first P − 1 tokens; each sequence
/// continues it from its last prompt token, so every row that predicts a sequence's own tokens
/// belongs to that sequence alone (``AttentionSegments``).
public struct RowPacking: Sendable {
    /// (N) token ids and next-token targets of the packed rows.
    public var tokens: [Int32], targets: [Int32]
    public var segments: AttentionSegments
    /// (B·T) the packed row holding each position of the padded batch, −1 for padding; the
    /// positions of a shared prefix all name its row.
    public var rowOf: [Int32]

    /// - Parameters:
    ///   - promptCounts: (B) the prompt length of each sequence (0: no prompt to share).
    ///   - lengths: (B) the real tokens of each sequence, at most T.
    public init(_ batch: Batch, promptCounts: [Int], lengths: [Int]) {
        let T = batch.time
        var tokens: [Int32] = [], targets: [Int32] = [], rowOf = [Int32](repeating: -1, count: batch.batch * T)
        var segmentLengths: [Int] = [], prefixes: [Int] = []
        var groups: [[Int]] = [], groupOf: [ArraySlice<Int32>: Int] = [:]
        for b in 0..<batch.batch {
            let key = batch.tokens[(b * T)..<(b * T + min(promptCounts[b], lengths[b]))]
            if let g = groupOf[key], promptCounts[b] >= 2 { groups[g].append(b) } else { groupOf[key] = groups.count; groups.append([b]) }
        }
        func append(_ b: Int, from t0: Int, prefix: Int) {
            let start = tokens.count
            for t in t0..<lengths[b] {
                rowOf[b * T + t] = Int32(start + t - t0)
                tokens.append(batch.tokens[b * T + t]); targets.append(batch.targets[b * T + t])
            }
            segmentLengths.append(lengths[b] - t0); prefixes.append(prefix)
        }
        for members in groups {
            let first = members[0], P = min(promptCounts[first], lengths[first])
            guard members.count >= 2, P >= 2 else { members.forEach { append($0, from: 0, prefix: -1) }; continue }
            let prefix = segmentLengths.count, start = tokens.count
            for t in 0..<(P - 1) {
                tokens.append(batch.tokens[first * T + t]); targets.append(batch.targets[first * T + t])
                for b in members { rowOf[b * T + t] = Int32(start + t) }
            }
            segmentLengths.append(P - 1); prefixes.append(-1)
            for b in members { append(b, from: P - 1, prefix: prefix) }
        }
        self.tokens = tokens; self.targets = targets; self.rowOf = rowOf
        segments = AttentionSegments(lengths: segmentLengths, prefixes: prefixes)
    }
}

extension Batch {
    /// Rows a forward over this batch runs: the packed rows, or the padded B·T.
    public var rows: Int { packing?.segments.rows ?? batch * time }

    /// (rows) the next-token target of each row the forward runs.
    public var rowTargets: [Int32] { packing?.targets ?? targets }

    /// (B·T) per-position values from (rows) per-row ones; padding positions 0.
    public func unpack(_ rows: UnsafePointer<Float>) -> [Float] {
        guard let packing else { return Array(UnsafeBufferPointer(start: rows, count: batch * time)) }
        return packing.rowOf.map { $0 < 0 ? 0 : rows[Int($0)] }
    }

    /// Writes (rows) per-row values from (B·T) per-position ones, summing positions that share a
    /// row (a shared prefix); rows no position names get 0.
    public func pack(_ values: [Float], into rows: UnsafeMutablePointer<Float>) {
        guard let packing else { rows.update(from: values, count: batch * time); return }
        rows.update(repeating: 0, count: self.rows)
        for (i, row) in packing.rowOf.enumerated() where row >= 0 { rows[Int(row)] += values[i] }
    }

    /// The model's forward over this batch's rows.
    public func forward(_ model: TransformerModel, activations: Activations, outputs: ForwardOutputs) throws {
        if let packing {
            try packing.tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, segments: packing.segments, activations: activations, outputs: outputs)
            }
        } else {
            try tokens.withUnsafeBufferPointer {
                try model.forward(tokens: $0, batch: batch, time: time, activations: activations, outputs: outputs)
            }
        }
    }

    /// The model's backward after `forward(_:activations:outputs:)`.
    public func backward(_ model: TransformerModel, activations: Activations, outputs: ForwardOutputs) {
        if let packing {
            packing.tokens.withUnsafeBufferPointer {
                model.backward(tokens: $0, segments: packing.segments, activations: activations, outputs: outputs)
            }
        } else {
            tokens.withUnsafeBufferPointer {
                model.backward(tokens: $0, batch: batch, time: time, activations: activations, outputs: outputs)
            }
        }
    }
}
