/// A problem's pool in the form the trials read: answer groups as small integers and aggregated
/// scores, both in canonical pool order.
struct ScoredPool: Sendable {
    var id: String
    var level: Int?
    /// Group per sample: -1 no answer, 0 correct, 1... other answers.  // (P)
    var groupOf: [Int32]
    /// Number of groups (group 0 included, possibly empty).
    var groupCount: Int
    /// Aggregated score per sample and selected aggregation; empty when unscored.  // (P, A)
    var scores: [Double]

    var size: Int { groupOf.count }
}

extension ScoredPool {
    /// Aggregates the step scores of each pool sample (the selected aggregations, in order).
    init(problem: ValidatedProblem, grouped: GroupedPool, samples: [RerankSample], aggregations: [Aggregation],
         scored: Bool) {
        var scores: [Double] = []
        if scored {
            scores.reserveCapacity(problem.samples.count * aggregations.count)
            for k in problem.samples {
                let all = AggregatedScores(logits: samples[k].stepScores!)
                for a in aggregations { scores.append(all[a]) }
            }
        }
        self.init(id: problem.id, level: problem.level, groupOf: grouped.groupOf, groupCount: grouped.groupCount,
                  scores: scores)
    }
}
