/// Within-problem ROC AUC: how well a reward model ranks the correct samples of a problem above its
/// wrong samples. This is what re-ranking needs; the pooled outcome AUC also rewards a model that
/// merely scores easy problems higher than hard ones (on the built-in benchmark the pooled AUC was
/// 0.81-0.85 while the within-problem AUC stayed near 0.5, and no voting method gained).

/// The mean, over the problems that have both correct and wrong samples, of each problem's own AUC.
public struct WithinProblemAUC: Codable, Sendable, Equatable {
    public var aggregation: Aggregation
    public var group: String
    /// nil (null in JSON) when no problem of the group has both correct and wrong samples.
    public var auc: Double?
    /// Problems that entered the mean.
    public var problems: Int

    enum CodingKeys: String, CodingKey { case aggregation, group, auc, problems }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(aggregation, forKey: .aggregation)
        try c.encode(group, forKey: .group)
        try c.encode(auc, forKey: .auc)
        try c.encode(problems, forKey: .problems)
    }
}

/// The AUC of one pool's scores in `lane` (positives: samples in group 0, the correct answer; a
/// sample without an answer is a negative), or nil when the pool lacks positives or negatives.
func poolAUC(_ pool: ScoredPool, lane: Int) -> Double? {
    let order = pool.groupOf.indices.sorted { pool.scores[$0][lane] < pool.scores[$1][lane] }
    var negativesBelow = 0, positives = 0, numerator = 0.0
    var i = 0
    while i < order.count {
        var j = i, blockPositives = 0, blockNegatives = 0
        while j < order.count && pool.scores[order[j]][lane] == pool.scores[order[i]][lane] {
            if pool.groupOf[order[j]] == 0 { blockPositives += 1 } else { blockNegatives += 1 }
            j += 1
        }
        numerator += Double(blockPositives) * (Double(negativesBelow) + 0.5 * Double(blockNegatives))
        negativesBelow += blockNegatives; positives += blockPositives
        i = j
    }
    guard positives > 0, negativesBelow > 0 else { return nil }
    return numerator / (Double(positives) * Double(negativesBelow))
}

/// Within-problem AUC of one aggregation lane for each group (bit g of `membership` per pool).
func withinProblemAUC(pools: [ScoredPool], lane: Int, membership: [UInt8], groups: Int) -> [(auc: Double?, problems: Int)] {
    var sum = [Double](repeating: 0, count: groups), count = [Int](repeating: 0, count: groups)
    for (p, pool) in pools.enumerated() {
        guard let auc = poolAUC(pool, lane: lane) else { continue }
        for g in 0..<groups where membership[p] & (1 << g) != 0 { sum[g] += auc; count[g] += 1 }
    }
    return (0..<groups).map { g in (count[g] > 0 ? sum[g] / Double(count[g]) : nil, count[g]) }
}
