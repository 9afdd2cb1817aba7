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

    @Test func baseModelIsOptionalAndLeftOutOfConfigJSONWhileUnset() throws {
        let base = ExperimentConfig()
        #expect(base.baseModel == nil)
        // The default run's config.json is unchanged: no baseModel key at all.
        #expect(!String(decoding: try JSONEncoder().encode(base), as: UTF8.self).contains("baseModel"))
        let changed = try base.overlaid(with: Data(#"{"baseModel": "~/m.gguf", "pretrainSteps": 0}"#.utf8), source: "c.json")
        #expect(changed.baseModel == "~/m.gguf" && changed.pretrainSteps == 0)
        let back = try JSONDecoder().decode(ExperimentConfig.self, from: JSONEncoder().encode(changed))
        #expect(back == changed)
        // An overlay of an overlay keeps it, and a nested key of that name is still unknown.
        #expect(try changed.overlaid(with: Data(#"{"seed": 3}"#.utf8), source: "c.json").baseModel == "~/m.gguf")
        #expect(throws: ExperimentError.self) {
            try base.overlaid(with: Data(#"{"model": {"baseModel": "x"}}"#.utf8), source: "c.json")
        }
        #expect(throws: ExperimentError.self) { try base.overlaid(with: Data(#"{"baseModel": 3}"#.utf8), source: "c.json") }
    }

    @Test func shippedConfigsOverlayTheDefaults() throws {
        // configs/*.json at the package root, found from this file's path.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.contains("smollm2.json"))
        for file in files {
            let config = try ExperimentConfig().overlaid(with: Data(contentsOf: folder.appendingPathComponent(file)), source: file)
            if file == "smollm2.json" {
                #expect(config.baseModel?.hasSuffix("SmolLM2-135M-Instruct.Q4_1.gguf") == true)
                #expect(config.pretrainSteps == 0 && !config.likelihoodFeatures)
            }
        }
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
