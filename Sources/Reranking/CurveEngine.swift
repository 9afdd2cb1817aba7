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
/// Raw buffers (allocated once per worker, freed by ``release()``) keep the per-sample loop free of
/// copy-on-write checks: it is the hot loop of the whole run.
private struct TrialState {
    let perm: UnsafeMutablePointer<Int32>          // (maxPool)
    let counts: UnsafeMutablePointer<Int32>        // (maxGroups)
    let weights: UnsafeMutablePointer<Double>      // (maxGroups, A)
    let bestScore: UnsafeMutablePointer<Double>    // (A) best-of-N: highest score so far
    let bestTies: UnsafeMutablePointer<Int32>      // (A) samples at that score
    let bestCorrect: UnsafeMutablePointer<Int32>   // (A) correct samples at that score
    let heaviest: UnsafeMutablePointer<Double>     // (A) weighted voting: largest group weight so far
    let heavyTies: UnsafeMutablePointer<Int32>     // (A) groups at that weight
    let heavyCorrect: UnsafeMutablePointer<Int32>  // (A) correct groups at that weight (0 or 1)
    let aggregations: Int
    var majorityTop: Int32 = 0, majorityTies: Int32 = 0, majorityCorrect: Int32 = 0
    var anyCorrect = false

    init(maxPool: Int, maxGroups: Int, aggregations: Int) {
        let A = Swift.max(aggregations, 1)
        perm = .allocate(capacity: Swift.max(maxPool, 1))
        counts = .allocate(capacity: Swift.max(maxGroups, 1))
        weights = .allocate(capacity: Swift.max(maxGroups, 1) * A)
        bestScore = .allocate(capacity: A); bestTies = .allocate(capacity: A); bestCorrect = .allocate(capacity: A)
        heaviest = .allocate(capacity: A); heavyTies = .allocate(capacity: A); heavyCorrect = .allocate(capacity: A)
        self.aggregations = aggregations
    }

    func release() {
        perm.deallocate(); counts.deallocate(); weights.deallocate()
        bestScore.deallocate(); bestTies.deallocate(); bestCorrect.deallocate()
        heaviest.deallocate(); heavyTies.deallocate(); heavyCorrect.deallocate()
    }

    /// Every trial of one pool, plus the full pool when it is on the grid.
    mutating func runPool(_ pool: ScoredPool, level: Int, grid: CurveGrid, seed: UInt64, slots: MethodSlots,
                          into sums: inout CreditSums) {
        let size = pool.size
        let sampled = grid.nValues.filter { $0 < size }
        var rng = Xoshiro256(seed: seed, stream: pool.id)
        for i in 0..<size { perm[i] = Int32(i) }
        pool.groupOf.withUnsafeBufferPointer { groupOf in
            pool.scores.withUnsafeBufferPointer { scores in
                let groupOf = groupOf.baseAddress!, scores = scores.baseAddress ?? UnsafePointer(weights)
                if let longest = sampled.last {
                    for t in 0..<sums.trials {
                        reset(groups: pool.groupCount)
                        var checkpoint = 0, next = sampled[0]
                        for i in 0..<longest {
                            let j = i + rng.below(size - i)
                            let s = perm[j]
                            perm[j] = perm[i]; perm[i] = s
                            visit(Int(s), groupOf: groupOf, scores: scores)
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
                    reset(groups: pool.groupCount)
                    for s in 0..<size { visit(s, groupOf: groupOf, scores: scores) }
                    for t in 0..<grid.trialsAt[sampled.count] {
                        record(into: &sums, at: sums.offset(level: level, trial: t, n: sampled.count), slots: slots)
                    }
                }
            }
        }
    }

    mutating func reset(groups: Int) {
        counts.update(repeating: 0, count: groups)
        weights.update(repeating: 0, count: groups * aggregations)
        bestScore.update(repeating: -.infinity, count: aggregations)
        heaviest.update(repeating: -.infinity, count: aggregations)
        for p in [bestTies, bestCorrect, heavyTies, heavyCorrect] { p.update(repeating: 0, count: aggregations) }
        majorityTop = 0; majorityTies = 0; majorityCorrect = 0
        anyCorrect = false
    }

    /// Adds sample `s` to the running tallies.
    @inline(__always)
    mutating func visit(_ s: Int, groupOf: UnsafePointer<Int32>, scores: UnsafePointer<Double>) {
        let g = Int(groupOf[s])
        if g < 0 { return } // no answer: counts among the N, never wins
        let correct: Int32 = g == 0 ? 1 : 0
        if g == 0 { anyCorrect = true }
        let c = counts[g] &+ 1
        counts[g] = c
        if c > majorityTop { majorityTop = c; majorityTies = 1; majorityCorrect = correct }
        else if c == majorityTop { majorityTies &+= 1; majorityCorrect &+= correct }
        let A = aggregations
        let row = scores + s * A, w = weights + g * A
        for a in 0..<A {
            let x = row[a]
            if x >= bestScore[a] {
                if x > bestScore[a] { bestScore[a] = x; bestTies[a] = 1; bestCorrect[a] = correct }
                else { bestTies[a] &+= 1; bestCorrect[a] &+= correct }
            }
            let old = w[a]
            let new = old + x
            w[a] = new
            if new >= heaviest[a] && (c == 1 || new != old) { // an unchanged weight is already counted in any tie
                if new > heaviest[a] { heaviest[a] = new; heavyTies[a] = 1; heavyCorrect[a] = correct }
                else { heavyTies[a] &+= 1; heavyCorrect[a] &+= correct }
            }
        }
    }

    /// Adds the credits at the current N to `sums` at `offset`.
    @inline(__always)
    func record(into sums: inout CreditSums, at offset: Int, slots: MethodSlots) {
        @inline(__always) func fixed(_ correct: Int32, _ ties: Int32) -> Int64 {
            correct == 0 ? 0 : Int64((Double(correct) / Double(ties) * CreditSums.scale).rounded())
        }
        sums.values.withUnsafeMutableBufferPointer { v in
            v[offset + MethodSlots.majority] &+= fixed(majorityCorrect, majorityTies)
            v[offset + MethodSlots.passAtN] &+= anyCorrect ? Int64(CreditSums.scale) : 0
            for a in 0..<aggregations {
                v[offset + slots.bestOfN(a)] &+= fixed(bestCorrect[a], bestTies[a])
                v[offset + slots.weighted(a)] &+= fixed(heavyCorrect[a], heavyTies[a])
            }
        }
    }
}
