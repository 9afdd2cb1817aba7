import Datasets
import Experiment
import Testing
import Tokenizers
import Training

/// No label of a hard problem reaches RL: its answer is removed before RL sees the problem, so
/// the reward of a right and of a wrong hard answer are the same.
@Suite("RL leak guard")
struct RLLeakGuardTests {
    let problems = [
        Problem(id: "e", problem: "2 + 3", level: 2, subject: "arithmetic", answer: "5"),
        Problem(id: "h", problem: "20 + 30", level: 5, subject: "arithmetic", answer: "50"),
    ]

    func rollout(problem: Int, answer: String) throws -> Rollout {
        let tokenizer = CharacterVocabulary.benchmark
        let text = SolutionFormat.completion(steps: ["x"], answer: answer)
        let tokens = try tokenizer.encode(text + "\n").map(Int32.init)
        return Rollout(problem: problem, sample: 0, prompt: [Int32(tokenizer.bosID)], tokens: tokens,
                       logProbs: [Float](repeating: 0, count: tokens.count), text: text, finishReason: .stop,
                       parsed: Rollout.parse(text: text, tokens: tokens, tokenizer: tokenizer))
    }

    @Test func hardProblemsReachRLWithoutTheirAnswer() {
        let rl = rlProblems(problems, labelledLevels: [1, 2, 3])
        #expect(rl[0].goldAnswer == "5")
        #expect(rl[1].goldAnswer == nil)
        #expect(!rl[1].prompt.isEmpty && rl[1].level == 5)
    }

    @Test func aRightAndAWrongHardAnswerGetTheSameReward() throws {
        let rl = rlProblems(problems, labelledLevels: [1, 2, 3])
        let rollouts = [try rollout(problem: 0, answer: "5"), try rollout(problem: 0, answer: "6"),
                        try rollout(problem: 1, answer: "50"), try rollout(problem: 1, answer: "51")]
        let judgements = try EasyToHardReward(scorer: nil).judge(rollouts, problems: rl)
        #expect(judgements.map(\.outcome) == [true, false, nil, nil])
        var config = RLRewardConfig()
        config.source = .outcome
        let totals = zip(rollouts, judgements).map { tokenRewards(rollout: $0, judgement: $1, config: config).total }
        #expect(totals[0] == 1 && totals[1] == 0)
        #expect(totals[2] == totals[3] && totals[2] == config.unknownOutcomeReward)
    }
}
