/// One labelled solution of PRM800K (`phase{1,2}_{train,test}.jsonl`), as published.
///
/// Only the fields the conversions need are read; others (labeler, timestamp, generation,
/// pre_generated_*) are ignored.
public struct PRM800KRecord: Decodable, Sendable {
    public var question: Question
    public var label: Label

    public struct Question: Decodable, Sendable {
        public var problem: String
        public var groundTruthAnswer: String?
        enum CodingKeys: String, CodingKey { case problem, groundTruthAnswer = "ground_truth_answer" }
    }

    public struct Label: Decodable, Sendable {
        public var steps: [Step]
        /// "solution", "found_error", "give_up", "bad_problem".
        public var finishReason: String?
        enum CodingKeys: String, CodingKey { case steps, finishReason = "finish_reason" }
    }

    public struct Step: Decodable, Sendable {
        public var completions: [Completion]
        public var humanCompletion: Completion?
        public var chosenCompletion: Int?
        enum CodingKeys: String, CodingKey {
            case completions, humanCompletion = "human_completion", chosenCompletion = "chosen_completion"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            completions = try c.decodeIfPresent([Completion].self, forKey: .completions) ?? []
            humanCompletion = try c.decodeIfPresent(Completion.self, forKey: .humanCompletion)
            chosenCompletion = try c.decodeIfPresent(Int.self, forKey: .chosenCompletion)
            if let i = chosenCompletion, !completions.indices.contains(i) {
                let range = completions.isEmpty ? "this step has no completions" : "0...\(completions.count - 1)"
                throw FieldError(field: RecordReader.fieldPath(decoder.codingPath + [CodingKeys.chosenCompletion]),
                                 "chosen_completion \(i) is out of range (\(range))")
            }
        }

        /// The completion the labelled walk continues with: `chosen_completion`, else
        /// `human_completion`, else a lone completion; nil when the walk stops here.
        public var next: (completion: Completion, isHuman: Bool)? {
            if let i = chosenCompletion, completions.indices.contains(i) { return (completions[i], false) }
            if let h = humanCompletion { return (h, true) }
            return completions.count == 1 ? (completions[0], false) : nil
        }
    }

    public struct Completion: Decodable, Sendable {
        public var text: String
        /// -1, 0, +1, or nil (unrated, e.g. a human completion).
        public var rating: Int?
        public var flagged: Bool?
        /// "human" for a labeller-written step.
        public var source: String?

        enum CodingKeys: String, CodingKey { case text, rating, flagged, source }

        public init(text: String, rating: Int?, flagged: Bool? = nil, source: String? = nil) {
            self.text = text; self.rating = rating; self.flagged = flagged; self.source = source
        }

        /// Ratings are -1, 0, +1 or null; anything else is refused naming the field.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            text = try c.decode(String.self, forKey: .text)
            flagged = try c.decodeIfPresent(Bool.self, forKey: .flagged)
            source = try c.decodeIfPresent(String.self, forKey: .source)
            if let value = try c.decodeIfPresent(Double.self, forKey: .rating) {
                guard value == -1 || value == 0 || value == 1 else {
                    throw FieldError(field: RecordReader.fieldPath(decoder.codingPath + [CodingKeys.rating]),
                                     "rating must be -1, 0, 1 or null; found \(value.formatted)")
                }
                rating = Int(value)
            } else {
                rating = nil
            }
        }
    }
}

/// Counts of what a PRM800K conversion kept and dropped.
public struct PRM800KConversionCounts: Equatable, Sendable {
    /// Completions with a null rating (not turned into PRM records).
    public var unratedCompletions = 0
    /// Labelled solutions not turned into an SFT record, by reason.
    public var rejectedSolutions: [String: Int] = [:]
    /// Records with nothing to convert (`steps: []`, or a first step without completions).
    public var emptyRecords = 0
    public init() {}
}

extension PRM800KRecord {
    /// Whether the record has nothing to convert: no steps, or a first step with neither
    /// completions nor a human completion.
    public var isEmpty: Bool {
        guard let first = label.steps.first else { return true }
        return first.completions.isEmpty && first.humanCompletion == nil
    }

    /// The steps of the labelled walk (`chosen_completion`, else `human_completion`, else a lone
    /// completion), in order, until a step has no continuation.
    public var walk: [(completion: Completion, isHuman: Bool)] {
        var out: [(completion: Completion, isHuman: Bool)] = []
        for step in label.steps {
            guard let c = step.next else { break }
            out.append(c)
        }
        return out
    }

    /// One PRM record per rated completion of every step (paper: label 1 if rating >= 0, else 0;
    /// neutral counts as positive). The prefix is the walk so far, each step + "\n\n".
    /// Completions with a null rating are skipped and counted in `counts`.
    public func prmRecords(counts: inout PRM800KConversionCounts) -> [PRMRecord] {
        var out: [PRMRecord] = []
        var prefix = ""
        for step in label.steps {
            for c in step.completions {
                guard let r = c.rating else { counts.unratedCompletions += 1; continue }
                out.append(PRMRecord(input: question.problem, outputPrefix: prefix,
                                     output: c.text + "\n\n", label: r >= 0 ? 1 : 0))
            }
            guard let next = step.next else { break }
            prefix += next.completion.text + "\n\n"
        }
        return out
    }

    /// The walk with its labels (rating >= 0 or human-written = correct) in TRL's layout.
    public func labelledWalk(problemID: String = "") -> LabelledSolution {
        let w = walk
        return LabelledSolution(problemID: problemID, problem: question.problem, steps: w.map(\.completion.text),
                                labels: w.map { $0.isHuman || ($0.completion.rating ?? -1) >= 0 })
    }

    /// The SFT demonstration of this record, or nil (reason counted) unless the walk ends with an
    /// answer (`# Answer`) and every step on it is human-written or rated at least
    /// `minimumRating` (default +1: only positively rated steps).
    public func sftRecord(problemID: String = "", minimumRating: Int = 1,
                          counts: inout PRM800KConversionCounts) -> SolutionRecord? {
        func reject(_ reason: String) -> SolutionRecord? {
            counts.rejectedSolutions[reason, default: 0] += 1
            return nil
        }
        let w = walk
        guard !w.isEmpty else { return reject("no steps") }
        for step in w where !step.isHuman && (step.completion.rating ?? Int.min) < minimumRating {
            return reject("a step rated below \(minimumRating) or unrated")
        }
        let last = SolutionFormat.parseCompletion(w[w.count - 1].completion.text)
        guard let answer = last.answer else { return reject("no '# Answer' step") }
        let steps = w.dropLast().map { $0.completion.text.trimmingSpaces } + last.steps
        return SolutionRecord(problemID: problemID, problem: question.problem, steps: steps, answer: answer)
    }
}

extension Double {
    /// The value as JSON would write it (`0.5`, `2`, `nan`).
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
