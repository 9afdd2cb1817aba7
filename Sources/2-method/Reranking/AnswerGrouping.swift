/// Groups the answers of each pool by grader equivalence, once per distinct answer string.

/// The answer groups of one problem's pool.
struct GroupedPool: Sendable {
    /// Group of each pool sample (canonical order): -1 = no answer, 0 = the gold answer's group
    /// (correct), 1... = other groups.  // (P)
    var groupOf: [Int32]
    /// Number of groups including group 0 (which may have no members).
    var groupCount: Int
    /// Distinct answer strings in the pool.
    var distinctAnswers: Int
    /// Calls of the full equivalence check (beyond key matches).
    var comparisons: Int
}

/// Groups one pool.
///
/// Distinct answer strings are visited by decreasing count, then by string, so the result does
/// not depend on sample order. The gold answer seeds group 0. Each answer joins the group of an
/// answer with the same key, else the first group (0 first) whose representative (its first
/// member, the most frequent form) is equivalent to it, else founds a new group. Equivalence
/// checks compare against representatives only, so a non-transitive grader cannot chain groups.
func groupPool<E: AnswerEquivalence>(_ problem: ValidatedProblem, samples: [RerankSample], equivalence: E) -> GroupedPool {
    // Answer text of each sample (nil = none): the `answer` field wins over extraction.
    var texts: [String?] = []
    texts.reserveCapacity(problem.samples.count)
    var counts: [String: Int] = [:]
    for k in problem.samples {
        let s = samples[k]
        let text: String?
        if let a = s.answer { text = a } else if let o = s.output { text = equivalence.extract(fromOutput: o, cutAtTokenLimit: s.cutAtTokenLimit) } else { text = nil }
        texts.append(text)
        if let t = text { counts[t, default: 0] += 1 }
    }
    let distinct = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }

    var representatives: [E.Parsed] = []
    var groupOfKey: [String: Int32] = [:]
    var groupOfText: [String: Int32] = [:]
    var comparisons = 0
    if let gold = equivalence.parse(problem.answer) {
        representatives.append(gold)
        groupOfKey[equivalence.key(gold)] = 0
    }
    let hasGold = !representatives.isEmpty
    for (text, _) in distinct {
        guard let parsed = equivalence.parse(text) else { groupOfText[text] = -1; continue }
        let key = equivalence.key(parsed)
        if let g = groupOfKey[key] { groupOfText[text] = g; continue }
        var found: Int32 = -1
        for (g, rep) in representatives.enumerated() {
            comparisons += 1
            if equivalence.equivalent(rep, parsed) { found = Int32(g); break }
        }
        if found < 0 {
            found = Int32(representatives.count)
            representatives.append(parsed)
        }
        groupOfKey[key] = found
        groupOfText[text] = found
    }
    // Without a parsable gold answer, no group is correct: shift so that group 0 stays empty.
    let shift: Int32 = hasGold ? 0 : 1
    let groupOf = texts.map { t -> Int32 in
        guard let t, let g = groupOfText[t], g >= 0 else { return -1 }
        return g + shift
    }
    return GroupedPool(groupOf: groupOf, groupCount: representatives.count + Int(shift),
                       distinctAnswers: distinct.count, comparisons: comparisons)
}
