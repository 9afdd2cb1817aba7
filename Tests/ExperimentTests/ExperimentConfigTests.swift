import Experiment
import Foundation
import Testing
import Tokenizers

@Suite("Experiment configuration")
struct ExperimentConfigTests {
    @Test func aPartialJSONChangesOnlyWhatItNames() throws {
        let base = ExperimentConfig()
        let json = #"{"sftSteps": 7, "model": {"width": 96}, "benchmark": {"pretraining": {"continuationShare": 0.25}}}"#
        let changed = try base.overlaid(with: Data(json.utf8), source: "c.json")
        #expect(changed.sftSteps == 7)
        #expect(changed.model.width == 96 && changed.model.layers == base.model.layers)
        #expect(changed.benchmark.pretraining.continuationShare == 0.25)
        #expect(changed.benchmark.levels == base.benchmark.levels)
        var expected = base
        expected.sftSteps = 7
        expected.model.width = 96
        expected.benchmark.pretraining.continuationShare = 0.25
        #expect(changed == expected)
    }

    @Test func unknownKeysAndWrongTypesNameTheKey() {
        let base = ExperimentConfig()
        func message(_ json: String) -> String {
            do {
                _ = try base.overlaid(with: Data(json.utf8), source: "c.json")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message(#"{"model": {"widht": 96}}"#).contains("unknown key \"model.widht\""))
        #expect(message(#"{"sftSteps": "many"}"#).contains("sftSteps"))
        #expect(message("[1, 2]").contains("not a JSON object"))
        #expect(message(#"{"tokenizer": "bytes"}"#).contains("tokenizer"))
        #expect(message(#"{"evaluatorStart": "scratch"}"#).contains("evaluatorStart"))
    }

    @Test func tokenizerAndEvaluatorStartAreNamedByString() throws {
        let base = ExperimentConfig()
        #expect(base.tokenizer == .numbers && base.evaluatorStart == .policy)
        let changed = try base.overlaid(with: Data(#"{"tokenizer": "characters", "evaluatorStart": "pretrained"}"#.utf8), source: "c.json")
        #expect(changed.tokenizer == .characters && changed.evaluatorStart == .pretrained)
        #expect(changed.model.transformerConfig(vocabulary: changed.tokenizer.tokenizer.vocabularySize).vocabSize == 64)
        #expect(base.model.transformerConfig(vocabulary: base.tokenizer.tokenizer.vocabularySize).vocabSize == 1160)
    }
}
