// `e2h run` on a pretrained base (``ExperimentConfig/baseModel``, docs/pretrained.md): the policy
// is the base fine-tuned on the easy solutions, and every reward model is the base (through the
// policy) with a scalar head, as in the paper. The benchmark, the checker, the stages and the
// report are the default run's; only where a model comes from and how text becomes tokens change.
// Problems and solutions keep the paper's raw format, so the checker reads the policy's steps.

import Foundation
import Tokenizers
import Training
import Transformer

/// The pretrained model a run starts from: its tokenizer and manifest, in the paper's raw format.
public struct PretrainedBase {
    /// The model folder or `.gguf` file.
    public let url: URL
    /// The base's tokenizer.
    public let tokenizer: any Tokenizer
    /// The base's manifest with the prompt format set to the paper's (its stop ids kept).
    public let manifest: BundleManifest

    /// Reads the tokenizer of the model at `path` (`~/` expands; relative to the working folder).
    /// - Throws: ``ExperimentError/invalid(_:)`` when nothing is there; the loader's errors, naming
    ///   the file and the field, when it is not a model.
    public init(path: String) throws {
        url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExperimentError.invalid("baseModel: \(url.path) does not exist (SmolLM2-135M-Instruct: scripts/fetch-models.sh)")
        }
        (tokenizer, manifest) = try ModelBundle.loadTokenizer(from: url, promptFormat: .paper)
    }

    /// A fresh copy of the base's weights.
    public func model() throws -> TransformerModel {
        try ModelBundle.load(from: url, promptFormat: .paper).model
    }

    /// The manifest of a model written into `directory`: a byte-level BPE is written there, so the
    /// folder is a bundle of its own (as ``ModelBundle/writeTokenizer(into:)`` does).
    func manifest(writingInto directory: URL) throws -> BundleManifest {
        guard let bpe = tokenizer as? ByteLevelBPE else { return manifest }
        try bpe.write(to: directory)
        var copy = manifest
        copy.tokenizer = TokenizerManifest(kind: "bpe", path: "tokenizer.json")
        return copy
    }
}

extension Experiment {
    /// `bundle.json` of a model the run writes into `directory` (with a base, its tokenizer goes there too).
    func bundleManifest(writingInto directory: URL) throws -> BundleManifest {
        try base?.manifest(writingInto: directory) ?? bundleManifest
    }

    /// The model the policy stage starts from: the base, or a new model initialised from the seed.
    func initialPolicy() throws -> TransformerModel {
        if let base {
            let model = try base.model()
            log("      the policy starts from \(base.url.lastPathComponent) (\(model.parameterCount) parameters, "
                + "\(model.config.layerCount) blocks, width \(model.config.hiddenSize)); context \(config.model.context)")
            return model
        }
        let model = try TransformerModel(config: modelConfig)
        model.initializeWeights(seed: config.seed)
        return model
    }

    /// The table's name of a reward model: without the likelihood layer the PRM is the paper's own
    /// reward model, the default run's `PRM-RAW`.
    func displayName(_ model: String) -> String {
        model == RewardKind.prm.rawValue && !config.likelihoodFeatures ? Self.rawModel.uppercased() : model.uppercased()
    }
}
