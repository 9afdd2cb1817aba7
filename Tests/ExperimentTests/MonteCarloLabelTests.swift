// Math-Shepherd's Monte-Carlo step labels and their agreement with the checker.

import Datasets
@testable import Experiment
import Testing
import Tokenizers
import Training
import Transformer

@Suite struct MonteCarloLabelTests {
    func record(_ id: String, _ index: Int, steps: [String], answer: String?, labels: [Int]? = nil) -> SampleRecord {
        SampleRecord(problemID: id, sampleIndex: index, output: "", answer: answer, steps: steps, finishReason: "stop",
                     stepLabels: labels)
    }

    @Test func agreementScoresTheFirstWrongStep() {
        let reference = [record("a", 0, steps: ["", "", ""], answer: nil, labels: [1, 0, 0, 0]),
                         record("a", 1, steps: ["", ""], answer: nil, labels: [1, 1, 1]),
                         record("b", 0, steps: ["", "", ""], answer: nil, labels: [0, 1, 1, 1]),
                         record("b", 1, steps: ["", ""], answer: nil, labels: [1, 1, 0])]
        let labels = [record("a", 0, steps: ["", "", ""], answer: nil, labels: [1, 0, 1, 0]),  // same first error (1)
                      record("a", 1, steps: ["", ""], answer: nil, labels: [1, 0, 0]),  // flags a clean sample
                      record("b", 0, steps: ["", "", ""], answer: nil, labels: [1, 1, 0, 1]),  // flags step 2, reference 0
                      record("b", 1, steps: ["", ""], answer: nil, labels: [1, 1, 1]),  // both clean (answer ignored)
                      record("c", 0, steps: [""], answer: nil, labels: [0, 0])]  // no reference: skipped
        let a = LabelAgreement(labels: labels, reference: reference)
        #expect(a.samples == 4)
        #expect(a.referenceFlagged == 2 && a.flagged == 3 && a.sameFirstError == 1 && a.bothClean == 1)
        #expect(abs(a.precision - 1.0 / 3) < 1e-12 && abs(a.recall - 0.5) < 1e-12)
        // Steps: a0 [1,0,0] vs [1,0,1]: 2 same; a1 [1,1] vs [1,0]: 1; b0 [0,1,1] vs [1,1,0]: 1; b1 [1,1] vs [1,1]: 2.
        #expect(a.steps == 10 && a.sameSteps == 6)
    }

    func tinySampler(rollouts: Int) throws -> Sampler {
        let tokenizer = TokenizerKind.numbers.tokenizer
        let size = ModelSize(layers: 1, width: 32, heads: 2, context: 96, tiedEmbeddings: true)
        let model = try TransformerModel(config: size.transformerConfig(vocabulary: tokenizer.vocabularySize))
        model.initializeWeights(seed: 3)
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = rollouts
        sampling.maxNewTokens = 24
        sampling.temperature = 1
        return Sampler(model: model, tokenizer: tokenizer, config: sampling)
    }

    @Test func labelsHaveOneEntryPerStepAndAnswerAndRespectTheLeakGuard() throws {
        let problems = ["p1": Problem(id: "p1", problem: "Compute 2 + 3 - 1.", level: 1, subject: "arithmetic", answer: "4"),
                        "p4": Problem(id: "p4", problem: "Compute 9 + 3 - 9 + 4.", level: 4, subject: "arithmetic", answer: "7")]
        let samples = [record("p1", 0, steps: ["2 + 3 = 5", "5 - 1 = 4"], answer: "4"),
                       record("p1", 1, steps: ["2 + 3 = 6"], answer: "5"),
                       record("p1", 2, steps: [], answer: nil)]
        let sampler = try tinySampler(rollouts: 3)
        let labelled = try monteCarloLabels(samples, problems: problems, allowedLevels: [1, 2, 3], sampler: sampler)
        #expect(labelled.map { $0.stepLabels?.count } == [3, 2, 1])
        #expect(labelled.map(\.correct) == [true, false, false])
        for sample in labelled {
            let hard = sample.stepLabels!, soft = sample.stepSoftLabels!
            #expect(hard.count == soft.count)
            // A step's hard label is 1 exactly when some rollout reached the answer; soft is a share of 3.
            for k in 0..<(hard.count - 1) {
                #expect(hard[k] == (soft[k] > 0 ? 1 : 0))
                #expect([0, 1, 2, 3].map { Float($0) / 3 }.contains(soft[k]))
            }
            #expect(Float(hard.last!) == soft.last!)
        }
        // The same seed gives the same labels.
        #expect(try monteCarloLabels(samples, problems: problems, allowedLevels: [1, 2, 3], sampler: sampler) == labelled)
        // A hard-level sample is refused before any rollout.
        #expect(throws: ExperimentError.self) {
            try monteCarloLabels([self.record("p4", 0, steps: ["9 + 3 = 12"], answer: "7")], problems: problems,
                                 allowedLevels: [1, 2, 3], sampler: sampler)
        }
    }
}
