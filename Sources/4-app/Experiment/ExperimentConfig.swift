// Every knob of `e2h run`, with the defaults of the built-in benchmark. Encoded into the run
// directory, so a rerun with other settings is detected instead of silently mixing results.

import Datasets
import Foundation
import Support
import Tokenizers
import Training
import Transformer

/// Size of a decoder trained from scratch on the character vocabulary.
public struct ModelSize: Codable, Sendable, Equatable {
    /// Decoder blocks.
    public var layers: Int
    /// Residual width C.
    public var width: Int
    /// Attention heads.
    public var heads: Int
    /// Context (positions).
    public var context: Int
    /// One matrix for the input embedding and the output layer (Hugging Face's
    /// `tie_word_embeddings`): copying a token from the context is then the identity map for every
    /// token, not a map learned for each one (1,100 of the number tokens are rare).
    public var tiedEmbeddings: Bool

    public init(layers: Int, width: Int, heads: Int, context: Int, tiedEmbeddings: Bool = false) {
        self.layers = layers; self.width = width; self.heads = heads; self.context = context
        self.tiedEmbeddings = tiedEmbeddings
    }

    /// The transformer config for a vocabulary of `vocabulary` ids (rounded up to a multiple of 8, as
    /// ``TokenizerKind/modelVocabularySize`` assumes).
    public func transformerConfig(vocabulary: Int) -> TransformerConfig {
        TransformerConfig(vocabSize: (vocabulary + 7) / 8 * 8, hiddenSize: width, intermediateSize: width * 3,
                          layerCount: layers, headCount: heads, maxPositions: context, tieEmbeddings: tiedEmbeddings)
    }
}

/// Where the evaluator's language model (`reward/base`) starts.
public enum EvaluatorStart: String, Codable, Sendable {
    /// The SFT policy: the evaluator shares the policy's training and its mistakes.
    case policy
    /// The pretrained model (or a new one without pretraining): the evaluator learns from the easy
    /// solutions on its own, so its mistakes are less the policy's.
    case pretrained
}

/// The whole experiment.
public struct ExperimentConfig: Codable, Sendable, Equatable {
    /// Seed of everything (data, initialisation, order, sampling).
    public var seed: UInt64 = 1
    /// Levels whose labels the method may use (PAPER.md: easy = 1-3).
    public var easyLevels: [Int] = [1, 2, 3]
    /// Training problems per level, for levels 1-5. Hard-level training problems are used only by
    /// the full-supervision reference PRM, never by the easy-to-hard method.
    public var trainProblemsPerLevel: [Int] = [2000, 2000, 2000, 400, 400]
    /// Test problems per level, for levels 1-5. 90 hard problems: with 60, one problem moved the
    /// hard accuracy by 1.7 points and the verdict changed with the seed (docs/benchmark.md).
    public var testProblemsPerLevel: [Int] = [10, 10, 10, 45, 45]
    /// The generator of the built-in benchmark: the five levels and the pretraining facts.
    public var benchmark: BenchmarkConfig = .standard
    /// Documents of the unlabelled pretraining corpus (facts at every size; no problems).
    public var pretrainingDocuments: Int = 6000

    /// How texts become tokens: `numbers` (characters, and every number below 1000 as one token, as
    /// Llama 3 cuts digits) or `characters` (one token per character). With numbers as tokens the
    /// policy's own likelihood tells its sound hard samples from the others (AUC 0.82 against 0.57 with
    /// characters, PyTorch prototype; docs/benchmark.md, "Numbers as tokens").
    public var tokenizer: TokenizerKind = .numbers
    /// The policy's architecture; the evaluator and the reward models share it.
    public var model = ModelSize(layers: 4, width: 128, heads: 4, context: 256, tiedEmbeddings: true)
    /// Optimizer steps on the pretraining corpus before SFT (0 skips pretraining).
    public var pretrainSteps: Int = 700
    /// SFT steps on easy solutions.
    public var sftSteps: Int = 5200
    /// Sequences per SFT, evaluator and reward-model step. Small: at this scale the number of
    /// optimizer steps, not the batch, limits learning (same tokens at batch 4 instead of 32 took
    /// single-digit facts from 2% to 97% exact; SFT at batch 4 for 5,200 steps reached validation
    /// loss 0.13 where batch 8 for 2,600 steps reached 0.18, in 10% more time; docs/benchmark.md).
    public var batchSize: Int = 4
    /// Documents (256 tokens each) per pretraining step.
    public var pretrainBatchSize: Int = 4
    /// Peak learning rate of pretraining.
    public var learningRate: Float = 3e-3
    /// Peak learning rate of SFT. From the same pretrained models, 1e-3 ended SFT at validation loss
    /// 0.085 and 0.086 where 3e-3 ended at 0.206 and 0.106 (seeds 2 and 1; docs/benchmark.md).
    public var sftLearningRate: Float = 1e-3

    /// Easy training problems sampled to build reward-model data (per level, levels in `easyLevels`).
    public var rewardProblemsPerLevel: Int = 120
    /// Policy samples per problem for reward-model data.
    public var rewardSamplesPerProblem: Int = 8
    /// Language-model steps the evaluator trains beyond the policy before it learns labels: the
    /// reward models start from the SFT policy trained this much further on the same easy
    /// solutions (`reward/base`), a stronger evaluator than the generator (a deviation: the paper's
    /// reward models match their policy); 0 starts them from the policy itself. See README.
    public var evaluatorSteps: Int = 1400
    /// Where the evaluator's language model starts: `policy` (the SFT policy) or `pretrained` (the
    /// pretrained model the policy started from, trained on the easy solutions in its own order, as
    /// the paper's reward models start from the base model, not from the policy).
    public var evaluatorStart: EvaluatorStart = .policy
    /// Peak learning rate of the evaluator's extra language-model steps.
    public var evaluatorLearningRate: Float = 1e-3
    /// Optimizer steps of each reward model.
    public var rewardSteps: Int = 300
    /// Peak learning rate of reward-model training.
    public var rewardLearningRate: Float = 1e-3

    /// Samples per test problem (the pool re-ranking draws from).
    public var testSamples: Int = 64
    /// Sampling temperature and top-k (PAPER.md: 0.7, 20).
    public var temperature: Float = 0.7
    public var topK: Int = 20
    /// Re-ranking subsampling trials per N.
    public var trials: Int = 100
    /// Train the full-supervision reference PRM (labels on all levels), for the gap recovered.
    public var fullSupervisionReference = true
    /// Pass every reward model's logit through a logistic layer over the token log-probabilities
    /// of the evaluator's language model (`reward/base`), fitted on the same easy labels; the raw
    /// PRM is reported as `prm-raw`. A deviation from the paper, see README.
    public var likelihoodFeatures = true
    /// RL after the reward models, evaluated like the SFT policy (`e2h run --rl ALGO`); nil: none.
    public var rl: RunRLSettings?
    /// A second RL setting, trained and evaluated as `rl` is and compared with it hard problem by
    /// hard problem (`summary.json` keys `rl_baseline`, `rl_vs_baseline`): the paper's comparison,
    /// `rl` with the easy-trained PRM on all problems against outcome rewards on easy problems only
    /// (``RunRLSettings/outcomeBaseline``, `e2h run --rl-baseline`); nil: none. Needs `rl`.
    public var rlBaseline: RunRLSettings?
    /// A pretrained model (an e2h or Hugging Face folder, or a `.gguf` file) as the base of the policy
    /// and of every reward model, instead of a model trained from scratch; nil (the default, and
    /// absent from config.json) trains from scratch. Its tokenizer replaces `tokenizer`, its
    /// architecture `model` (whose `context` still bounds training and sampling); problems and
    /// solutions keep the paper's raw format. See ``PretrainedBase`` and docs/pretrained.md.
    public var baseModel: String?
    /// The policy is a model behind an OpenAI-compatible server: no local policy is trained and
    /// every policy sample comes from the server (``RemoteSamplerConfig``; docs/serving.md). Absent
    /// by default, and then not written to `config.json`.
    public var sampler: RemoteSamplerConfig?
    /// Precision of every matrix product of the run: "fp32", or "bf16" (bfloat16 operands, float32
    /// sums, on CPUs with AMX tiles; GEMM's ``MatmulPrecision``), from `e2h run --matmul` or
    /// `E2H_MATMUL`. Absent (the default, and then not written to `config.json`): fp32. Kept so that a
    /// resumed run computes as it started.
    public var matmul: String?

    public init() {}

    /// A small setting that finishes in seconds (7 s on 2 cores): a smoke test of every stage, not a
    /// research result.
    public static var quick: ExperimentConfig {
        var c = ExperimentConfig()
        c.trainProblemsPerLevel = [200, 200, 200, 40, 40]
        c.testProblemsPerLevel = [6, 6, 6, 6, 6]
        c.pretrainingDocuments = 200
        c.model = ModelSize(layers: 2, width: 64, heads: 4, context: 256, tiedEmbeddings: true)
        c.pretrainSteps = 40
        c.sftSteps = 60
        c.rewardProblemsPerLevel = 10
        c.rewardSamplesPerProblem = 4
        c.evaluatorSteps = 20
        c.rewardSteps = 20
        c.testSamples = 8
        c.trials = 20
        return c
    }

    /// This configuration with the keys of a JSON object replaced, e.g. `{"sftSteps": 800,
    /// "model": {"width": 96}}`: objects merge key by key, any other value replaces. Lets a
    /// config file name only what it changes.
    /// - Throws: `ExperimentError.invalid` naming an unknown key or a value of the wrong type.
    public func overlaid(with json: Data, source: String) throws -> ExperimentConfig {
        if let syntax = jsonSyntaxError(in: json) { throw ExperimentError.invalid("\(source): not valid JSON: \(syntax)") }
        guard let patch = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ExperimentError.invalid("\(source): not a JSON object")
        }
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .throw
        guard var base = try JSONSerialization.jsonObject(with: encoder.encode(self)) as? [String: Any] else {
            throw ExperimentError.invalid("\(source): cannot encode the base configuration")
        }
        // An absent optional section merges into its defaults.
        for key in ["rl", "rlBaseline"] where patch[key] != nil && base[key] == nil {
            base[key] = try JSONSerialization.jsonObject(with: encoder.encode(RunRLSettings()))
        }
        for key in ["sampler"] where base[key] == nil { base[key] = NSNull() }  // optional sections a patch may set
        func merge(_ base: [String: Any], _ patch: [String: Any], path: String) throws -> [String: Any] {
            var out = base
            for (key, value) in patch {
                let name = path.isEmpty ? key : path + "." + key
                guard let old = base[key] ?? (path.isEmpty ? Self.optionalKeys[key] : nil) else {
                    throw ExperimentError.invalid("\(source): unknown key \"\(name)\" (known: \(Set(base.keys).union(path.isEmpty ? Self.optionalKeys.keys.map { $0 } + ["rl", "rlBaseline", "sampler"] : []).sorted().joined(separator: ", ")))")
                }
                if let oldObject = old as? [String: Any], let newObject = value as? [String: Any] {
                    out[key] = try merge(oldObject, newObject, path: name)
                } else {
                    out[key] = value
                }
            }
            return out
        }
        let merged = try merge(base, patch, path: "")
        do {
            return try JSONDecoder().decode(ExperimentConfig.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw ExperimentError.invalid("\(source): missing key \"\(path)\"")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context),
                let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            throw ExperimentError.invalid("\(source): bad value for \"\(key)\": \(context.debugDescription)")
        }
    }

    /// Keys that config.json leaves out while unset, with a stand-in of their type for the overlay.
    static let optionalKeys: [String: Any] = ["baseModel": "", "matmul": ""]

    /// The levels that are not easy.
    public var hardLevels: [Int] { (1...5).filter { !easyLevels.contains($0) } }
}
