// RLConfig read back from JSON: every setting survives the round trip, and a file an older e2h
// wrote (without the settings added since) still decodes, each missing setting at its default.

import Foundation
import Objectives
import Testing
@testable import Training

@Suite("RL config decoding")
struct RLConfigDecodingTests {
    /// Every stored setting away from its default (so a setting the decoder forgot would come
    /// back at its default and fail the round trip).
    static func everySettingChanged() -> RLConfig {
        var c = RLConfig()
        c.algorithm = .ppo; c.iterations = 7; c.problemsPerIteration = 5; c.samplesPerProblem = 3
        c.temperature = 0.9; c.topK = 7; c.maxNewTokens = 99; c.batchSlots = 9; c.learningRate = 3e-5
        c.warmupSteps = 2; c.minibatchSize = 4; c.epochs = 3; c.klCoefficient = 0.2
        c.kl = KLConfig(estimator: .k2, clampAtZero: false); c.policyLoss.clipHigh = 0.28
        c.valueLoss.clip = nil; c.valueCoefficient = 0.5; c.gae.lambda = 0.95; c.whiten = false
        c.group.epsilon = 1e-3; c.processSupervision = true; c.negativeAdvantageScale = 0.5
        c.adamEpsilon = 1e-6; c.reward.wrongReward = -0.5; c.dpo.beta = 0.3; c.dpoMargin = 2
        c.dpoPairsPerProblem = 4; c.restKeepPerProblem = 3; c.restSteps = 50; c.restLearningRate = 3e-4
        c.restPRMThreshold = nil; c.restVoting = true; c.dpoVoting = true; c.voteOutcome = true
        c.voteConfidence = 0.5; c.hardProblemShare = 0.25; c.skipFlatGroups = true
        c.gradientClip = 0.5; c.seed = 9
        return c
    }

    @Test func everySettingRoundTrips() throws {
        let changed = Self.everySettingChanged()
        // A new setting must join everySettingChanged() (and the decoder at the end of RLConfig.swift).
        #expect(Mirror(reflecting: changed).children.count == 39)
        let decoded = try JSONDecoder().decode(RLConfig.self, from: JSONEncoder().encode(changed))
        #expect(decoded == changed)
        let defaults = try JSONDecoder().decode(RLConfig.self, from: JSONEncoder().encode(RLConfig.paper(.grpo)))
        #expect(defaults == RLConfig.paper(.grpo))
    }

    @Test func aFileWithoutTheLaterSettingsDecodesAtTheirDefaults() throws {
        var config = RLConfig.paper(.grpo)
        config.iterations = 160
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any])
        for key in ["dpoVoting", "voteOutcome", "restVoting"] { #expect(json.removeValue(forKey: key) != nil, "\(key)") }
        let old = try JSONDecoder().decode(RLConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old == config, "an old run's settings compare equal to the same settings today")
        // An absent optional setting stays nil, as it was encoded.
        #expect(old.restPRMThreshold == 0.5 && old.negativeAdvantageScale == nil)
        json.removeValue(forKey: "restPRMThreshold")
        #expect(try JSONDecoder().decode(RLConfig.self, from: JSONSerialization.data(withJSONObject: json)).restPRMThreshold == nil)
        // A present key of the wrong type is still an error.
        json["iterations"] = "many"
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RLConfig.self, from: JSONSerialization.data(withJSONObject: json)) }
    }
}
