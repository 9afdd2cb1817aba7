import ArgumentParser
import Experiment
import Foundation
import InferenceClient
import Training

/// `e2h sample`.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample N solutions per problem with the KV cache, many sequences at once.",
        discussion: """
            Writes samples JSONL: problem_id, sample_index, output, answer, steps, finish_reason (stop, eos, \
            length), token_ids, logprobs (the policy's log-probability of each sampled token at temperature 1), \
            correct. A sample stops at the EOS, a --stop text (left out of the output), the end of the answer \
            line (unless --no-answer-line-stop), or --max-new-tokens.
            """)

    @Option(help: "Policy: an e2h model folder, a Hugging Face folder or a .gguf file (with --endpoint: the served model's name).")
    var model: String
    @Option(help: "paper, chatml or llama3: overrides the format the model's files give (a chat template chooses chat prompts).")
    var promptFormat: String?
    @Option(help: "Problems JSONL (id, problem, answer, ...).") var problems: String
    @Option(name: outputNames, help: "Output samples JSONL.") var out: String
    @Option(name: .shortAndLong, help: "Samples per problem (≥ 1).") var n = 8
    @Option(help: "Temperature, finite and ≥ 0 (0 = greedy).") var temperature: Float = 0.7
    @Option(help: "Top-k, ≥ 0 (0 = off).") var topK = 20
    @Option(help: "Top-p, in (0, 1] (1 = off).") var topP: Float = 1
    @Option(help: "Most new tokens per sample (≥ 1).") var maxNewTokens = 256
    @Option(help: "Sequences decoded together (≥ 1).") var slots = 128
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "A text that ends a sample, not included in the output (repeatable).") var stop: [String] = []
    @Flag(help: "Do not stop at the end of the answer line (the built-in benchmark's prompt format).")
    var noAnswerLineStop = false
    @Flag(help: "Dequantize a GGUF file's weights to float32 at load instead of computing on its Q4_0 / Q4_1 / Q8_0 blocks.")
    var floatWeights = false
    @OptionGroup(title: "Remote sampling (resumable: a rerun appends only the missing samples)") var remote: RemoteFlags
    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        var config = SamplingConfig()
        config.samplesPerProblem = n
        config.temperature = temperature
        config.topK = topK
        config.topP = topP
        config.maxNewTokens = maxNewTokens
        config.batchSlots = slots
        config.seed = seed
        config.stopStrings = stop
        config.stopRules = noAnswerLineStop ? [] : [.answerLine]
        config.recordTokens = true
        do {
            try config.validate()
        } catch {
            let flags = ["samples": "-n", "temperature": "--temperature", "topK": "--top-k", "topP": "--top-p",
                         "maxNewTokens": "--max-new-tokens", "batchSlots": "--slots"]
            let flag = flags[error.setting] ?? (error.setting.hasPrefix("stopStrings") ? "--stop" : error.setting)
            throw ValidationError("\(flag) is \(error.value); it must be \(error.allowed)")
        }
        if let endpoint = remote.endpoint {
            let (options, problems, out, sampling) = (remote.options(model: model, endpoint: endpoint), problems, out, config)
            let progress = ProgressReporter(label: "sample", total: try countLines(problems) * n)
            try blockingAwait {
                try await sampleProblemsRemote(remote: options, problems: problems, out: out, sampling: sampling, progress: progress,
                                               log: logLine)
            }
            return
        }
        try sampleProblems(model: URL(fileURLWithPath: model), problems: problems, out: out, sampling: config,
                           promptFormat: try parsePromptFormat(promptFormat), keepQuantized: !floatWeights, log: logLine)
    }
}

/// `e2h label`.
struct Label: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label each step of samples: the built-in benchmark's step checker, or Monte-Carlo rollouts.",
        discussion: """
            Adds step_labels (one per step, then one for the answer) and correct. Refuses samples of levels \
            outside --levels, so hard-level labels cannot reach the easy-to-hard reward models by accident. \
            --method checker (default) needs built-in benchmark problems. --method mc works on any problems \
            with answers (Math-Shepherd): from the prefix that ends with each step, --model writes --rollouts \
            completions; the step's label is 1 when any reaches the gold answer (by the grader), and \
            step_soft_labels holds the fraction that do. --compare-checker (benchmark problems) prints how \
            the Monte-Carlo labels agree with the checker's: precision and recall of the first wrong step.
            """)

    @Option(help: "Problems JSONL.") var problems: String
    @Option(help: "Samples JSONL.") var samples: String
    @Option(name: outputNames, help: "Output JSONL.") var out: String
    @Option(help: "Levels whose labels may be used, e.g. 1-3.") var levels = "1-3"
    @Option(help: "checker or mc.") var method = "checker"
    @Option(help: "mc: the policy folder that writes the rollouts.") var model: String?
    @Option(help: "mc: completions from each step prefix.") var rollouts = 8
    @Option(help: "mc: sampling temperature of the rollouts.") var temperature: Float = 0.7
    @Option(help: "mc: top-k of the rollouts (0: none).") var topK = 20
    @Option(help: "mc: longest rollout, in tokens.") var maxNewTokens = 256
    @Option(help: "mc: random seed of the rollouts.") var seed: UInt64 = 1
    @Flag(help: "mc: also label with the checker and print how the two agree (built-in benchmark problems).")
    var compareChecker = false
    @Flag(help: "mc: dequantize a GGUF policy's weights to float32 at load instead of computing on its Q4_0 / Q4_1 / Q8_0 blocks.")
    var floatWeights = false

    mutating func run() throws {
        let levelSet = try parseLevels(levels)
        switch method {
        case "checker":
            try labelSampleFile(problems: problems, samples: samples, out: out, levels: levelSet, log: logLine)
        case "mc":
            guard let model else { throw ValidationError("--method mc needs --model (the policy that writes the rollouts)") }
            guard rollouts >= 1 else { throw ValidationError("--rollouts must be at least 1; found \(rollouts)") }
            var sampling = SamplingConfig()
            sampling.samplesPerProblem = rollouts
            sampling.temperature = temperature
            sampling.topK = topK
            sampling.maxNewTokens = maxNewTokens
            sampling.seed = seed
            do { try sampling.validate() } catch { throw ValidationError("\(error)") }
            try monteCarloLabelFile(problems: problems, samples: samples, out: out, levels: levelSet,
                                    model: URL(fileURLWithPath: model), sampling: sampling,
                                    compareChecker: compareChecker, keepQuantized: !floatWeights, log: logLine)
        default:
            throw ValidationError("--method must be checker or mc; found \(method)")
        }
    }
}

/// `e2h score`.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add step_scores (reward-model logits per step and for the final answer) to samples.")

    @Option(help: "Reward-model checkpoint folder (with --endpoint: the served model's name).") var model: String
    @Option(help: "Problems JSONL.") var problems: String
    @Option(help: "Samples JSONL.") var samples: String
    @Option(name: outputNames, help: "Output JSONL.") var out: String
    @Option(help: "Language-model checkpoint folder whose token log-probabilities feed a reward model calibrated by e2h run (reward/<name>/calibration.json): the run's reward/base (its policy/sft when evaluatorSteps is 0).")
    var featuresFrom: String?
    @OptionGroup(title: "Remote scoring (vLLM's /pooling API)") var remote: RemoteFlags
    @Option(help: "With --endpoint: how steps are marked for the reward model: qwen (Qwen2.5-Math-PRM, <extra_0>), math-shepherd (step tag ки), e2h (e2h serve).")
    var prmStyle: PRMStyle = .e2h
    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        if let endpoint = remote.endpoint {
            guard featuresFrom == nil else { throw ValidationError("--features-from needs a local --model, not --endpoint") }
            let (options, style, problems, samples, out) = (remote.options(model: model, endpoint: endpoint), prmStyle, problems, samples, out)
            let progress = ProgressReporter(label: "score", total: try countLines(samples))
            try blockingAwait {
                try await scoreSampleFileRemote(remote: options, style: style, problems: problems, samples: samples, out: out,
                                                progress: progress, log: logLine)
            }
            return
        }
        try scoreSampleFile(model: URL(fileURLWithPath: model), problems: problems, samples: samples, out: out,
                            featuresFrom: featuresFrom.map { URL(fileURLWithPath: $0) }, log: logLine)
    }
}
