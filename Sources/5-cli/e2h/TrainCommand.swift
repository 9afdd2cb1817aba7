import ArgumentParser
import Experiment
import Foundation
import Tokenizers

/// `e2h train policy|reward`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the policy (SFT) or a reward model (PRM, ORM, OPRM).",
        subcommands: [TrainPolicy.self, TrainReward.self])
}

struct TrainPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Supervised fine-tuning on solutions (loss on the solution tokens only).",
        discussion: """
            SOLUTIONS is JSONL: problem records with `problem`, `answer` and a `solution` whose steps are \
            separated by blank lines (as `e2h data generate` writes), or records with `problem`, `steps` \
            and `answer`; --levels keeps the solutions of some levels. --pretrain adds a first stage on \
            unlabelled documents (`{"text": ...}` lines), written to OUT/pretrain. Every 20th example of \
            each stage is held out for validation. --seed initialises the model and orders pretraining; \
            fine-tuning draws its order from seed + 1. These are the stage functions of `e2h run`: with the \
            run's settings and files (its data/train.jsonl with --levels 1-3, data/pretrain.jsonl) this \
            command writes the run's policy/sft bytes. Interrupted runs resume from the last checkpoint in --out.
            """)

    @Argument(help: "Solutions JSONL (or --solutions).") var solutionsArgument: String?
    @Option(name: .customLong("solutions"), help: "Solutions JSONL.") var solutionsOption: String?
    @Option(name: outputNames, help: "Output folder (config.json, model.safetensors, bundle.json, metrics.jsonl, checkpoints).")
    var out: String
    @Option(name: [.customLong("init-from"), .customLong("model")],
            help: "Start from this model (an e2h or Hugging Face folder, or a .gguf file) instead of from scratch.") var initFrom: String?
    @Option(help: "Unlabelled documents JSONL for pretraining.") var pretrain: String?
    @Option(help: "Pretraining steps.") var pretrainSteps = 400
    @Option(help: "Documents per pretraining step (default: --batch).") var pretrainBatch: Int?
    @Option(help: "Peak learning rate of pretraining (default: --learning-rate).") var pretrainLearningRate: Float?
    @Option(help: "Fine-tune on the solutions of these levels only (e.g. 1-3; records need `level`).") var levels: String?
    @Option(help: "Tokenizer of a new model: numbers (characters, and numbers below 1000 as one token) or characters. A model from --init-from keeps its own.")
    var tokenizer = "numbers"
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions

    var solutions: String { solutionsOption ?? solutionsArgument ?? "" }

    func validate() throws {
        if (solutionsOption == nil) == (solutionsArgument == nil) {
            throw ValidationError("give the solutions file once: --solutions FILE (or as the first argument)")
        }
    }

    mutating func run() throws {
        try training.precision.apply()
        guard let tokenizerKind = TokenizerKind(rawValue: tokenizer) else {
            throw ValidationError("--tokenizer must be numbers or characters; found \(tokenizer)")
        }
        let outURL = URL(fileURLWithPath: out)
        if training.restart { try? FileManager.default.removeItem(at: outURL) }
        let levelSet = try levels.map(parseLevels)
        let pretraining = training.trainerConfig(context: model.context, objective: .languageModel, steps: pretrainSteps,
                                                 batch: pretrainBatch, learningRate: pretrainLearningRate)
        let sft = training.trainerConfig(context: model.context, objective: .languageModel, seed: training.seed &+ 1)
        try trainPolicy(solutions: solutions, levels: levelSet, pretrainDocuments: pretrain, pretraining: pretraining,
                        out: outURL, initialModel: initFrom.map { URL(fileURLWithPath: $0) }, size: model.size,
                        tokenizer: tokenizerKind, seed: training.seed, trainer: sft, log: logLine)
    }
}

struct TrainReward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Train a reward model (scalar head on the policy's backbone) from labelled samples.",
        discussion: """
            SAMPLES is a samples JSONL with `step_labels` and `correct` (see `e2h label`). PRM: binary \
            cross-entropy on every token of each step and its trailing blank line; ORM: the final answer's \
            correctness at its last token, positives:negatives kept between 1:3 and 3:1 per question; \
            OPRM: both mixed.
            """)

    @Argument(help: "Labelled samples JSONL (or --samples).") var samplesArgument: String?
    @Option(name: .customLong("samples"), help: "Labelled samples JSONL.") var samplesOption: String?
    @Option(help: "Problems JSONL the samples belong to.") var problems: String?
    @Option(help: ArgumentHelp("Labelled solutions JSONL instead of samples: human (PRM800K) or Math-Shepherd labels from `e2h data convert --to labelled`.",
                               discussion: "Only records of --levels are used; a record of another level, or of none, is refused."))
    var labelled: String?
    @Option(help: "With --labelled: levels whose labels may be used, e.g. 1-3.") var levels = "1-3"
    @Option(help: "prm, orm or oprm.") var kind: String = "prm"
    @Option(name: [.customLong("init-from"), .customLong("model")],
            help: "Policy to start from: an e2h or Hugging Face folder, or a .gguf file.") var initFrom: String
    @Option(name: outputNames, help: "Output folder.") var out: String
    @Option(help: "Training context in tokens (default: the model's config.json context, at most 1024; 1024 for a .gguf file).")
    var context: Int?
    @OptionGroup var training: TrainingOptions

    var samples: String { samplesOption ?? samplesArgument ?? "" }

    func validate() throws {
        let given = [samplesOption, samplesArgument, labelled].compactMap { $0 }.count
        if given != 1 {
            throw ValidationError("give one input: --samples FILE (or as the first argument) with --problems, or --labelled FILE")
        }
        if labelled == nil, problems == nil { throw ValidationError("--samples needs --problems (the problems they belong to)") }
    }

    mutating func run() throws {
        try training.precision.apply()
        guard let rewardKind = RewardKind(rawValue: kind.lowercased()) else {
            throw ValidationError("--kind must be prm, orm or oprm; found \(kind)")
        }
        let outURL = URL(fileURLWithPath: out)
        if training.restart { try? FileManager.default.removeItem(at: outURL) }
        let initial = URL(fileURLWithPath: initFrom)
        let configured = try? JSONDecoder().decode(ContextOnly.self, from: Data(contentsOf: initial.appendingPathComponent("config.json"))).context
        let context = self.context ?? min(configured ?? 1024, 1024)
        let trainer = training.trainerConfig(context: context, objective: .scalarHead)
        if let labelled {
            try trainRewardModelFromLabels(kind: rewardKind, labelled: labelled, allowedLevels: try parseLevels(levels),
                                           initialModel: initial, out: outURL, trainer: trainer, log: logLine)
        } else {
            try trainRewardModel(kind: rewardKind, samples: samples, problems: problems ?? "", initialModel: initial, out: outURL,
                                 trainer: trainer, log: logLine)
        }
    }
}

/// Reads only the context of a checkpoint's config.json.
struct ContextOnly: Decodable {
    var context: Int
    enum CodingKeys: String, CodingKey { case context = "max_position_embeddings" }
}
