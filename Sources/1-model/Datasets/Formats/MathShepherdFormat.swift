/// One Math-Shepherd record as published: `{input, label, task}`, where `input` is the question
/// followed by steps `Step k: ...` each ending in the tag "ки", and `label` is the same text with
/// every tag replaced by "+" (correct) or "-" (incorrect).
public struct MathShepherdRecord: Decodable, Sendable {
    public var input: String
    public var label: String
    /// "GSM8K" or "MATH".
    public var task: String?

    /// The step tag of Math-Shepherd.
    public static let tag = "ки"

    /// The labelled solution: the question is the text before `Step 1:`, steps lose their `Step k:` prefix, and a final "The answer is: X" becomes
    /// an answer step `# Answer\n\nX` carrying the last step's label (the text before it, if
    /// any, stays a step with the same label).
    /// - Throws: ``FieldError`` when there are no tags or no `Step 1:`, or `label` does not
    ///   match `input`.
    public func labelledSolution(problemID: String) throws -> LabelledSolution {
        let inp = Array(input.unicodeScalars), lab = Array(label.unicodeScalars)
        let tag = Array(Self.tag.unicodeScalars)
        var segments: [String] = []
        var labels: [Bool] = []
        var start = 0, i = 0, j = 0  // i walks input, j walks label
        while i < inp.count {
            if i + tag.count <= inp.count, Array(inp[i..<(i + tag.count)]) == tag {
                guard j < lab.count, lab[j] == "+" || lab[j] == "-" else {
                    throw FieldError(field: "label", "expected '+' or '-' where input has 'ки' (step \(segments.count + 1))")
                }
                segments.append(Self.string(inp[start..<i]))
                labels.append(lab[j] == "+")
                i += tag.count; j += 1; start = i
                continue
            }
            guard j < lab.count, lab[j] == inp[i] else {
                throw FieldError(field: "label", "differs from 'input' at character \(j + 1)")
            }
            i += 1; j += 1
        }
        guard !segments.isEmpty else { throw FieldError(field: "input", "no step tag 'ки'") }

        // The question precedes "Step 1:" in the first segment.
        guard let r = segments[0].range(of: "Step 1:") else {
            throw FieldError(field: "input", "no 'Step 1:' after the question")
        }
        let question = String(segments[0][..<r.lowerBound]).trimmingSpaces
        segments[0] = String(segments[0][r.lowerBound...])
        var steps = segments.map(Self.stripStepPrefix)

        if let last = steps.last, let r = last.range(of: "The answer is:", options: .backwards) {
            let answer = String(last[r.upperBound...]).trimmingSpaces
            let before = String(last[..<r.lowerBound]).trimmingSpaces
            let lastLabel = labels[labels.count - 1]
            steps.removeLast(); labels.removeLast()
            if !before.isEmpty { steps.append(before); labels.append(lastLabel) }
            steps.append(SolutionFormat.answerStep(answer)); labels.append(lastLabel)
        }
        return LabelledSolution(problemID: problemID, problem: question, steps: steps, labels: labels,
                                subject: task)
    }

    private static func stripStepPrefix(_ s: String) -> String {
        var t = Substring(s.trimmingSpaces)
        if t.hasPrefix("Step "), let colon = t.firstIndex(of: ":"),
           t[t.index(t.startIndex, offsetBy: 5)..<colon].allSatisfy(\.isNumber) {
            t = t[t.index(after: colon)...]
        }
        return String(t).trimmingSpaces
    }

    private static func string(_ s: ArraySlice<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }
}
