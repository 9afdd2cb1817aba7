/// Accuracy-vs-N curves by subsampling: the fast engine.
///
/// For each problem and trial, one random permutation of the pool is drawn (partial Fisher-Yates,
/// only as long as the largest sampled N), and every N of the grid reads its prefix: the first N of
/// a uniform random permutation are a uniform N-subset drawn without replacement. Counts, weights
/// and maxima only grow along the prefix, so each method's winner is updated in O(A) per sample
/// and read at each N in O(1); ties are split as in ``Voting``. A trial of a problem costs
/// O(max N * A); the whole run O(problems * trials * max N * A), parallel over problems.
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
private struct TrialState {
    var perm: [Int32]          // (maxPool)
    var counts: [Int32]        // (maxGroups)
    var weights: [Double]      // (maxGroups, A)
    var bestScore: [Double]    // (A) best-of-N: highest score so far
    var bestTies: [Int32]      // (A) samples at that score
    var bestCorrect: [Int32]   // (A) correct samples at that score
    var heaviest: [Double]     // (A) weighted voting: largest group weight so far
    var heavyTies: [Int32]     // (A) groups at that weight
    var heavyCorrect: [Int32]  // (A) correct groups at that weight (0 or 1)
    var aggregations: Int

    init(maxPool: Int, maxGroups: Int, aggregations: Int) {
        perm = [Int32](repeating: 0, count: maxPool)
        counts = [Int32](repeating: 0, count: maxGroups)
        weights = [Double](repeating: 0, count: maxGroups * aggregations)
        bestScore = [Double](repeating: 0, count: aggregations)
        bestTies = [Int32](repeating: 0, count: aggregations)
        bestCorrect = bestTies
        heaviest = bestScore
        heavyTies = bestTies
        heavyCorrect = bestTies
        self.aggregations = aggregations
    }

    /// Every trial of one pool, plus the full pool when it is on the grid.
    mutating func runPool(_ pool: ScoredPool, level: Int, grid: CurveGrid, seed: UInt64, slots: MethodSlots,
                          into sums: inout CreditSums) {
        let size = pool.size
        let sampled = grid.nValues.filter { $0 < size }
        var rng = Xoshiro256(seed: seed, stream: pool.id)
        for i in 0..<size { perm[i] = Int32(i) }
        if let longest = sampled.last {
            for t in 0..<sums.trials {
                reset(groups: pool.groupCount)
                var checkpoint = 0
                for i in 0..<longest {
                    let j = i + rng.below(size - i)
                    perm.swapAt(i, j)
                    visit(Int(perm[i]), pool)
                    if i + 1 == sampled[checkpoint] {
                        record(into: &sums, at: sums.offset(level: level, trial: t, n: checkpoint), slots: slots)
                        checkpoint += 1
                    }
                }
            }
        }
        if sampled.count < grid.nValues.count, grid.nValues[sampled.count] == size {
            // N = pool size: the whole pool, one deterministic evaluation, credited to every trial.
            reset(groups: pool.groupCount)
            for s in 0..<size { visit(s, pool) }
            for t in 0..<grid.trialsAt[sampled.count] {
                record(into: &sums, at: sums.offset(level: level, trial: t, n: sampled.count), slots: slots)
            }
        }
    }

    private var majorityTop: Int32 = 0, majorityTies: Int32 = 0, majorityCorrect: Int32 = 0
    private var anyCorrect = false

    mutating func reset(groups: Int) {
        for g in 0..<groups { counts[g] = 0 }
        for i in 0..<(groups * aggregations) { weights[i] = 0 }
        for a in 0..<aggregations {
            bestScore[a] = -.infinity; bestTies[a] = 0; bestCorrect[a] = 0
            heaviest[a] = -.infinity; heavyTies[a] = 0; heavyCorrect[a] = 0
        }
        majorityTop = 0; majorityTies = 0; majorityCorrect = 0
        anyCorrect = false
    }

    /// Adds sample `s` to the running tallies.
    @inline(__always)
    mutating func visit(_ s: Int, _ pool: ScoredPool) {
        let g = Int(pool.groupOf[s])
        if g < 0 { return } // no answer: counts among the N, never wins
        let correct: Int32 = g == 0 ? 1 : 0
        if g == 0 { anyCorrect = true }
        let c = counts[g] &+ 1
        counts[g] = c
        if c > majorityTop { majorityTop = c; majorityTies = 1; majorityCorrect = correct }
        else if c == majorityTop { majorityTies &+= 1; majorityCorrect &+= correct }
        let A = aggregations
        if A == 0 { return }
        pool.scores.withUnsafeBufferPointer { scores in
            let row = s * A, w0 = g * A
            for a in 0..<A {
                let x = scores[row + a]
                if x > bestScore[a] { bestScore[a] = x; bestTies[a] = 1; bestCorrect[a] = correct }
                else if x == bestScore[a] { bestTies[a] &+= 1; bestCorrect[a] &+= correct }
                let old = weights[w0 + a]
                let w = old + x
                weights[w0 + a] = w
                if c > 1 && w == old { continue } // weight unchanged: already counted in any tie
                if w > heaviest[a] { heaviest[a] = w; heavyTies[a] = 1; heavyCorrect[a] = correct }
                else if w == heaviest[a] { heavyTies[a] &+= 1; heavyCorrect[a] &+= correct }
            }
        }
    }

    /// Adds the credits at the current N to `sums` at `offset`.
    @inline(__always)
    mutating func record(into sums: inout CreditSums, at offset: Int, slots: MethodSlots) {
        @inline(__always) func fixed(_ correct: Int32, _ ties: Int32) -> Int64 {
            correct == 0 ? 0 : Int64((Double(correct) / Double(ties) * CreditSums.scale).rounded())
        }
        sums.values[offset + MethodSlots.majority] &+= fixed(majorityCorrect, majorityTies)
        sums.values[offset + MethodSlots.passAtN] &+= anyCorrect ? Int64(CreditSums.scale) : 0
        for a in 0..<aggregations {
            sums.values[offset + slots.bestOfN(a)] &+= fixed(bestCorrect[a], bestTies[a])
            sums.values[offset + slots.weighted(a)] &+= fixed(heavyCorrect[a], heavyTies[a])
        }
    }
}
