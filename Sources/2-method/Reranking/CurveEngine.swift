import Support
/// Accuracy-vs-N curves by subsampling: the fast engine.
///
/// For each problem and trial, one random permutation of the pool is drawn (partial Fisher-Yates,
/// only as long as the largest sampled N), and every N of the grid reads its prefix: the first N of
/// a uniform random permutation are a uniform N-subset drawn without replacement. Along the prefix
/// each sample adds to its group's count and score sums (one SIMD row for all aggregations) and
/// to the running best-of-N maximum; at each N of the grid one scan over the groups present finds
/// the majority and weighted winners. Ties are split as in ``Voting``. A trial of a problem costs
/// O(largest sampled N + grid size * groups present); the whole run is parallel over problems.
///
/// Credits are summed in fixed point (2^-40), so the sums are exact integers and the result does
/// not depend on the number of threads or on scheduling.

/// The N values of the curves and the number of trials at each.
struct CurveGrid: Sendable {
    var nValues: [Int]
    var trialsAt: [Int]

    /// N = 1, 2, 4, ... below `limit`, then `limit`; K trials where some pool is larger than N, else 1.
    init(limit: Int, largestPool: Int, trials: Int) {
        var n: [Int] = []
        var x = 1
        while x < limit { n.append(x); x *= 2 }
        n.append(limit)
        nValues = n
        trialsAt = n.map { $0 < largestPool ? trials : 1 }
    }
}

/// The layout of the credit slots: majority, pass@N, best-of-N per aggregation, weighted per aggregation.
struct MethodSlots: Sendable {
    var aggregations: Int
    var count: Int { 2 + 2 * aggregations }
    static let majority = 0, passAtN = 1
    func bestOfN(_ a: Int) -> Int { 2 + a }
    func weighted(_ a: Int) -> Int { 2 + aggregations + a }
}

/// Summed credits per level slot, trial, N and method slot, in units of 2^-40.  // (L, T, nN, M)
struct CreditSums: Sendable {
    static let scale = 1.0 * Double(1 << 40)
    var levels: Int, trials: Int, nCount: Int, slots: Int
    var values: [Int64]

    init(levels: Int, trials: Int, nCount: Int, slots: Int) {
        self.levels = levels; self.trials = trials; self.nCount = nCount; self.slots = slots
        values = [Int64](repeating: 0, count: levels * trials * nCount * slots)
    }

    @inline(__always)
    func offset(level: Int, trial: Int, n: Int) -> Int { ((level * trials + trial) * nCount + n) * slots }

    mutating func add(_ other: CreditSums) {
        for i in values.indices { values[i] &+= other.values[i] }
    }
}

enum CurveEngine {
    /// Runs all trials of all pools.
    /// - Parameters:
    ///   - levelSlot: the level slot of each pool (for the breakdown).
    ///   - aggregations: number of score columns of each pool (0 when unscored).
    static func run(pools: [ScoredPool], levelSlot: [Int], levels: Int, grid: CurveGrid, trials: Int, seed: UInt64,
                    aggregations: Int, threads: Int) -> CreditSums {
        let slots = MethodSlots(aggregations: aggregations)
        let maxPool = pools.map(\.size).max() ?? 0
        let maxGroups = pools.map(\.groupCount).max() ?? 0
        let workers = Swift.max(1, Swift.min(threads, pools.count))
        let partial = parallelWorkers(workers, items: pools.count) { next in
            var sums = CreditSums(levels: levels, trials: trials, nCount: grid.nValues.count, slots: slots.count)
            var state = TrialState(maxPool: maxPool, maxGroups: maxGroups, aggregations: aggregations)
            defer { state.release() }
            while let p = next() {
                state.runPool(pools[p], level: levelSlot[p], grid: grid, seed: seed, slots: slots, into: &sums)
            }
            return sums
        }
        var total = CreditSums(levels: levels, trials: trials, nCount: grid.nValues.count, slots: slots.count)
        for s in partial { total.add(s) }
        return total
    }
}

/// Scratch state of one worker: the permutation and the running tallies of one trial.
///
/// Per sample, only what is cheap happens: its group's count and weights grow (the aggregations
/// are the lanes of a SIMD vector, the rows of ``ScoredPool``), and best-of-N takes the slow path
/// only when some lane reaches a new maximum (rare after the first samples, so the branch predicts
/// well). Majority and weighted voting winners, with their ties, are found at each checkpoint N by
/// one scan over the groups present, which is exact and has no order subtleties.
private struct TrialState {
    typealias Lanes = SIMD8<Double>
    let perm: UnsafeMutablePointer<Int32>      // (maxPool)
    let counts: UnsafeMutablePointer<Int32>    // (maxGroups) samples per group
    let weights: UnsafeMutablePointer<Lanes>   // (maxGroups) score sum per group and aggregation
    let present: UnsafeMutablePointer<Int32>   // (maxGroups) groups with a sample, in order of arrival
    var presentCount = 0
    let aggregations: Int
    /// -inf in the aggregation lanes, +inf in the padding lanes (which must never reach a maximum,
    /// or the rare slow path below would run for every sample).
    let bestStart: Lanes
    var bestScore = Lanes(repeating: -.infinity) // best-of-N: highest score so far
    var bestTies = Lanes()                       // samples at that score
    var bestCorrect = Lanes()                    // correct samples at that score
    var anyCorrect = false

    init(maxPool: Int, maxGroups: Int, aggregations: Int) {
        precondition(aggregations <= Lanes.scalarCount)
        perm = .allocate(capacity: Swift.max(maxPool, 1))
        counts = .allocate(capacity: Swift.max(maxGroups, 1))
        counts.initialize(repeating: 0, count: Swift.max(maxGroups, 1))
        weights = .allocate(capacity: Swift.max(maxGroups, 1))
        weights.initialize(repeating: Lanes(), count: Swift.max(maxGroups, 1))
        present = .allocate(capacity: Swift.max(maxGroups, 1))
        self.aggregations = aggregations
        var start = Lanes(repeating: .infinity)
        for a in 0..<aggregations { start[a] = -.infinity }
        bestStart = start
    }

    func release() {
        perm.deallocate(); counts.deallocate(); weights.deallocate(); present.deallocate()
    }

    /// Every trial of one pool, plus the full pool when it is on the grid.
    mutating func runPool(_ pool: ScoredPool, level: Int, grid: CurveGrid, seed: UInt64, slots: MethodSlots,
                          into sums: inout CreditSums) {
        let size = pool.size
        let sampled = grid.nValues.filter { $0 < size }
        var rng = SeededGenerator(seed: seed, stream: pool.id)
        for i in 0..<size { perm[i] = Int32(i) }
        let scored = aggregations > 0
        pool.groupOf.withUnsafeBufferPointer { groupOf in
            pool.scores.withUnsafeBufferPointer { scores in
                let groupOf = groupOf.baseAddress!
                let rows = scores.baseAddress ?? UnsafePointer(weights) // unscored: never read
                if let longest = sampled.last {
                    for t in 0..<sums.trials {
                        reset()
                        // Draw the prefix first: the visits then have no dependency on the swaps
                        // and their loads overlap.
                        for i in 0..<longest {
                            let j = i + rng.below(size - i)
                            let s = perm[j]
                            perm[j] = perm[i]; perm[i] = s
                        }
                        var checkpoint = 0, next = sampled[0]
                        for i in 0..<longest {
                            visit(Int(perm[i]), groupOf: groupOf, rows: rows, scored: scored)
                            if i + 1 == next {
                                record(into: &sums, at: sums.offset(level: level, trial: t, n: checkpoint), slots: slots)
                                checkpoint += 1
                                next = checkpoint < sampled.count ? sampled[checkpoint] : 0
                            }
                        }
                    }
                }
                if sampled.count < grid.nValues.count, grid.nValues[sampled.count] == size {
                    // N = pool size: the whole pool, one deterministic evaluation, credited to every trial.
                    reset()
                    for s in 0..<size { visit(s, groupOf: groupOf, rows: rows, scored: scored) }
                    for t in 0..<grid.trialsAt[sampled.count] {
                        record(into: &sums, at: sums.offset(level: level, trial: t, n: sampled.count), slots: slots)
                    }
                }
                reset()
            }
        }
    }

    /// Clears the tallies of the groups present (the others are clear already).
    mutating func reset() {
        for k in 0..<presentCount {
            let g = Int(present[k])
            counts[g] = 0
            weights[g] = Lanes()
        }
        presentCount = 0
        bestScore = bestStart; bestTies = Lanes(); bestCorrect = Lanes()
        anyCorrect = false
    }

    /// Adds sample `s` to the running tallies.
    @inline(__always)
    mutating func visit(_ s: Int, groupOf: UnsafePointer<Int32>, rows: UnsafePointer<Lanes>, scored: Bool) {
        let g = Int(groupOf[s])
        if g < 0 { return } // no answer: counts among the N, never wins
        let c = counts[g]
        if c == 0 { present[presentCount] = Int32(g); presentCount &+= 1 }
        counts[g] = c &+ 1
        anyCorrect = anyCorrect || g == 0
        if !scored { return }
        let x = rows[s]
        weights[g] += x
        let reaches = x .>= bestScore
        if any(reaches) {
            let higher = x .> bestScore
            let right = Lanes(repeating: g == 0 ? 1 : 0), one = Lanes(repeating: 1), zero = Lanes()
            bestScore = bestScore.replacing(with: x, where: higher)
            bestTies = (bestTies + one.replacing(with: zero, where: .!reaches)).replacing(with: one, where: higher)
            bestCorrect = (bestCorrect + right.replacing(with: zero, where: .!reaches)).replacing(with: right, where: higher)
        }
    }

    /// Finds the majority and weighted-voting winners among the groups present and adds every
    /// method's credit at the current N to `sums` at `offset`.
    func record(into sums: inout CreditSums, at offset: Int, slots: MethodSlots) {
        @inline(__always) func fixed(_ correct: Double, _ ties: Double) -> Int64 {
            correct == 0 ? 0 : Int64(correct / ties * CreditSums.scale + 0.5) // rounded (positive)
        }
        // One pass over the groups present: the largest count and weight lanes, with their ties.
        var top: Int32 = 0, topTies = 0
        var heaviest = Lanes(repeating: -.infinity), ties = Lanes()
        let one = Lanes(repeating: 1), zero = Lanes()
        let scored = aggregations > 0
        for k in 0..<presentCount {
            let g = Int(present[k])
            let c = counts[g]
            topTies = c > top ? 1 : topTies + (c == top ? 1 : 0)
            top = Swift.max(top, c)
            if scored {
                let w = weights[g]
                let heavier = w .> heaviest
                ties = (ties + one.replacing(with: zero, where: w .!= heaviest)).replacing(with: one, where: heavier)
                heaviest = heaviest.replacing(with: w, where: heavier)
            }
        }
        let correctPresent = counts[0] > 0
        let majority = correctPresent && counts[0] == top ? 1.0 : 0.0
        sums.values.withUnsafeMutableBufferPointer { v in
            v[offset + MethodSlots.majority] &+= fixed(majority, Double(topTies))
            v[offset + MethodSlots.passAtN] &+= anyCorrect ? Int64(CreditSums.scale) : 0
            if !scored || presentCount == 0 { return }
            let correct = correctPresent ? one.replacing(with: zero, where: weights[0] .!= heaviest) : zero
            for a in 0..<aggregations {
                v[offset + slots.bestOfN(a)] &+= fixed(bestCorrect[a], bestTies[a])
                v[offset + slots.weighted(a)] &+= fixed(correct[a], ties[a])
            }
        }
    }
}
