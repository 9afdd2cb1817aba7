import Support
import ArgumentParser
import Experiment
import Foundation
import Training
import Datasets
import GEMM

/// Model-size options shared by the commands that create a model.
struct ModelOptions: ParsableArguments {
    @Option(help: "Decoder blocks.") var layers = 4
    @Option(help: "Residual width (hidden size); the MLP is 3x wider.") var width = 128
    @Option(help: "Attention heads (must divide the width).") var heads = 4
    @Option(help: "Context length in tokens.") var context = 256
    @Flag(inversion: .prefixedNo, help: "One matrix for the input embedding and the output layer (the default of e2h run).")
    var tiedEmbeddings = true

    var size: ModelSize {
        ModelSize(layers: layers, width: width, heads: heads, context: context, tiedEmbeddings: tiedEmbeddings)
    }
}

/// `--matmul`: the precision of the command's matrix products (GEMM's ``MatmulPrecision``).
struct MatmulOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Matrix products: fp32, or bf16 (bfloat16 operands, float32 sums) (default: E2H_MATMUL, else fp32).",
        discussion: "bf16 needs a CPU with AMX tiles (Intel Xeon since Sapphire Rapids); elsewhere products stay fp32 with a warning. Weights, gradients, optimizer state and every other kernel stay fp32: the mixed precision of torch.autocast(bfloat16). About 2.2x faster fine-tuning of SmolLM2-135M on this project's machine; the results differ from fp32 by bfloat16 rounding."))
    var matmul: String?

    /// Sets the process's precision from `--matmul` (before the command starts work); warns when
    /// bf16 cannot run here.
    func apply() throws {
        guard let matmul else { return }
        guard let precision = MatmulPrecision(rawValue: matmul.lowercased()) else {
            throw ValidationError("--matmul must be fp32 or bf16; found \(matmul)")
        }
        MatmulPrecision.processDefault = precision
        if precision != precision.effective {
            logLine("warning: --matmul bf16: this CPU has no AMX-BF16 tiles (or the OS did not grant them); products stay fp32")
        }
    }
}

/// Optimizer and schedule options shared by the training commands. Unset cadences follow the
/// rule of `e2h run`'s stages (``stageTrainer(steps:batchSize:context:learningRate:seed:objective:evaluations:)``).
struct TrainingOptions: ParsableArguments {
    @Option(help: "Optimizer steps.") var steps = 500
    @Option(help: "Sequences per step.") var batch = 32
    @Option(help: "Peak learning rate (linear warmup, then cosine to 10%).") var learningRate: Float = 1e-3
    @Option(help: "Warmup steps (default: a tenth of the steps, 1 to 50).") var warmup: Int?
    @Option(help: "Random seed (initialisation and data order).") var seed: UInt64 = 1
    @Option(help: "Save a resumable checkpoint every this many steps (0: at the end only; default: every quarter, at least 50 apart).")
    var checkpointEvery: Int?
    @Option(help: "Validate every this many steps (0: at the end only; default: four times, at least 25 apart).")
    var evaluateEvery: Int?
    @Flag(help: "Start over instead of resuming from the output folder's last checkpoint.") var restart = false
    @OptionGroup var precision: MatmulOptions

    func trainerConfig(context: Int, objective: TrainingObjective, seed: UInt64? = nil, steps: Int? = nil,
                       batch: Int? = nil, learningRate: Float? = nil) -> TrainerConfig {
        var config = stageTrainer(steps: steps ?? self.steps, batchSize: batch ?? self.batch, context: context,
                                  learningRate: learningRate ?? self.learningRate, seed: seed ?? self.seed, objective: objective)
        if let warmup { config.warmupSteps = warmup }
        if let checkpointEvery { config.checkpointEvery = checkpointEvery }
        if let evaluateEvery { config.evaluateEvery = evaluateEvery }
        return config
    }
}

/// Prints a progress/log line on standard error.
/// On a terminal the line first clears a progress bar that another job may be drawing.
@Sendable func logLine(_ line: String) {
    FileHandle.standardError.write(Data(((standardErrorIsTerminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
}

let standardErrorIsTerminal = isatty(2) == 1

/// Turns a level list ("1-3", "1,2,3", "4") into a set of levels (``LevelSet``).
func parseLevels(_ text: String) throws -> Set<Int> {
    do { return try LevelSet(parsing: text).asSet } catch let error as LevelSetError {
        throw ValidationError(error.description)
    }
}

/// Names of every command's output option: `--out`, `-o`, and `--output` (kept for old scripts).
let outputNames: NameSpecification = [.customLong("out"), .customShort("o"), .customLong("output")]

/// Refuses two outputs that name the same file (the second would silently replace the first).
func requireDistinctOutputs(_ outputs: [(flag: String, path: String?)]) throws {
    var seen: [String: String] = [:]
    for (flag, path) in outputs {
        guard let path else { continue }
        let key = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if let other = seen[key] { throw ValidationError("\(other) and \(flag) name the same file \(path); give each output its own file") }
        seen[key] = flag
    }
}

/// The one bad-input policy of every command that reads records (docs/robustness.md): stop at the
/// first bad record with `FILE:LINE: field '...': what is wrong`, or, with `--skip-invalid`, skip
/// and count each one (the counts and first issues are printed; reading nothing at all is still
/// an error).
struct BadInputOptions: ParsableArguments {
    @Flag(help: "Skip invalid records and count them instead of stopping at the first.")
    var skipInvalid = false

    @Flag(help: .hidden) var strict = false

    var readOptions: ReadOptions { ReadOptions(strict: !skipInvalid || strict) }
}

/// Refuses an integer setting outside its range, naming the flag, the value and the range.
func requireRange(_ flag: String, _ value: Int, _ range: PartialRangeFrom<Int>) throws {
    if !range.contains(value) { throw ValidationError("\(flag) is \(value); it must be >= \(range.lowerBound)") }
}
