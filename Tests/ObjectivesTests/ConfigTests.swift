// The settings structs: partial JSON keeps the paper's defaults, values round-trip, and
// out-of-range settings are refused with the setting's name.

import Foundation
import Objectives
import Testing

@Suite("Objective configs")
struct ConfigTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> Bool {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value)) == value
    }

    @Test func emptyJSONGivesThePaperDefaults() throws {
        #expect(try decode(PolicyLossConfig.self, "{}") == PolicyLossConfig())
        #expect(try decode(ValueLossConfig.self, "{}").clip == 0.2)
        #expect(try decode(KLConfig.self, "{}") == KLConfig())
        #expect(try decode(GAEConfig.self, "{}") == GAEConfig(gamma: 1, lambda: 1))
        #expect(try decode(WhiteningConfig.self, "{}") == WhiteningConfig())
        #expect(try decode(GroupAdvantageConfig.self, "{}") == GroupAdvantageConfig())
        #expect(try decode(DPOConfig.self, "{}") == DPOConfig(loss: .sigmoid, beta: 0.1))
        #expect(try decode(ProcessRewardConfig.self, "{}") == ProcessRewardConfig(upperBound: 0.5, stepBonus: 0.25))
    }

    @Test func partialJSONOverridesOnlyItsKeys() throws {
        let dpo = try decode(DPOConfig.self, #"{"loss": "ipo", "beta": 0.5}"#)
        #expect(dpo.loss == .ipo && dpo.beta == 0.5 && dpo.labelSmoothing == 0 && !dpo.averageLogProbs)
        let policy = try decode(PolicyLossConfig.self, #"{"clipHigh": 0.28, "aggregation": "sequenceMean"}"#)
        #expect(policy.clipLow == 0.2 && policy.clipHigh == 0.28 && policy.aggregation == .sequenceMean)
        #expect(try decode(ValueLossConfig.self, #"{"clip": null}"#).clip == nil)
        #expect(throws: DecodingError.self) { try decode(KLConfig.self, #"{"estimator": "k4"}"#) }
    }

    @Test func valuesRoundTrip() throws {
        #expect(try roundTrip(PolicyLossConfig(clipLow: 0.1, clipHigh: 0.3, aggregation: .constantNormalizer)))
        #expect(try roundTrip(ValueLossConfig(clip: nil)))
        #expect(try roundTrip(ValueLossConfig(clip: 0.5, aggregation: .sequenceMean)))
        #expect(try roundTrip(KLConfig(estimator: .k3, clampAtZero: true)))
        #expect(try roundTrip(GAEConfig(gamma: 0.99, lambda: 0.95)))
        #expect(try roundTrip(WhiteningConfig(shiftMean: false, unbiased: false, epsilon: 1e-6)))
        #expect(try roundTrip(GroupAdvantageConfig(estimator: .rloo, epsilon: 0)))
        #expect(try roundTrip(DPOConfig(loss: .ipo, beta: 0.2, labelSmoothing: 0.1, averageLogProbs: true)))
        #expect(try roundTrip(ProcessRewardConfig(upperBound: 0.8, stepBonus: 0)))
    }

    @Test func outOfRangeSettingsAreNamed() {
        let checks: [(String, () throws -> Void)] = [
            ("clipLow", { try PolicyLossConfig(clipLow: 1).validate() }),
            ("valueClip", { try ValueLossConfig(clip: -0.2).validate() }),
            ("gamma", { try GAEConfig(gamma: 1.5).validate() }),
            ("lambda", { try GAEConfig(lambda: -1).validate() }),
            ("whiteningEpsilon", { try WhiteningConfig(epsilon: -1).validate() }),
            ("groupEpsilon", { try GroupAdvantageConfig(epsilon: .nan).validate() }),
            ("beta", { try DPOConfig(beta: 0).validate() }),
            ("stepBonus", { try ProcessRewardConfig(stepBonus: -0.25).validate() }),
        ]
        for (name, check) in checks {
            do {
                try check()
                Issue.record("\(name) out of range accepted")
            } catch {
                #expect("\(error)".contains(name), "\(error)")
            }
        }
        #expect(throws: Never.self) {
            try PolicyLossConfig().validate(); try ValueLossConfig().validate(); try GAEConfig().validate()
            try WhiteningConfig().validate(); try GroupAdvantageConfig().validate(); try DPOConfig().validate()
            try ProcessRewardConfig().validate()
        }
    }
}
