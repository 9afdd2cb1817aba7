import Datasets
import Experiment
import Foundation
import Kernels
import Tokenizers
import Testing
import Training
import Transformer

/// ROC AUC of scores against binary labels (probability a random positive outranks a random negative).
func rocAUC(scores: [Float], labels: [Bool]) -> Double {
    let positives = zip(scores, labels).filter { $0.1 }.map(\.0), negatives = zip(scores, labels).filter { !$0.1 }.map(\.0)
    var wins = 0.0
    for p in positives { for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) } }
    return wins / Double(max(1, positives.count * negatives.count))
}

/// Level-1 solutions of the built-in benchmark; in half of them the last step starts from a number
/// that is not in the problem (true arithmetic on the wrong operand, which the checker rejects) and
/// the answer follows it.
func corruptedSolutions(count: Int, seed: UInt64) throws -> [(problem: Problem, completion: String)] {
    let problems = try BenchmarkGenerator(seed: seed).problems(level: 1, count: count)
    var generator = SeededGenerator(seed: seed)
    return problems.map { problem in
        var steps = SolutionFormat.splitSteps(problem.solution ?? "")
        var answer = problem.answer
        if generator.next() % 2 == 0, let last = steps.indices.last,
           let (a, op, b, _) = StepChecker.parseStep(steps[last]) {
            let wrong = a + 11 + Int(generator.next() % 80)
            let value = op == .add ? wrong + b : (op == .subtract ? wrong - b : (op == .multiply ? wrong * b : wrong / max(b, 1)))
            if value >= 0, op == .add || op == .subtract || op == .multiply {
                steps[last] = BenchmarkTask.stepText(wrong, op, b, value)
                answer = String(value)
            }
        }
        return (problem, SolutionFormat.completion(steps: steps, answer: answer))
    }
}

@Suite("Reward models")
struct RewardTrainingTests {
    @Test func prmSeparatesCorrectFromCorruptedSteps() throws {
        let builder = ExampleBuilder(tokenizer: vocabulary)
        let checker = StepChecker()
        func labelled(_ items: [(problem: Problem, completion: String)]) throws -> [(TrainingExample, [Bool], [Int])] {
            try items.map { item in
                let prompt = SolutionFormat.prompt(problem: item.problem.problem)
                let result = try checker.check(problem: item.problem.problem, completion: item.completion)
                let example = try builder.rewardExample(prompt: prompt, completion: item.completion,
                                                        stepLabels: result.verdicts.map(\.isCorrect),
                                                        outcome: result.answerCorrect, source: item.problem.id)
                let parsed = SolutionFormat.parseCompletion(item.completion)
                let positions = ScorePositions.positions(parsed, completionStart: 1 + prompt.unicodeScalars.count,
                                                         completionTokens: item.completion.unicodeScalars.count)
                return (example, result.labels, positions)
            }
        }
        let train = try labelled(corruptedSolutions(count: 400, seed: 11))
        let heldOut = try labelled(corruptedSolutions(count: 80, seed: 12))
        #expect(heldOut.contains { $0.1.contains(false) } && heldOut.contains { !$0.1.contains(false) })

        let model = try tinyPolicy(seed: 5, context: 128)
        var config = TrainerConfig()
        config.objective = .scalarHead
        config.steps = 300
        config.batchSize = 16
        config.context = 128
        config.learningRate = 3e-3
        config.checkpointEvery = 0
        config.evaluateEvery = 0
        let directory = temporaryDirectory("prm")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Trainer(model: model, config: config, training: train.map(\.0), outputDirectory: directory,
                    padID: vocabulary.padID, quiet: true).run()

        // Scores read where the pipeline reads them: the newline after each step and the answer's last token.
        let scorer = Scorer(model: model, tokenizer: vocabulary, batchSize: 16)
        let heldOutItems = try corruptedSolutions(count: 80, seed: 12).map { (SolutionFormat.prompt(problem: $0.problem.problem), $0.completion) }
        let scores = try scorer.scores(heldOutItems)
        var allScores: [Float] = [], allLabels: [Bool] = []
        for (i, item) in heldOut.enumerated() {
            #expect(scores[i].count == item.1.count, "one score per step and answer")
            allScores += scores[i]
            allLabels += item.1
        }
        let auc = rocAUC(scores: allScores, labels: allLabels)
        #expect(auc > 0.75, "held-out step AUC \(auc)")
    }

    @Test func labellingRefusesHardLevels() throws {
        let problems = try BenchmarkGenerator(seed: 3).problems(countsByLevel: [1: 2, 4: 1])
        let byID = Dictionary(uniqueKeysWithValues: problems.map { ($0.id, $0) })
        let samples = problems.map {
            SampleRecord(problemID: $0.id, sampleIndex: 0, output: SolutionFormat.completion(steps: SolutionFormat.splitSteps($0.solution!), answer: $0.answer),
                         answer: $0.answer, steps: [], finishReason: "eos")
        }
        let easy = try labelSamples(Array(samples.prefix(2)), problems: byID, allowedLevels: [1, 2, 3])
        #expect(easy.allSatisfy { $0.correct == true && $0.stepLabels?.allSatisfy { $0 == 1 } == true })
        #expect(throws: ExperimentError.self) { try labelSamples(samples, problems: byID, allowedLevels: [1, 2, 3]) }
    }

    /// Sound solutions: a right answer after a wrong step counts as a right answer, not as a sound
    /// solution; levels are counted per group (evaluation may read every level).
    @Test func soundSolutionsTellRealSolutionsFromLuckyAnswers() throws {
        let problems = [Problem(id: "e", problem: "Compute 2 + 3 * 4.", level: 1, subject: "arithmetic", answer: "14"),
                        Problem(id: "h", problem: "Compute 5 + 6 - 1.", level: 4, subject: "arithmetic", answer: "10")]
        let byID = Dictionary(uniqueKeysWithValues: problems.map { ($0.id, $0) })
        func sample(_ id: String, _ index: Int, _ output: String) -> SampleRecord {
            SampleRecord(problemID: id, sampleIndex: index, output: output, answer: nil, steps: [], finishReason: "eos")
        }
        let samples = [
            sample("e", 0, "3 * 4 = 12\n\n2 + 12 = 14\n\n# Answer\n\n14"),  // sound
            sample("e", 1, "2 + 3 = 5\n\n5 * 4 = 14\n\n# Answer\n\n14"),    // right answer, wrong steps
            sample("h", 0, "5 + 6 = 12\n\n12 - 2 = 10\n\n# Answer\n\n10"),  // right answer, wrong steps
            sample("h", 1, "5 + 6 = 11\n\n11 - 1 = 10\n\n# Answer\n\n9"),   // sound steps, wrong answer
        ]
        let counts = try SoundSolutions.count(samples, problems: byID, groups: [("easy", [1, 2, 3]), ("hard", [4, 5])])
        #expect(counts[0] == SoundSolutions(group: "easy", problems: 1, solvedSoundly: 1, correctAnswers: 2,
                                            correctAnswersWithSoundSteps: 1))
        #expect(counts[1] == SoundSolutions(group: "hard", problems: 1, solvedSoundly: 0, correctAnswers: 1,
                                            correctAnswersWithSoundSteps: 0))
    }

    @Test func ormBalanceStaysWithinOneToThree() throws {
        let problem = try BenchmarkGenerator(seed: 4).problems(level: 2, count: 1)[0]
        let samples = (0..<10).map { i in
            SampleRecord(problemID: problem.id, sampleIndex: i, output: "# Answer\n\n\(i)", answer: "\(i)", steps: [],
                         finishReason: "eos", stepLabels: [i == 0 ? 1 : 0], correct: i == 0)
        }
        let examples = try rewardExamples(kind: .orm, samples: samples, problems: [problem.id: problem],
                                          builder: ExampleBuilder(tokenizer: vocabulary), seed: 1)
        let labels = examples.map { $0.labels.first { !$0.isNaN }! }
        #expect(labels.filter { $0 == 1 }.count == 1 && labels.filter { $0 == 0 }.count == 3)
    }
}
