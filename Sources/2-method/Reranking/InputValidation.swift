/// Semantic checks of a ``RerankInput`` and the canonical order of problems and pools.

/// A problem that passed validation, with its pool in canonical order.
struct ValidatedProblem: Sendable {
    var id: String
    var level: Int?
    var answer: String
    /// Indices into `RerankInput.samples`, sorted by `sampleIndex` (the canonical pool order).
    var samples: [Int]
}

/// The input after validation: problems sorted by id, pools sorted by sample index.
struct ValidatedInput: Sendable {
    var problems: [ValidatedProblem]
    var problemsInFile: Int
    var samplesInFile: Int
    var hasScores: Bool
    var hasLabels: Bool
    var skipped: [String: Int]
    var skippedExamples: [String]
}

extension ValidatedInput {
    /// Validates `input`: duplicate problems, unknown problem ids, duplicate sample indices, samples
    /// without `answer` and `output`, empty or non-finite step scores, mixed scored/unscored samples,
    /// step labels whose length does not match the scores.
    /// - Throws: ``RerankError/invalidRecord(file:line:message:)`` for the first invalid record,
    ///   unless `skipInvalid` (then invalid records are dropped and counted).
    init(_ input: RerankInput, skipInvalid: Bool) throws {
        var log = IssueLog(skipInvalid: skipInvalid)
        log.counts = input.skipped
        log.examples = input.skippedExamples

        var index: [String: Int] = [:]
        var problems: [ValidatedProblem] = []
        for (k, p) in input.problems.enumerated() {
            let line = p.line ?? k + 1
            if let first = index[p.id] {
                try log.report(.duplicateProblem, file: input.problemsSource, line: line,
                               "duplicate problem id \"\(p.id)\" (first at line \(input.problems[first].line ?? first + 1))")
                continue
            }
            if p.answer.allSatisfy(\.isWhitespace) {
                try log.report(.missingField, file: input.problemsSource, line: line, "problem \"\(p.id)\" has an empty answer")
                continue
            }
            index[p.id] = problems.count
            problems.append(ValidatedProblem(id: p.id, level: p.level, answer: p.answer, samples: []))
        }

        let anyScores = input.samples.contains { $0.stepScores != nil }
        var firstScored = 0
        if anyScores, let f = input.samples.firstIndex(where: { $0.stepScores != nil }) {
            firstScored = input.samples[f].line ?? f + 1
        }
        var hasLabels = false
        let file = input.samplesSource
        for (k, s) in input.samples.enumerated() {
            let line = s.line ?? k + 1
            guard let p = index[s.problemID] else {
                try log.report(.unknownProblem, file: file, line: line,
                               "problem_id \"\(s.problemID)\" is not in \(input.problemsSource)")
                continue
            }
            if s.output == nil && s.answer == nil {
                try log.report(.noAnswerField, file: file, line: line,
                               "sample has neither \"answer\" nor \"output\"; give at least one of them")
                continue
            }
            if let scores = s.stepScores {
                if scores.isEmpty {
                    try log.report(.emptyStepScores, file: file, line: line,
                                   "step_scores is empty; expected one logit per step plus the final answer's")
                    continue
                }
                if let bad = scores.firstIndex(where: { !$0.isFinite }) {
                    try log.report(.nonFiniteScore, file: file, line: line,
                                   "step_scores[\(bad)] is \(scores[bad]); scores must be finite logits")
                    continue
                }
            } else if anyScores {
                try log.report(.missingStepScores, file: file, line: line,
                               "sample has no step_scores while others do (line \(firstScored)); score every sample or none")
                continue
            }
            if let labels = s.stepLabels {
                let n = s.stepScores?.count
                if labels.isEmpty || (n != nil && labels.count != n! && labels.count != n! - 1) {
                    try log.report(.badStepLabels, file: file, line: line,
                                   "step_labels has \(labels.count) entries; expected one per step score (\(n ?? 0)) or one fewer")
                    continue
                }
                if n != nil { hasLabels = true }
            }
            problems[p].samples.append(k)
        }
        // Canonical pool order, then duplicates (adjacent after sorting; the later record is the duplicate).
        let sampleIndex = input.samples.map(\.sampleIndex)
        for p in problems.indices {
            problems[p].samples.sort {
                let a = sampleIndex[$0], b = sampleIndex[$1]
                return a != b ? a < b : $0 < $1
            }
            var kept: [Int] = []
            kept.reserveCapacity(problems[p].samples.count)
            for k in problems[p].samples {
                if let last = kept.last, sampleIndex[last] == sampleIndex[k] {
                    let s = input.samples[k]
                    try log.report(.duplicateSample, file: file, line: s.line ?? k + 1,
                                   "duplicate sample_index \(s.sampleIndex) for problem \"\(s.problemID)\" (first at line \(input.samples[last].line ?? last + 1))")
                    continue
                }
                kept.append(k)
            }
            problems[p].samples = kept
        }
        problems.sort { $0.id < $1.id }
        self.init(problems: problems, problemsInFile: input.problems.count, samplesInFile: input.samples.count,
                  hasScores: anyScores, hasLabels: hasLabels, skipped: log.counts, skippedExamples: log.examples)
    }
}
