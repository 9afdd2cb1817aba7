import Datasets
import Foundation
import Testing
import Tokenizers
import Training

/// A rollout of `completion` as the answer-line rule leaves it: the sampled tokens end with the
/// newline after the answer, the text does not.
func constructedRollout(_ completion: String, finish: FinishReason = .stop) throws -> Rollout {
    let tokens = try vocabulary.encode(completion + "\n").map(Int32.init)
    return Rollout(problem: 0, sample: 0, prompt: [Int32(vocabulary.bosID)], tokens: tokens,
                   logProbs: [Float](repeating: -1, count: tokens.count), text: completion, finishReason: finish,
                   parsed: Rollout.parse(text: completion, tokens: tokens, tokenizer: vocabulary))
}

func logit(_ p: Float) -> Float { log(p / (1 - p)) }

@Suite("RL rewards on tokens")
struct RLRewardTests {
    let twoSteps = SolutionFormat.completion(steps: ["9 + 9 = 18", "18 - 5 = 13"], answer: "13")

    @Test func stepRewardsSitOnTheNewlineAfterEachStepAndTheOutcomeOnTheLastToken() throws {
        let rollout = try constructedRollout(twoSteps)
        let judgement = RolloutJudgement(outcome: true, stepScores: [logit(0.8), logit(0.3), logit(0.9)])
        let r = tokenRewards(rollout: rollout, judgement: judgement, config: RLRewardConfig())
        // min shaping from 0.5: 0.8 -> 0, 0.3 -> 0.3 - 0.5; bonus 0.25 / 2 on each step.
        #expect(abs(r.stepRewards[0] - 0.125) < 1e-5 && abs(r.stepRewards[1] - (-0.2 + 0.125)) < 1e-5)
        let text = Array(twoSteps.unicodeScalars)
        for (k, token) in r.stepTokens.enumerated() {
            #expect(vocabulary.decode([Int(rollout.tokens[token])], stopAtEOS: false) == "\n", "step \(k) reward not on its newline")
            #expect(text[rollout.parsed.stepRanges[k].upperBound] == "\n")
        }
        #expect(r.stepTokens[0] < r.stepTokens[1] && r.stepTokens[1] < rollout.tokens.count - 1)
        #expect(r.outcome == 1 && r.rewards.last! == 1)
        #expect(abs(r.total - (0.125 + (-0.075) + 1)) < 1e-5)
        let elsewhere = r.rewards.enumerated().filter { !r.stepTokens.contains($0.offset) && $0.offset != rollout.tokens.count - 1 }
        #expect(elsewhere.allSatisfy { $0.element == 0 })
    }

    @Test func aProcessWeightScalesTheStepRewardsOnly() throws {
        let rollout = try constructedRollout(twoSteps)
        let judgement = RolloutJudgement(outcome: true, stepScores: [logit(0.8), logit(0.3), logit(0.9)])
        var config = RLRewardConfig()
        let full = tokenRewards(rollout: rollout, judgement: judgement, config: config)
        config.processWeight = 0.25
        let weighted = tokenRewards(rollout: rollout, judgement: judgement, config: config)
        #expect(weighted.stepTokens == full.stepTokens && weighted.outcome == full.outcome)
        for (w, f) in zip(weighted.stepRewards, full.stepRewards) { #expect(abs(w - 0.25 * f) < 1e-6) }
        #expect(abs(weighted.total - (0.25 * (0.125 - 0.075) + 1)) < 1e-5)
        config.processWeight = 0
        let none = tokenRewards(rollout: rollout, judgement: judgement, config: config)
        #expect(none.total == 1 && none.stepRewards.isEmpty && none.stepTokens.isEmpty)
        // Weight 0 is no process reward: process-supervision GRPO sees only the outcomes, so a group
        // with one outcome has no advantages, whatever its rollouts' step counts.
        let one = try constructedRollout(SolutionFormat.completion(steps: ["9 + 9 = 18"], answer: "18"))
        let group = [none, tokenRewards(rollout: one, judgement: RolloutJudgement(outcome: true, stepScores: [logit(0.8), logit(0.6)]),
                                        config: config)]
        #expect(processAdvantages(group, epsilon: 1e-4).allSatisfy { $0.allSatisfy { $0 == 0 } })
        var rl = RLConfig.paper(.grpo)
        rl.reward.processWeight = -0.5
        do { try rl.validate(); Issue.record("process weight -0.5 accepted") } catch { #expect(error.setting == "process-weight") }
    }

    @Test func outcomeIsTheGraderOnKnownAnswersAConstantOnUnknownAndAPenaltyWithoutAnAnswer() throws {
        let config = RLRewardConfig()
        let rollout = try constructedRollout(twoSteps)
        #expect(tokenRewards(rollout: rollout, judgement: .init(outcome: false, stepScores: nil), config: config).outcome == 0)
        #expect(tokenRewards(rollout: rollout, judgement: .init(outcome: nil, stepScores: nil), config: config).outcome == 0.25)
        let cut = try constructedRollout(twoSteps, finish: .length)
        #expect(tokenRewards(rollout: cut, judgement: .init(outcome: true, stepScores: nil), config: config).outcome == -1)
        let noAnswer = try constructedRollout("9 + 9 = 18\n\n18 - 5 = 13")
        #expect(noAnswer.parsed.answer == nil)
        #expect(tokenRewards(rollout: noAnswer, judgement: .init(outcome: true, stepScores: nil), config: config).outcome == -1)
    }

    @Test func variantsOutcomeOnlyORMAndPRMOnly() throws {
        let rollout = try constructedRollout(twoSteps)
        let scores: [Float] = [logit(0.2), logit(0.4), logit(0.7)]
        var config = RLRewardConfig()
        config.source = .outcome
        let outcome = tokenRewards(rollout: rollout, judgement: .init(outcome: true, stepScores: scores), config: config)
        #expect(outcome.stepRewards.isEmpty && outcome.total == 1)
        config.source = .orm
        let orm = tokenRewards(rollout: rollout, judgement: .init(outcome: nil, stepScores: scores), config: config)
        #expect(abs(orm.total - 0.7) < 1e-5 && orm.stepRewards.isEmpty)
        config.source = .prm
        config.useGrader = false
        let prmOnly = tokenRewards(rollout: rollout, judgement: .init(outcome: true, stepScores: scores), config: config)
        // Steps: min(0.2, 0.5) - 0.5 = -0.3 in total, plus the 0.25 bonus; outcome unknown: 0.25.
        #expect(abs(prmOnly.total - (-0.3 + 0.25 + 0.25)) < 1e-5)
    }

    @Test func processAdvantagesNormaliseStepsOverTheGroupAndSumTheLaterOnes() throws {
        let good = tokenRewards(rollout: try constructedRollout(twoSteps),
                                judgement: .init(outcome: true, stepScores: [logit(0.9), logit(0.9), 0]), config: RLRewardConfig())
        let bad = tokenRewards(rollout: try constructedRollout(twoSteps),
                               judgement: .init(outcome: false, stepScores: [logit(0.9), logit(0.1), 0]), config: RLRewardConfig())
        let advantages = processAdvantages([good, bad], epsilon: 1e-4)
        #expect(advantages.count == 2 && advantages[0].count == good.rewards.count)
        // Every token of the good rollout has a higher advantage than the same token of the bad one.
        for t in good.rewards.indices { #expect(advantages[0][t] > advantages[1][t]) }
        // Within a rollout, the first step's tokens carry its own and the later steps' rewards.
        let all = good.stepRewards + [good.outcome] + bad.stepRewards + [bad.outcome]
        let m = all.reduce(0, +) / Float(all.count)
        let sd = (all.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(all.count - 1)).squareRoot()
        let expectedFirst = ([good.stepRewards[0], good.stepRewards[1], good.outcome].map { ($0 - m) / (sd + 1e-4) }).reduce(0, +)
        #expect(abs(advantages[0][0] - expectedFirst) < 1e-4)
        #expect(abs(advantages[0].last! - (good.outcome - m) / (sd + 1e-4)) < 1e-4)
    }
}

@Suite("ReST-EM's weighted vote on unknown answers")
struct RestVotingTests {
    func rollout(_ answer: String, finish: FinishReason = .stop) throws -> Rollout {
        try constructedRollout(SolutionFormat.completion(steps: ["9 + 9 = 18"], answer: answer), finish: finish)
    }

    @Test func theAnswerWithTheLargestSummedStepProductWinsNotTheMostFrequent() throws {
        // Three rollouts say 13 with low scores, two say 12 with high scores.
        let rollouts = try ["13", "12", "13", "12", "13"].map { try rollout($0) }
        let low = RolloutJudgement(outcome: nil, stepScores: [logit(0.2), logit(0.2)])    // 0.04 each
        let high = RolloutJudgement(outcome: nil, stepScores: [logit(0.9), logit(0.9)])   // 0.81 each
        let judgements = [low, high, low, high, low]
        #expect(weightedVoteWinners(0..<5, rollouts: rollouts, judgements: judgements) == [1, 3])
        // Equal scores: majority decides.
        let even = [RolloutJudgement](repeating: high, count: 5)
        #expect(weightedVoteWinners(0..<5, rollouts: rollouts, judgements: even) == [0, 2, 4])
        // Only the range's group counts.
        #expect(weightedVoteWinners(1..<2, rollouts: rollouts, judgements: judgements) == [1])
    }

    @Test func dpoVotingPairsTheVotesAnswerAgainstTheOthersOnlyWhereTheAnswerIsUnknown() throws {
        let rollouts = try ["13", "12", "13", "12", "13"].map { try rollout($0) }
        let low = RolloutJudgement(outcome: nil, stepScores: [logit(0.2), logit(0.2)])
        let high = RolloutJudgement(outcome: nil, stepScores: [logit(0.9), logit(0.9)])
        let judgements = [low, high, low, high, low]
        // Without voting, PRM probabilities alone never differ by the paper's margin of 1.
        let plain = RLTrainer.dpoScores(0..<5, rollouts: rollouts, judgements: judgements, voting: false)
        #expect(RLTrainer.dpoPairs(scores: plain, margin: 1, limit: 3).isEmpty)
        // With it, 12 (the weighted vote's answer) is chosen over 13, at most one pair per winner.
        let voted = RLTrainer.dpoScores(0..<5, rollouts: rollouts, judgements: judgements, voting: true)
        #expect(voted.map { ($0 * 100).rounded() / 100 } == [0.2, 1.9, 0.2, 1.9, 0.2])
        let pairs = RLTrainer.dpoPairs(scores: voted, margin: 1, limit: 3)
        #expect(pairs.count == 2 && pairs.allSatisfy { [1, 3].contains($0.chosen) && [0, 2, 4].contains($0.rejected) })
        // Where the answer is known the grader decides; the vote adds nothing.
        let known = judgements.enumerated().map { RolloutJudgement(outcome: $0.offset == 0, stepScores: $0.element.stepScores) }
        #expect(RLTrainer.dpoScores(0..<5, rollouts: rollouts, judgements: known, voting: true)
                == RLTrainer.dpoScores(0..<5, rollouts: rollouts, judgements: known, voting: false))
    }

    @Test func voteOutcomeRewardsTheVotesAnswerAsRightOnlyWhereTheAnswerIsUnknown() throws {
        // Two groups of four: the first's answer unknown (12 wins the weighted vote over 13 though
        // 13 is sampled as often), the second's known (the grader's verdict stays).
        let answers = ["13", "12", "13", "12", "13", "12", "13", "12"]
        var rollouts = try answers.map { try rollout($0) }
        rollouts[6] = try rollout("13", finish: .length)
        let low = RolloutJudgement(outcome: nil, stepScores: [logit(0.2), logit(0.2)])
        let high = RolloutJudgement(outcome: nil, stepScores: [logit(0.9), logit(0.9)])
        var judgements = [low, high, low, high]
        judgements += (4..<8).map { RolloutJudgement(outcome: answers[$0] == "13", stepScores: [logit(0.5), logit(0.5)]) }
        let config = RLRewardConfig()
        let plain = zip(rollouts, judgements).map { tokenRewards(rollout: $0, judgement: $1, config: config) }
        let voted = votedOutcomeRewards(plain, rollouts: rollouts, judgements: judgements, groupSize: 4, config: config)
        #expect(plain.prefix(4).map(\.outcome) == [0.25, 0.25, 0.25, 0.25])
        #expect(voted.prefix(4).map(\.outcome) == [0, 1, 0, 1])
        #expect(voted.suffix(4).map(\.outcome) == plain.suffix(4).map(\.outcome))
        #expect(voted[6].outcome == config.missingAnswerPenalty)
        for (v, p) in zip(voted, plain) {
            // Only the outcome on the last token moves; the step rewards stay.
            #expect(v.stepRewards == p.stepRewards && v.rewards.dropLast() == p.rewards.dropLast())
            #expect(abs(v.total - (p.total - p.outcome + v.outcome)) < 1e-5)
        }
        var rl = RLConfig.paper(.grpo)
        rl.voteOutcome = true
        rl.reward.source = .outcome
        do { try rl.validate(); Issue.record("vote outcome without step scores accepted") } catch { #expect(error.setting == "vote-outcome") }
        rl.reward.source = .prm
        try rl.validate()
    }

    @Test func voteConfidenceCountsOnlyTheVotesWhoseWinnerThePRMTrusts() throws {
        // Group 1: 12 wins with a best product of 0.81; group 2: 13 wins with a best product of 0.04.
        let rollouts = try ["13", "12", "13", "12", "13", "12", "13", "13"].map { try rollout($0) }
        let low = RolloutJudgement(outcome: nil, stepScores: [logit(0.2), logit(0.2)])     // 0.04
        let high = RolloutJudgement(outcome: nil, stepScores: [logit(0.9), logit(0.9)])    // 0.81
        let lower = RolloutJudgement(outcome: nil, stepScores: [logit(0.1), logit(0.1)])   // 0.01
        let judgements = [low, high, low, high, low, lower, low, low]
        #expect(abs(try #require(weightedVote(0..<4, rollouts: rollouts, judgements: judgements)).confidence - 0.81) < 1e-6)
        #expect(abs(try #require(weightedVote(4..<8, rollouts: rollouts, judgements: judgements)).confidence - 0.04) < 1e-6)
        let config = RLRewardConfig()
        let plain = zip(rollouts, judgements).map { tokenRewards(rollout: $0, judgement: $1, config: config) }
        func outcomes(_ t: Float?) -> [Float] {
            votedOutcomeRewards(plain, rollouts: rollouts, judgements: judgements, groupSize: 4, config: config, minConfidence: t).map(\.outcome)
        }
        #expect(outcomes(nil) == [0, 1, 0, 1, 1, 0, 1, 1])
        #expect(outcomes(0) == outcomes(nil))
        // At 0.5 the second group's vote (best 0.04) does not count: its rollouts keep the constant.
        #expect(outcomes(0.5) == [0, 1, 0, 1, 0.25, 0.25, 0.25, 0.25])
        #expect(outcomes(0.9) == plain.map(\.outcome))
        var rl = RLConfig.paper(.grpo)
        rl.reward.source = .prm
        rl.voteConfidence = 0.5
        do { try rl.validate(); Issue.record("a vote confidence without the vote accepted") } catch { #expect(error.setting == "vote-confidence") }
        rl.voteOutcome = true
        try rl.validate()
        rl.voteConfidence = 1.5
        do { try rl.validate(); Issue.record("a vote confidence above 1 accepted") } catch { #expect(error.setting == "vote-confidence") }
    }

    @Test func equivalentAnswersVoteTogetherAndCutOrUnscoredRolloutsDoNot() throws {
        let rollouts = try [rollout("1/2"), rollout("0.5"), rollout("3"), rollout("3", finish: .length), rollout("3")]
        let s = RolloutJudgement(outcome: nil, stepScores: [logit(0.5)])
        let unscored = RolloutJudgement(outcome: nil, stepScores: nil)
        // 1/2 and 0.5 form one group (2 votes); the cut "3" and the unscored "3" do not count.
        #expect(weightedVoteWinners(0..<5, rollouts: rollouts, judgements: [s, s, s, s, unscored]) == [0, 1])
        #expect(weightedVoteWinners(0..<2, rollouts: rollouts, judgements: [unscored, unscored]).isEmpty)
    }
}
