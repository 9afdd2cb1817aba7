import ArgumentParser
import Experiment
import Foundation
import Training

/// `--prompt-format` parsed.
func parsePromptFormat(_ text: String?) throws -> PromptFormat? {
    guard let text else { return nil }
    guard let format = PromptFormat(rawValue: text) else {
        throw ValidationError("--prompt-format must be one of \(PromptFormat.allCases.map(\.rawValue).joined(separator: ", ")); found \(text)")
    }
    return format
}

/// `e2h tokenize`.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Text to token ids (or back) with a model's tokenizer.",
        discussion: """
            Reads standard input: one JSON string per line, written back as a JSON array of token ids (no BOS; \
            special-token text such as <|im_start|> becomes its token). With --decode, one JSON array of ids per \
            line, written back as a JSON string. MODEL is an e2h model folder, a Hugging Face folder \
            (tokenizer.json) or a .gguf file; the weights are not read.
            """)

    @Option(help: "Model folder or .gguf file.") var model: String
    @Flag(help: "Ids to text instead of text to ids.") var decode = false

    mutating func run() throws {
        try tokenizeLines(model: URL(fileURLWithPath: model), decode: decode, readLine: { Swift.readLine(strippingNewline: true) }) {
            print($0)
        }
    }
}

/// `e2h generate`.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's continuation of a prompt as it is decoded.",
        discussion: """
            MODEL is an e2h model folder, a Hugging Face folder (config.json, model.safetensors or shards, \
            tokenizer.json) or a .gguf file (llama, qwen2). --chat renders the prompt as a user turn of the \
            model's chat template (ChatML or Llama 3; docs/models.md). Generation stops at the EOS or the end of \
            the turn, a --stop text, or --max-new-tokens. The speed goes to standard error.
            """)

    @Option(help: "Model folder or .gguf file.") var model: String
    @Option(help: "The prompt text.") var prompt: String
    @Flag(help: "Render the prompt with the model's chat template.") var chat = false
    @Option(help: "System message with --chat (default: the template's own).") var system: String?
    @Option(help: "paper, chatml or llama3: overrides the format the model's files give.") var promptFormat: String?
    @Option(help: "Most new tokens (≥ 1).") var maxNewTokens = 128
    @Option(help: "Temperature, finite and ≥ 0 (0 = greedy).") var temperature: Float = 0
    @Option(help: "Top-k, ≥ 0 (0 = off).") var topK = 0
    @Option(help: "Top-p, in (0, 1] (1 = off).") var topP: Float = 1
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "A text that ends the continuation, not printed (repeatable).") var stop: [String] = []
    @Flag(help: "Dequantize a GGUF file's weights to float32 at load instead of computing on its Q4_0 / Q4_1 / Q8_0 blocks.")
    var floatWeights = false
    @OptionGroup var precision: MatmulOptions

    mutating func run() throws {
        try precision.apply()
        var options = GenerateOptions()
        options.chat = chat
        options.system = system
        options.promptFormat = try parsePromptFormat(promptFormat)
        options.keepQuantized = !floatWeights
        options.settings = DecodeSettings(samples: 1, temperature: temperature, topK: topK, topP: topP, seed: seed,
                                          maxNewTokens: maxNewTokens, stopStrings: stop)
        do { try options.settings.validate() } catch {
            let flags = ["temperature": "--temperature", "topK": "--top-k", "topP": "--top-p", "maxNewTokens": "--max-new-tokens"]
            throw ValidationError("\(flags[error.setting] ?? error.setting) is \(error.value); it must be \(error.allowed)")
        }
        let result = try generate(model: URL(fileURLWithPath: model), prompt: prompt, options: options) { piece in
            FileHandle.standardOutput.write(Data(piece.utf8))
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
        logLine(String(format: "%d new tokens (%@), %.1f tokens/s", result.output.tokenIDs.count,
                       result.output.finishReason.rawValue, result.tokensPerSecond))
    }
}
