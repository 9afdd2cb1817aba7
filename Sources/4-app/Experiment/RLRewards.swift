// The reward of the RL stage (DESIGN.md "Reward function"): the grader on problems whose answer
// the method may use (easy levels), the easy-trained reward model's step scores, or both. Hard
// problems reach RL without their answer (`rlProblems`), so no hard label can become a reward; the
// step checker is used only to audit hard rollouts for evaluation.

import Datasets
import Foundation
import Grading
import Training

/// Problems for RL: the answer is kept only on `labelledLevels` (the easy levels); elsewhere it is
/// removed before RL sees the problem (the leak guard of the labelling stage, applied to RL).
public func rlProblems(_ problems: [Problem], labelledLevels: Set<Int>, format: PromptFormat = .paper) -> [RLProblem] {
    problems.map { p in
        RLProblem(id: p.id, prompt: format.prompt(problem: p.problem), level: p.level,
                  goldAnswer: labelledLevels.contains(p.level) ? p.answer : nil)
    }
}

/// Grader outcomes where the answer is known, and a reward model's step scores (raw logits, or
/// likelihood-calibrated ones).
public struct EasyToHardReward: RewardFunction {
    /// The reward model; nil for outcome-only rewards.
    public let scorer: Scorer?
    /// The reward model's likelihood calibration and the evaluator's token log-probabilities it
    /// reads (`e2h run`'s calibrated scores); nil: raw logits.
    public let calibration: (calibrator: StepCalibrator, evaluator: TokenLogProbs)?

    public init(scorer: Scorer?, calibration: (calibrator: StepCalibrator, evaluator: TokenLogProbs)? = nil) {
        self.scorer = scorer
        self.calibration = calibration
    }

    public func judge(_ rollouts: [Rollout], problems: [RLProblem]) throws -> [RolloutJudgement] {
        let items = rollouts.map { (prompt: problems[$0.problem].prompt, completion: $0.text) }
        var scores = try scorer?.scores(items)
        if let raw = scores, let calibration {
            scores = try calibration.calibrator.apply(scores: raw, completions: rollouts.map(\.text),
                                                      logProbs: calibration.evaluator.logProbs(items),
                                                      tokenizer: calibration.evaluator.tokenizer)
        }
        return rollouts.enumerated().map { i, rollout in
            let outcome = problems[rollout.problem].goldAnswer.map { gold in
                rollout.parsed.answer.map { Grading.grade(gold: gold, predicted: $0).isEqual } ?? false
            }
            return RolloutJudgement(outcome: outcome, stepScores: scores?[i])
        }
    }
}

/// The step checker's audit of hard-problem rollouts, for evaluation only: the share with a right
/// answer and the share right in every step. Nil when the batch has no hard problem.
func hardRolloutAudit(problems byID: [String: Problem], hardLevels: Set<Int>) -> RolloutAudit {
    { rollouts, batch in
        let checker = StepChecker()
        var count = 0, correct = 0, sound = 0
        for rollout in rollouts {
            guard let problem = byID[batch[rollout.problem].id], hardLevels.contains(problem.level) else { continue }
            let result = try checker.check(problem: problem.problem, completion: rollout.text)
            count += 1
            if result.answerCorrect { correct += 1 }
            if result.isFullyCorrect { sound += 1 }
        }
        return count > 0 ? (Float(correct) / Float(count), Float(sound) / Float(count)) : nil
    }
}
