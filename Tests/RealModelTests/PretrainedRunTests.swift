import Experiment
import Foundation
import Testing
import Training
import Transformer

/// `e2h run` with a pretrained base (``ExperimentConfig/baseModel``): the tiny Qwen2 checkpoint
/// stands in for SmolLM2, so every stage runs on a real-model bundle in seconds.
@Suite("e2h run on a pretrained base")
struct PretrainedRunTests {
    func config(base: String) throws -> ExperimentConfig {
        let json = """
            {"baseModel": "\(base)", "pretrainSteps": 0, "pretrainingDocuments": 0, "model": {"context": 128},
             "testProblemsPerLevel": [2, 2, 2, 3, 3], "sftSteps": 12, "rewardSteps": 6, "rewardProblemsPerLevel": 4,
             "rewardSamplesPerProblem": 2, "testSamples": 4, "trials": 5, "likelihoodFeatures": false,
             "evaluatorStart": "pretrained", "evaluatorSteps": 4}
            """
        return try ExperimentConfig.quick.overlaid(with: Data(json.utf8), source: "test.json")
    }

    @Test func everyModelStartsFromTheBaseAndTheReportNamesTheRawPRM() throws {
        let base = fixtureURL("tiny-qwen2")
        try withTemporaryFolder { folder in
            var lines: [String] = []
            let experiment = try Experiment(config: config(base: base.path), directory: folder, quiet: true) { lines.append($0) }
            let summary = try experiment.runAll()
            let run = experiment.run
            // The policy and every reward model have the base's architecture and tokenizer, in the paper's format.
            let baseBundle = try ModelBundle.load(from: base, promptFormat: .paper)
            for folder in [run.policy, run.evaluatorBase] + experiment.rewardModelNames.map(run.rewardModel) {
                let bundle = try ModelBundle.load(from: folder)
                #expect(bundle.model.config.hiddenSize == baseBundle.model.config.hiddenSize)
                #expect(bundle.model.config.layerCount == baseBundle.model.config.layerCount)
                #expect(bundle.model.config.vocabSize == baseBundle.model.config.vocabSize)
                #expect(bundle.manifest.tokenizer.kind == "bpe" && bundle.promptFormat == .paper)
                #expect(try bundle.tokenizer.encode("Compute 12 + 7.") == baseBundle.tokenizer.encode("Compute 12 + 7."))
            }
            // SFT moved the base's weights (the policy is not a new model, nor the base unchanged).
            let policy = try TransformerModel.load(from: run.policy)
            let before = baseBundle.model.parameters, after = policy.parameters
            #expect(before.count == after.count)
            let moved = zip(before, after).map { abs($0 - $1) }.max() ?? 0
            #expect(moved > 0 && moved < 1, "largest change \(moved)")
            #expect(lines.contains { $0.contains("the policy starts from tiny-qwen2") })
            // The table: the method's PRM is the paper's own (no likelihood layer), named PRM-RAW.
            #expect(Set(summary.results.map(\.model)) == ["prm", "orm", "oprm", "prm-full"])
            let table = experiment.table(summary)
            #expect(table.contains("PRM-RAW  hard") && !table.contains("PRM      hard"))
            #expect(summary.hardComparison?.problems == 6)
        }
    }

    @Test func aMissingBaseIsNamed() throws {
        try withTemporaryFolder { folder in
            #expect {
                _ = try Experiment(config: config(base: folder.appendingPathComponent("none.gguf").path), directory: folder) { _ in }
            } throws: { "\($0)".contains("none.gguf does not exist") }
        }
    }
}
