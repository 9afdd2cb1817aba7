import Foundation
import Support

/// Re-ranks scored samples and computes accuracy-vs-N curves and reward-model diagnostics, with
/// answers grouped by the project's grader. See ``rerank(_:options:equivalence:)``.
public func rerank(_ input: RerankInput, options: RerankOptions = RerankOptions()) throws -> RerankSummary {
    try rerank(input, options: options, equivalence: GraderEquivalence())
}

/// Re-ranks scored samples with a given answer equivalence.
///
/// Stages: validation (canonical order: problems by id, pools by sample index), grouping of answers
/// (once per distinct answer string per problem, parallel over problems), aggregation of step
/// scores (all selected aggregations in one pass), the trials (``CurveEngine``), diagnostics.
/// - Throws: ``RerankError`` for invalid records (naming file and line) unless
///   `options.skipInvalid`, for invalid options, and when no problem has samples.
public func rerank<E: AnswerEquivalence>(_ input: RerankInput, options: RerankOptions, equivalence: E) throws -> RerankSummary {
    try options.validate()
    let threads = workerCount(options.threads)
    var timing = RerankTiming()
    var clock = StageClock()

    let valid = try ValidatedInput(input, skipInvalid: options.skipInvalid)
    let withSamples = valid.problems.filter { !$0.samples.isEmpty }
    guard !withSamples.isEmpty else {
        throw RerankError.invalidInput("no problem has a valid sample (\(valid.problems.count) problems, \(valid.samplesInFile) sample records)")
    }
    // Credits are summed in units of 2^-40 in Int64, which holds 2^23 problems: keep a margin.
    guard withSamples.count < 1 << 22 else {
        throw RerankError.invalidInput("\(withSamples.count) problems; at most \(1 << 22) are supported")
    }
    timing.validation = clock.lap()

    let grouped = try parallelMap(withSamples.count, threads: threads) { p in
        groupPool(withSamples[p], samples: input.samples, equivalence: equivalence)
    }
    timing.grouping = clock.lap()

    let aggregations = valid.hasScores ? options.aggregations : []
    let pools = try parallelMap(withSamples.count, threads: threads) { p in
        ScoredPool(problem: withSamples[p], grouped: grouped[p], samples: input.samples, aggregations: aggregations,
                   scored: valid.hasScores)
    }
    timing.aggregation = clock.lap()

    // Level slots and groups.
    let levelKeys = Array(Set(pools.map { $0.level ?? Int.max })).sorted()
    let slotOfLevel = Dictionary(uniqueKeysWithValues: levelKeys.enumerated().map { ($1, $0) })
    let levelSlot = pools.map { slotOfLevel[$0.level ?? Int.max]! }
    let groups = problemGroups(levelKeys: levelKeys, pools: pools, options: options)

    let sizes = pools.map(\.size)
    let smallest = sizes.min()!, largest = sizes.max()!
    let limit = Swift.min(options.maxN ?? smallest, smallest)
    let grid = CurveGrid(limit: limit, largestPool: largest, trials: options.trials)
    let sums = CurveEngine.run(pools: pools, levelSlot: levelSlot, levels: levelKeys.count, grid: grid,
                               trials: options.trials, seed: options.seed, aggregations: aggregations.count,
                               threads: threads)
    let curves = makeCurves(sums: sums, grid: grid, groups: groups, levelKeys: levelKeys, aggregations: aggregations)
    timing.curves = clock.lap()

    // Diagnostics over all, easy and hard.
    let split = groups.filter { ["all", "easy", "hard"].contains($0.group.name) }
    let membership = pools.map { pool -> UInt8 in
        var bits: UInt8 = 0
        for (b, g) in split.enumerated() where g.contains(pool.level) { bits |= 1 << b }
        return bits
    }
    let diagnostics = DiagnosticsEngine.compute(pools: pools, problems: withSamples, samples: input.samples,
                                                aggregations: aggregations, groupNames: split.map(\.group.name),
                                                membership: membership, threshold: options.errorThreshold, threads: threads)
    timing.diagnostics = clock.lap()

    let stats = InputSummary(
        problems: valid.problemsInFile, problemsWithSamples: withSamples.count,
        problemsWithoutSamples: valid.problems.count - withSamples.count,
        samples: valid.samplesInFile, samplesUsed: sizes.reduce(0, +),
        samplesWithoutAnswer: grouped.reduce(0) { $0 + $1.groupOf.filter { $0 < 0 }.count },
        samplesCorrect: grouped.reduce(0) { $0 + $1.groupOf.filter { $0 == 0 }.count },
        poolSizeMin: smallest, poolSizeMax: largest,
        distinctAnswers: grouped.reduce(0) { $0 + $1.distinctAnswers },
        answerGroups: grouped.reduce(0) { $0 + $1.groupCount },
        graderComparisons: grouped.reduce(0) { $0 + $1.comparisons },
        hasStepScores: valid.hasScores, hasStepLabels: valid.hasLabels,
        skipped: valid.skipped, skippedExamples: valid.skippedExamples)
    var methods: [RerankMethod] = [.majority]
    if valid.hasScores { methods += [.bestOfN, .weightedVoting] }
    methods.append(.passAtN)
    var summary = RerankSummary(options: options, input: stats, nValues: grid.nValues, trials: grid.trialsAt,
                                methods: methods, aggregations: aggregations, groups: groups.map(\.group),
                                curves: curves, diagnostics: diagnostics)
    summary.timing = timing
    return summary
}

/// A group and the level slots it sums.
struct GroupPlan {
    var group: ProblemGroup
    var slots: [Int]
    /// Whether a problem of `level` belongs to the group.
    func contains(_ level: Int?) -> Bool {
        switch group.name {
        case "all": return true
        case "level_unknown": return level == nil
        default: return level.map { group.levels.contains($0) } ?? false
        }
    }
}

/// all, easy, hard (when they have problems), then one group per level present.
func problemGroups(levelKeys: [Int], pools: [ScoredPool], options: RerankOptions) -> [GroupPlan] {
    var count = [Int](repeating: 0, count: levelKeys.count)
    let slotOf = Dictionary(uniqueKeysWithValues: levelKeys.enumerated().map { ($1, $0) })
    for p in pools { count[slotOf[p.level ?? Int.max]!] += 1 }
    func plan(_ name: String, _ levels: [Int], _ slots: [Int]) -> GroupPlan {
        GroupPlan(group: ProblemGroup(name: name, levels: levels, problems: slots.reduce(0) { $0 + count[$1] }), slots: slots)
    }
    let known = levelKeys.filter { $0 != Int.max }
    var out = [plan("all", known, Array(levelKeys.indices))]
    for (name, levels) in [("easy", options.easyLevels), ("hard", options.hardLevels)] {
        let slots = levelKeys.indices.filter { levels.contains(levelKeys[$0]) }
        out.append(plan(name, levels, slots))
    }
    for (s, level) in levelKeys.enumerated() {
        out.append(level == Int.max ? plan("level_unknown", [], [s]) : plan("level_\(level)", [level], [s]))
    }
    return out
}

/// Mean and standard deviation over trials of each group's accuracy.
func makeCurves(sums: CreditSums, grid: CurveGrid, groups: [GroupPlan], levelKeys: [Int],
                aggregations: [Aggregation]) -> [Curve] {
    let slots = MethodSlots(aggregations: aggregations.count)
    var plan: [(RerankMethod, Aggregation?, Int)] = [(.majority, nil, MethodSlots.majority)]
    for (a, agg) in aggregations.enumerated() { plan.append((.bestOfN, agg, slots.bestOfN(a))) }
    for (a, agg) in aggregations.enumerated() { plan.append((.weightedVoting, agg, slots.weighted(a))) }
    plan.append((.passAtN, nil, MethodSlots.passAtN))
    var curves: [Curve] = []
    for g in groups where g.group.problems > 0 {
        for (method, agg, m) in plan {
            var mean: [Double] = [], std: [Double] = []
            let unit = CreditSums.scale * Double(g.group.problems)
            for (n, trials) in grid.trialsAt.enumerated() {
                // Per-trial totals are exact integers (units of 2^-40 credit).
                var totals: [Double] = []
                for t in 0..<trials {
                    var total: Int64 = 0
                    for l in g.slots { total &+= sums.values[sums.offset(level: l, trial: t, n: n) + m] }
                    totals.append(Double(total))
                }
                let mu = totals.reduce(0, +) / (unit * Double(trials))
                let variance = totals.reduce(0) { $0 + ($1 / unit - mu) * ($1 / unit - mu) } / Double(trials)
                mean.append(roundTo12(mu)); std.append(roundTo12(variance.squareRoot()))
            }
            curves.append(Curve(method: method, aggregation: agg, group: g.group.name, n: grid.nValues, mean: mean, std: std))
        }
    }
    return curves
}

/// Rounds to 12 decimals: below the fixed-point resolution of the credits, and it keeps
/// summary.json free of binary noise such as 0.39999999999999997.
func roundTo12(_ x: Double) -> Double {
    (x * 1e12).rounded() / 1e12
}
