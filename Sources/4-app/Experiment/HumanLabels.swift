// Human step labels as reward-model data (issue: "step labels without a step checker"): records
// of PRM800K or Math-Shepherd converted by `e2h data convert --to labelled` become labelled samples
// for the same reward stage as the checker's labels, under the same leak guard (levels).

import Datasets
import Foundation
import Training
import Transformer

/// Labelled solutions as (problems, labelled samples) for ``trainRewardStage``.
///
/// A step's blank lines become single newlines, so that each labelled step stays one step of the
/// paper's format; a last step that is PRM800K's answer section (`# Answer\n\n42`) becomes the
/// answer, its label the outcome.
/// - Throws: `ExperimentError.leakedLabels` for a record of a level outside `allowedLevels` or of
///   no known level (PRM800K needs `--levels-from` at conversion), naming file and line.
func labelledSamples(from path: String, allowedLevels: Set<Int>) throws -> (problems: [String: Problem], samples: [SampleRecord]) {
    var problems: [String: Problem] = [:], samples: [SampleRecord] = []
    _ = try RecordReader.read(LabelledSolution.self, from: path, options: ReadOptions(strict: true)) { record, location in
        guard let level = record.level else {
            throw ExperimentError.leakedLabels("\(location.file):\(location.line): the record has no level, so the levels "
                + "\(allowedLevels.sorted()) cannot be enforced (convert PRM800K with --levels-from math_splits files)")
        }
        guard allowedLevels.contains(level) else {
            throw ExperimentError.leakedLabels("\(location.file):\(location.line): level \(level); labels are allowed only on "
                + "levels \(allowedLevels.sorted())")
        }
        var steps = record.steps.map { $0.replacingOccurrences(of: "\n\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        var labels = record.labels
        var answer: String?, outcome: Bool?
        if let last = record.steps.last, last.hasPrefix(SolutionFormat.answerMarker) {
            answer = String(last.dropFirst(SolutionFormat.answerMarker.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            outcome = labels.last
            steps.removeLast(); labels.removeLast()
        }
        guard !steps.isEmpty, !steps.contains(where: \.isEmpty) else {
            throw ExperimentError.invalid("\(location.file):\(location.line): steps: an empty step")
        }
        let id = record.problemID.isEmpty ? "\(location.file):\(location.line)" : record.problemID
        problems[id] = Problem(id: id, problem: record.problem, level: level, subject: record.subject ?? "", answer: answer ?? "")
        let completion = answer.map { SolutionFormat.completion(steps: steps, answer: $0) }
            ?? steps.joined(separator: SolutionFormat.stepSeparator)
        samples.append(SampleRecord(problemID: id, sampleIndex: samples.count, output: completion, answer: answer, steps: steps,
                                    finishReason: "stop", stepLabels: labels.map { $0 ? 1 : 0 } + (outcome.map { [$0 ? 1 : 0] } ?? []),
                                    correct: outcome))
    }
    return (problems, samples)
}

/// `e2h train reward --labelled FILE`: a PRM (or OPRM, where answers are labelled) from human or
/// Monte-Carlo step labels of `allowedLevels` only.
public func trainRewardModelFromLabels(kind: RewardKind, labelled: String, allowedLevels: Set<Int>, initialModel: URL, out: URL,
                                       trainer: TrainerConfig, quiet: Bool = false, log: (String) -> Void) throws {
    let (problems, samples) = try labelledSamples(from: labelled, allowedLevels: allowedLevels)
    guard !samples.isEmpty else { throw ExperimentError.invalid("\(labelled): no labelled solution") }
    if kind != .prm, !samples.contains(where: { $0.correct != nil }) {
        throw ExperimentError.invalid("\(labelled): no record labels an answer (`# Answer` step), so there is no outcome to train an \(kind.rawValue.uppercased()) on; use --kind prm")
    }
    try trainRewardStage(kind: kind, samples: samples, problems: problems, base: initialModel, out: out, trainer: trainer,
                         exampleSeed: trainer.seed, splitSeed: trainer.seed &+ 1, label: kind.rawValue, quiet: quiet) { count in
        log("\(kind.rawValue.uppercased()): \(count) examples from \(samples.count) labelled solutions "
            + "(levels \(allowedLevels.sorted())), a tenth held out for validation")
    }
    log("saved \(out.path)/\(TransformerModel.weightsFileName)")
}
