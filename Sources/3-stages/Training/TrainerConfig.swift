// Configuration of a supervised training run (policy SFT or reward model).

import Kernels

/// What the loss is computed on.
public enum TrainingObjective: String, Codable, Sendable {
    /// Next-token cross-entropy on positions with a target (policy SFT, pretraining).
    case languageModel
    /// Binary cross-entropy of the scalar head on positions with a label (PRM, ORM, OPRM).
    case scalarHead
}

/// Hyperparameters and bookkeeping of a training run. Defaults suit the built-in benchmark.
public struct TrainerConfig: Codable, Sendable, Equatable {
    /// Loss to optimize.
    public var objective: TrainingObjective = .languageModel
    /// Optimizer steps.
    public var steps: Int = 500
    /// Sequences per step.
    public var batchSize: Int = 32
    /// Longest sequence; longer examples are cut (and counted).
    public var context: Int = 256
    /// Peak learning rate of the warmup + cosine schedule.
    public var learningRate: Float = 1e-3
    /// Linear warmup steps.
    public var warmupSteps: Int = 20
    /// Cosine floor as a fraction of the peak.
    public var minimumLearningRateRatio: Float = 0.1
    /// AdamW settings (its learningRate field is ignored: the schedule sets the rate).
    public var optimizer: AdamWConfig = AdamWConfig()
    /// Seed of the data order.
    public var seed: UInt64 = 1
    /// Save a resumable checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int = 100
    /// Evaluate on the validation set every this many steps (0: only at the end).
    public var evaluateEvery: Int = 100
    /// Most validation examples used per evaluation.
    public var validationLimit: Int = 256

    public init() {}

    var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, warmupSteps: min(warmupSteps, max(0, steps - 1)),
                             totalSteps: steps, minimumRatio: minimumLearningRateRatio)
    }
}

/// One line of `metrics.jsonl`.
public struct TrainingMetrics: Codable, Sendable, Equatable {
    public var step: Int
    public var loss: Float
    public var learningRate: Float
    public var gradientNorm: Float
    public var tokensPerSecond: Double
    public var validationLoss: Float?
    /// Fraction of labelled positions classified right (scalar head) or of next tokens predicted
    /// right (language model), on the validation set.
    public var validationAccuracy: Float?

    enum CodingKeys: String, CodingKey {
        case step, loss
        case learningRate = "lr"
        case gradientNorm = "grad_norm"
        case tokensPerSecond = "tokens_per_s"
        case validationLoss = "val_loss"
        case validationAccuracy = "val_accuracy"
    }
}

/// Errors of the training layer, each naming what to fix.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidData(String)
    case checkpoint(String)
    case io(String)
    /// The loss or gradient became NaN or infinite; training stopped before the update.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidData(let message): return "invalid training data: \(message)"
        case .checkpoint(let message): return "checkpoint: \(message)"
        case .io(let message): return message
        case .diverged(let message): return "training diverged: \(message)"
        }
    }
}
