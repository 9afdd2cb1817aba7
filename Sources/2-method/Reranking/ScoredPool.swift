/// A problem's pool in the form the trials read: answer groups as small integers and aggregated
/// scores, both in canonical pool order.
struct ScoredPool: Sendable {
    var id: String
    var level: Int?
    /// Group per sample: -1 no answer, 0 correct, 1... other answers.  // (P)
    var groupOf: [Int32]
    /// Number of groups (group 0 included, possibly empty).
    var groupCount: Int
    /// Aggregated scores per sample, lane a = the a-th selected aggregation (lanes beyond the
    /// selection are 0); empty when unscored.  // (P) x 8 lanes
    var scores: [SIMD8<Double>]

    var size: Int { groupOf.count }
}

extension ScoredPool {
    /// Aggregates the step scores of each pool sample (the selected aggregations, in order).
    init(problem: ValidatedProblem, grouped: GroupedPool, samples: [RerankSample], aggregations: [Aggregation],
         scored: Bool) {
        var scores: [SIMD8<Double>] = []
        if scored {
            precondition(aggregations.count <= 8)
            scores.reserveCapacity(problem.samples.count)
            for k in problem.samples {
                let all = AggregatedScores(logits: samples[k].stepScores!)
                var row = SIMD8<Double>()
                for (a, agg) in aggregations.enumerated() { row[a] = all[agg] }
                scores.append(row)
            }
        }
        self.init(id: problem.id, level: problem.level, groupOf: grouped.groupOf, groupCount: grouped.groupCount,
                  scores: scores)
    }
}
