// `e2h tokenize` and `e2h generate`: a model's tokenizer and decoder on their own, for other tools
// and for checking a model against its reference implementation.

import Foundation
import Tokenizers
import Training
import Transformer

/// A line of `e2h tokenize` input that is not what the mode expects.
public struct TokenizeLineError: Error, CustomStringConvertible, Equatable {
    /// 1-based line number on standard input.
    public var line: Int
    public var message: String
    public var description: String { "stdin line \(line): \(message)" }
}

/// `e2h tokenize`: each input line is a JSON string, written back as a JSON array of its token
/// ids (the text's ids alone: no BOS, special-token text such as `<|im_start|>` matched as the
/// token); with `decode`, each line is a JSON array of ids, written back as the JSON string they
/// decode to (special tokens decode to nothing).
/// - Throws: ``TokenizeLineError`` naming the line for input of the wrong shape or an id outside
///   the vocabulary; the model loader's errors for the model.
public func tokenizeLines(model: URL, decode: Bool, readLine: () -> String?, write: (String) -> Void) throws {
    let (tokenizer, _) = try ModelBundle.loadTokenizer(from: model, promptFormat: .paper)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    var number = 0
    while let line = readLine() {
        number += 1
        let data = Data(line.utf8)
        if decode {
            guard let ids = try? JSONDecoder().decode([Int].self, from: data) else {
                throw TokenizeLineError(line: number, message: "expected a JSON array of token ids, found \(line.prefix(60))")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= tokenizer.vocabularySize }) {
                throw TokenizeLineError(line: number, message: "token id \(bad) is outside the vocabulary 0..<\(tokenizer.vocabularySize)")
            }
            var stream = StreamingTextDecoder()
            let text = ids.map { stream.append(tokenizer.bytes(of: $0)) }.joined() + stream.finish()
            write(String(decoding: try encoder.encode(text), as: UTF8.self))
        } else {
            guard let text = try? JSONDecoder().decode(String.self, from: data) else {
                throw TokenizeLineError(line: number, message: "expected a JSON string, found \(line.prefix(60))")
            }
            let ids: [Int]
            do { ids = try tokenizer.encode(text) } catch {
                throw TokenizeLineError(line: number, message: "\(error)")
            }
            write(String(decoding: try encoder.encode(ids), as: UTF8.self))
        }
    }
}

/// Settings of `e2h generate`.
public struct GenerateOptions: Sendable {
    /// Render the prompt as a user turn of the model's chat template.
    public var chat = false
    /// A system message for `chat` (nil: the template's default, if any).
    public var system: String?
    /// Overrides the prompt format the model's files give.
    public var promptFormat: PromptFormat?
    /// Compute on a GGUF file's quantized blocks (no float copy of the weights); false
    /// dequantizes every tensor to Float at load.
    public var keepQuantized = true
    /// The decode settings (samples must be 1).
    public var settings = DecodeSettings(samples: 1, temperature: 0, maxNewTokens: 128)

    public init() {}
}

/// `e2h generate`: one continuation of `prompt`, written piece by piece as it is decoded (through
/// the decode scheduler, so stop ids, stop strings and the draws are those of `e2h sample`).
/// - Returns: the finished sequence, and the decoding speed in tokens/s (prompt and new tokens).
/// - Throws: ``ModelBundleError`` for `chat` on a model without a chat template, the loader's
///   errors, and ``DecodeSettingsError`` for settings out of range.
@discardableResult
public func generate(model url: URL, prompt: String, options: GenerateOptions,
                     write: @escaping (String) -> Void) throws -> (output: DecodeOutput, tokensPerSecond: Double) {
    try options.settings.validate()
    let bundle = try ModelBundle.load(from: url, promptFormat: options.promptFormat, keepQuantized: options.keepQuantized)
    var text = prompt
    if options.chat {
        guard let template = bundle.chatTemplate else {
            throw ModelBundleError(file: url.path, field: "chat_template", message:
                "the model has no chat template; pass --prompt-format chatml or llama3, or leave out --chat")
        }
        let system = options.system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        text = template.render(system + [ChatMessage(role: "user", content: prompt)])
    }
    let ids = try bundle.tokenizer.encodeSequence(prompt: text, completion: "", appendEOS: false).tokens.map(Int.init)
    guard !ids.isEmpty else { throw ModelBundleError(file: url.path, field: nil, message: "the prompt is empty and the model adds no BOS") }
    guard ids.count < bundle.model.config.maxPositions else {
        throw ModelBundleError(file: url.path, field: nil, message:
            "the prompt has \(ids.count) tokens; the model's context is \(bundle.model.config.maxPositions)")
    }
    var settings = options.settings
    settings.samples = 1
    settings.stopTokenIDs.formUnion(bundle.stopTokenIDs)
    var config = SamplingConfig()
    config.batchSlots = 1
    let sampler = Sampler(model: bundle.model, tokenizer: bundle.tokenizer, config: config, stopTokenIDs: settings.stopTokenIDs)
    let outputs = try sampler.decode([DecodeRequest(id: 0, prompt: ids, settings: settings)]) { token in write(token.text) }
    return (outputs[0], Double(sampler.lastTokenCount) / max(sampler.lastSeconds, 1e-9))
}
