// The only supervision of the method: the benchmark's step checker applied to policy samples of
// problems whose level the run may label. Asking for labels on any other level is an error, so a
// hard-level label cannot reach the easy-to-hard reward models by accident.

import Datasets
import Training

/// Adds checker labels (`step_labels`, `correct`) to samples.
///
/// - Parameters:
///   - allowedLevels: levels whose labels may be used; a sample of another level throws.
/// - Throws: `ExperimentError.leakedLabels` naming the first sample of a level not allowed.
public func labelSamples(_ samples: [SampleRecord], problems: [String: Problem], allowedLevels: Set<Int>) throws -> [SampleRecord] {
    let checker = StepChecker()
    return try samples.map { sample in
        guard let problem = problems[sample.problemID] else {
            throw ExperimentError.invalid("sample of unknown problem \(sample.problemID)")
        }
        guard allowedLevels.contains(problem.level) else {
            throw ExperimentError.leakedLabels(
                "problem \(problem.id) is level \(problem.level); labels are allowed only on levels \(allowedLevels.sorted())")
        }
        var labelled = sample
        let result = try checker.check(problem: problem.problem, completion: sample.output)
        labelled.stepLabels = result.labels.map { $0 ? 1 : 0 }
        labelled.correct = result.answerCorrect
        return labelled
    }
}

/// Correctness of final answers by the grader, for evaluation (any level).
public func gradeSamples(_ samples: [SampleRecord], problems: [String: Problem]) -> [SampleRecord] {
    samples.map { sample in
        var graded = sample
        if let problem = problems[sample.problemID] {
            graded.correct = sample.answer.map { Grading.grade(gold: problem.answer, predicted: $0).isEqual } ?? false
        }
        return graded
    }
}

import Grading
