/// ROC AUC (the Mann-Whitney statistic) for several groups of items at once.
///
/// AUC = P(score of a random positive > score of a random negative) + 1/2 P(equal). Items are
/// sorted once (LSD radix sort on the order-preserving bit pattern of the scores, O(n)); one sweep
/// over tie blocks then accumulates every group. Groups are bits of `membership`.

/// The AUC of one group; `auc` is nil when the group lacks positives or negatives.
public struct AUCValue: Codable, Sendable, Equatable {
    public var auc: Double?
    public var positives: Int
    public var negatives: Int
}

/// - Parameters:
///   - scores: one score per item (finite or infinite, not NaN).  // (n)
///   - positive: the label of each item.  // (n)
///   - membership: bit g set when the item belongs to group g.  // (n)
///   - groups: number of groups (at most 8).
func rocAUC(scores: [Double], positive: [Bool], membership: [UInt8], groups: Int) -> [AUCValue] {
    precondition(scores.count == positive.count && scores.count == membership.count && groups <= 8)
    let n = scores.count
    // Order-preserving keys: flip the sign bit of positives, all bits of negatives.
    var keys = [UInt64](repeating: 0, count: n)
    var info = [UInt8](repeating: 0, count: n) // bit 7: positive; bits 0..<7: groups
    for i in 0..<n {
        let b = (scores[i] + 0).bitPattern // +0 turns -0 into +0
        keys[i] = b >> 63 == 0 ? b | (1 << 63) : ~b
        info[i] = (membership[i] & 0x7F) | (positive[i] ? 0x80 : 0)
    }
    radixSort(keys: &keys, payload: &info)

    var negativesBelow = [Int](repeating: 0, count: groups)
    var pos = [Int](repeating: 0, count: groups), neg = [Int](repeating: 0, count: groups)
    var numerator = [Double](repeating: 0, count: groups)
    var blockPos = [Int](repeating: 0, count: groups), blockNeg = [Int](repeating: 0, count: groups)
    var i = 0
    while i < n {
        var j = i
        for g in 0..<groups { blockPos[g] = 0; blockNeg[g] = 0 }
        while j < n && keys[j] == keys[i] {
            let isPositive = info[j] & 0x80 != 0
            for g in 0..<groups where info[j] & (1 << g) != 0 {
                if isPositive { blockPos[g] += 1 } else { blockNeg[g] += 1 }
            }
            j += 1
        }
        for g in 0..<groups {
            numerator[g] += Double(blockPos[g]) * (Double(negativesBelow[g]) + 0.5 * Double(blockNeg[g]))
            negativesBelow[g] += blockNeg[g]
            pos[g] += blockPos[g]; neg[g] += blockNeg[g]
        }
        i = j
    }
    return (0..<groups).map { g in
        let auc: Double? = pos[g] > 0 && neg[g] > 0 ? numerator[g] / (Double(pos[g]) * Double(neg[g])) : nil
        return AUCValue(auc: auc, positives: pos[g], negatives: neg[g])
    }
}

/// Sorts `keys` ascending (stable LSD radix sort: 8 passes of 8 bits, whose 256 scatter targets
/// stay cached), permuting `payload` alike. O(n); passes where one bucket holds every key
/// are skipped.
func radixSort(keys: inout [UInt64], payload: inout [UInt8]) {
    let n = keys.count
    if n < 2 { return }
    let bits = 11, buckets = 1 << bits, passes = 6, mask: UInt64 = (1 << 11) - 1
    var histogram = [Int](repeating: 0, count: buckets * passes)
    var keys2 = [UInt64](repeating: 0, count: n)
    var payload2 = [UInt8](repeating: 0, count: n)
    histogram.withUnsafeMutableBufferPointer { h in
        keys.withUnsafeBufferPointer { k in
            for key in k {
                for p in 0..<passes { h[p * buckets + Int((key >> UInt64(p * bits)) & mask)] += 1 }
            }
        }
    }
    for p in 0..<passes {
        let shift = UInt64(p * bits)
        let skip = histogram.withUnsafeMutableBufferPointer { h -> Bool in
            let base = p * buckets
            if h[base + Int((keys[0] >> shift) & mask)] == n { return true }
            var sum = 0
            for d in 0..<buckets { let c = h[base + d]; h[base + d] = sum; sum += c }
            return false
        }
        if skip { continue }
        histogram.withUnsafeMutableBufferPointer { h in
            keys.withUnsafeBufferPointer { k in
                payload.withUnsafeBufferPointer { pl in
                    keys2.withUnsafeMutableBufferPointer { k2 in
                        payload2.withUnsafeMutableBufferPointer { p2 in
                            let base = p * buckets
                            for i in 0..<n {
                                let d = base + Int((k[i] >> shift) & mask)
                                let at = h[d]
                                h[d] = at + 1
                                k2[at] = k[i]; p2[at] = pl[i]
                            }
                        }
                    }
                }
            }
        }
        swap(&keys, &keys2); swap(&payload, &payload2)
    }
}
