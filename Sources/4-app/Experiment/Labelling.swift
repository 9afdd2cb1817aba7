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

/// How many of a group's problems the policy solved *soundly*: with a sample whose every step the
/// checker accepts and whose answer is right. Evaluation only (any level): it tells a real solution
/// from a right answer reached by wrong steps, which pass@N alone cannot.
public struct SoundSolutions: Codable, Sendable, Equatable {
    public var group: String
    public var problems: Int
    /// Problems with at least one fully correct sample (pass@N of sound solutions).
    public var solvedSoundly: Int
    /// Samples with the right answer, and those among them whose every step is right.
    public var correctAnswers: Int
    public var correctAnswersWithSoundSteps: Int

    public init(group: String, problems: Int, solvedSoundly: Int, correctAnswers: Int, correctAnswersWithSoundSteps: Int) {
        self.group = group; self.problems = problems; self.solvedSoundly = solvedSoundly
        self.correctAnswers = correctAnswers; self.correctAnswersWithSoundSteps = correctAnswersWithSoundSteps
    }

    enum CodingKeys: String, CodingKey {
        case group, problems
        case solvedSoundly = "solved_soundly"
        case correctAnswers = "correct_answers"
        case correctAnswersWithSoundSteps = "correct_answers_with_sound_steps"
    }

    /// Counts for each group (`levels` per group name), in the order given.
    public static func count(_ samples: [SampleRecord], problems: [String: Problem],
                             groups: [(name: String, levels: Set<Int>)]) throws -> [SoundSolutions] {
        let checker = StepChecker()
        var sound: [String: Bool] = [:], answers: [String: (Int, Int)] = [:]
        for sample in samples {
            guard let problem = problems[sample.problemID] else { continue }
            let result = try checker.check(problem: problem.problem, completion: sample.output)
            if result.isFullyCorrect { sound[problem.id] = true }
            var a = answers[problem.id] ?? (0, 0)
            if result.answerCorrect { a.0 += 1; if result.isFullyCorrect { a.1 += 1 } }
            answers[problem.id] = a
        }
        return groups.map { group in
            let ids = answers.keys.filter { problems[$0].map { group.levels.contains($0.level) } ?? false }
            return SoundSolutions(group: group.name, problems: ids.count, solvedSoundly: ids.filter { sound[$0] == true }.count,
                                  correctAnswers: ids.reduce(0) { $0 + answers[$1]!.0 },
                                  correctAnswersWithSoundSteps: ids.reduce(0) { $0 + answers[$1]!.1 })
        }
    }
}

import Grading
