// Likelihood features for the reward models (a documented deviation from the paper, README
// "Reward models read the evaluator's likelihood"): a scalar head fine-tuned from this small model
// does not learn to check a step, even on clean synthetic pairs and in PyTorch, while a language
// model's probabilities of the tokens the policy wrote do tell most slips. Each reward model's logit
// therefore passes through a logistic layer over [its logit, the step's lowest token log-probability,
// the lowest one so far] under the evaluator's language model (`reward/base`: the policy trained
// further on the same easy solutions), fitted on the same easy labels the reward model was trained on.

import Datasets
import Foundation
import Support
import Training
import Transformer

extension Experiment {
    /// Teacher-forced log-probabilities of every completion token under the evaluator's language
    /// model (``evaluatorBase``).
    func evaluatorLogProbs(_ samples: [SampleRecord], problems: [String: Problem], label: String, quiet: Bool) throws -> [[Float]] {
        let model = try TransformerModel.load(from: evaluatorBase)
        let items = samples.map { (SolutionFormat.prompt(problem: problems[$0.problemID]!.problem), $0.output) }
        return try TokenLogProbs(model: model, tokenizer: vocabulary)
            .logProbs(items, progress: ProgressReporter(label: label, total: items.count, quiet: quiet))
    }

    /// Raw step scores of `samples` from the reward model `name`.
    func rawScores(_ samples: [SampleRecord], problems: [String: Problem], name: String, quiet: Bool) throws -> [[Float]] {
        let scorer = Scorer(model: try TransformerModel.load(from: run.rewardModel(name)), tokenizer: vocabulary)
        let items = samples.map { (SolutionFormat.prompt(problem: problems[$0.problemID]!.problem), $0.output) }
        return try scorer.scores(items, progress: ProgressReporter(label: "score \(name)", total: items.count, quiet: quiet))
    }

    /// Fits and writes `reward/<name>/calibration.json` from the model's labelled training samples:
    /// every score position with a checker label (PRM, OPRM), or the final position only (ORM).
    func calibrate(name: String, kind: RewardKind, samples: [SampleRecord], logProbs: [[Float]],
                   problems: [String: Problem], quiet: Bool) throws {
        let raw = try rawScores(samples, problems: problems, name: name, quiet: quiet)
        var rows: [(logit: Float, features: [Float], label: Bool)] = []
        for (i, sample) in samples.enumerated() {
            let features = try LikelihoodFeatures.features(completion: sample.output, logProbs: logProbs[i], tokenizer: vocabulary)
            let scores = raw[i]
            guard let lastScore = scores.last, let lastFeature = features.last else { continue }
            if kind == .orm {
                rows.append((lastScore, lastFeature.vector, sample.correct ?? false))
                continue
            }
            let labels = sample.stepLabels ?? []
            let finalLabel = sample.correct ?? false
            // Steps in order, then the final position (labelled by the answer's correctness).
            for k in 0..<min(scores.count - 1, features.count - 1, labels.count) {
                rows.append((scores[k], features[k].vector, labels[k] == 1))
            }
            rows.append((lastScore, lastFeature.vector, finalLabel))
        }
        guard let calibrator = StepCalibrator.fit(rows, inputNames: ["step_min_logprob", "prefix_min_logprob"]) else {
            log("      \(name.uppercased()): labels all equal, no likelihood calibration")
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(calibrator), to: run.calibration(name))
        log(String(format: "      %@ with likelihood features: weights logit %.2f, step min %.2f, prefix min %.2f; log-loss %.3f -> %.3f on %d positions",
                   name.uppercased(), calibrator.weights[0], calibrator.weights[1], calibrator.weights[2],
                   calibrator.baselineLoss, calibrator.loss, calibrator.examples))
    }

    /// The calibration of reward model `name`, if it has one.
    func calibration(_ name: String) throws -> StepCalibrator? {
        let url = run.calibration(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(StepCalibrator.self, from: Data(contentsOf: url))
    }
}
