// A model bundle: a model directory that carries everything needed to use it (DESIGN.md, "Seams"):
// `config.json` and `model.safetensors` (Hugging Face names), and `bundle.json` with the
// tokenizer (serialized, never guessed from the vocabulary size), the prompt format and the stop
// token ids. Every model directory `e2h` writes has one. A Hugging Face folder (config.json +
// tokenizer.json) and a GGUF file are bundles too: their manifest is read from the files
// (ModelBundle+Sources.swift). Anything else is an error that says what is missing.

import Datasets
import Foundation
import Support
import Tokenizers
import Transformer

/// A tokenizer as `bundle.json` stores it.
public struct TokenizerManifest: Codable, Equatable, Sendable {
    /// `numbers` (``NumberVocabulary``), `characters` (``CharacterVocabulary``), `bpe` (a
    /// byte-level BPE `tokenizer.json` with its tokenizer_config.json / generation_config.json) or
    /// `gguf` (the tokenizer in a GGUF file's metadata).
    public var kind: String
    /// The character symbols in id order (from id 3; ids 0-2 are PAD, BOS, EOS): `numbers` and
    /// `characters` only.
    public var symbols: String?
    /// `bpe`: the tokenizer.json, `gguf`: the GGUF file; relative to the bundle's folder or absolute.
    public var path: String?

    public init(kind: String, symbols: String? = nil, path: String? = nil) {
        self.kind = kind; self.symbols = symbols; self.path = path
    }

    /// The manifest of a built-in benchmark tokenizer.
    public init(_ kind: TokenizerKind) {
        self.kind = kind.rawValue
        symbols = CharacterVocabulary.benchmarkSymbols
    }

    /// The tokenizer this manifest describes; `file` is the bundle.json (relative paths are read
    /// from its folder).
    /// - Throws: ``ModelBundleError`` for an unknown kind, unusable symbols or a tokenizer file
    ///   that cannot be read.
    public func tokenizer(file: String) throws -> any Tokenizer {
        if kind == "bpe" || kind == "gguf" { return try byteLevelTokenizer(manifestFile: file) }
        guard let symbols else { throw ModelBundleError(file: file, field: "tokenizer.symbols", message: "missing") }
        let characters: CharacterVocabulary
        do { characters = try CharacterVocabulary(symbols: symbols) } catch {
            throw ModelBundleError(file: file, field: "tokenizer.symbols", message: "\(error)")
        }
        switch kind {
        case TokenizerKind.characters.rawValue: return characters
        case TokenizerKind.numbers.rawValue:
            do { return try NumberVocabulary(characters: characters) } catch {
                throw ModelBundleError(file: file, field: "tokenizer.symbols", message: "\(error)")
            }
        default:
            throw ModelBundleError(file: file, field: "tokenizer.kind",
                                   message: "unknown tokenizer kind '\(kind)'; known: numbers, characters, bpe, gguf")
        }
    }
}

/// `bundle.json`: what a model directory needs besides config and weights.
public struct BundleManifest: Codable, Equatable, Sendable {
    public static let fileName = "bundle.json"

    /// Version of this file's layout.
    public var version = 1
    /// The tokenizer the model was trained with.
    public var tokenizer: TokenizerManifest
    /// How prompts and solutions are written.
    public var promptFormat: PromptFormat
    /// Token ids that end generation.
    public var stopTokenIDs: [Int]
    /// The model's chat template as recognised (chat models only): what `--chat` and the chat
    /// prompt formats render.
    public var chatTemplate: ChatTemplate?

    enum CodingKeys: String, CodingKey {
        case version, tokenizer
        case promptFormat = "prompt_format"
        case stopTokenIDs = "stop_token_ids"
        case chatTemplate = "chat_template"
    }

    public init(tokenizer: TokenizerManifest, promptFormat: PromptFormat, stopTokenIDs: [Int], chatTemplate: ChatTemplate? = nil) {
        self.tokenizer = tokenizer; self.promptFormat = promptFormat; self.stopTokenIDs = stopTokenIDs
        self.chatTemplate = chatTemplate
    }

    /// The manifest of a built-in benchmark model.
    public static func benchmark(_ kind: TokenizerKind) -> BundleManifest {
        BundleManifest(tokenizer: TokenizerManifest(kind), promptFormat: .paper,
                       stopTokenIDs: Array(kind.tokenizer.stopIDs).sorted())
    }

    /// Writes `bundle.json` into `directory` atomically.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Reads `bundle.json` of `directory`.
    public static func read(from directory: URL) throws -> BundleManifest {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelBundleError(file: url.path, field: nil, message:
                "missing: the model's tokenizer, prompt format and stop tokens are unknown (every model folder "
                + "e2h writes has one; a folder from an older e2h can be fixed by writing it, see README \"Model folders\")")
        }
        do { return try JSONDecoder().decode(BundleManifest.self, from: data) } catch let error as DecodingError {
            if error.fieldPath == nil, let syntax = jsonSyntaxError(in: data) {
                throw ModelBundleError(file: url.path, field: nil, message: "not valid JSON: \(syntax)")
            }
            throw ModelBundleError(file: url.path, field: error.fieldPath, message: error.shortDescription)
        }
    }
}

extension BundleManifest {
    /// The chat template: the model's own when recognised, else the plain one of a chat prompt
    /// format; nil for the paper's format without one.
    public var effectiveChatTemplate: ChatTemplate? {
        chatTemplate ?? (promptFormat == .paper ? nil : ChatTemplate(format: promptFormat))
    }

    /// The prompt of a problem in this manifest's format (a chat format uses the model's template).
    public func prompt(problem: String) -> String {
        guard promptFormat != .paper, let chat = effectiveChatTemplate else { return promptFormat.prompt(problem: problem) }
        return chat.prompt(problem: problem)
    }

    /// A worked solution in this manifest's format.
    public func completion(steps: [String], answer: String) -> String {
        guard promptFormat != .paper, let chat = effectiveChatTemplate else {
            return promptFormat.completion(steps: steps, answer: answer)
        }
        return chat.completion(steps: steps, answer: answer)
    }
}

/// A loaded model with its tokenizer and prompt format.
public struct ModelBundle {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    public let manifest: BundleManifest
    /// The folder (or GGUF file) it was loaded from.
    public let directory: URL

    public init(model: TransformerModel, tokenizer: any Tokenizer, manifest: BundleManifest, directory: URL) {
        self.model = model; self.tokenizer = tokenizer; self.manifest = manifest; self.directory = directory
    }

    public var promptFormat: PromptFormat { manifest.promptFormat }

    /// The chat template: the model's own when recognised, else the plain one of a chat prompt
    /// format; nil for a model without one (then `--chat` is refused).
    public var chatTemplate: ChatTemplate? { manifest.effectiveChatTemplate }

    /// Token ids that end a generation (the manifest's).
    public var stopTokenIDs: Set<Int> { Set(manifest.stopTokenIDs) }

    /// The prompt of a problem in this bundle's format (a chat format uses the model's template).
    public func prompt(problem: String) -> String { manifest.prompt(problem: problem) }

    /// A worked solution in this bundle's format.
    public func completion(steps: [String], answer: String) -> String { manifest.completion(steps: steps, answer: answer) }

    /// Loads an e2h model folder (config, weights, `bundle.json`); the tokenizer must fit the model.
    /// A Hugging Face folder (config.json + tokenizer.json, no bundle.json) and a `.gguf` file are
    /// loaded by ``load(from:promptFormat:)``.
    static func loadE2H(from directory: URL, promptFormat: PromptFormat?) throws -> ModelBundle {
        var manifest = try BundleManifest.read(from: directory)
        if let promptFormat { manifest.promptFormat = promptFormat }
        let file = directory.appendingPathComponent(BundleManifest.fileName).path
        let tokenizer = try manifest.tokenizer.tokenizer(file: file)
        let model = try TransformerModel.load(from: directory)
        return try checked(ModelBundle(model: model, tokenizer: tokenizer, manifest: manifest, directory: directory), file: file)
    }

    /// Checks that the tokenizer and the stop ids fit the model.
    static func checked(_ bundle: ModelBundle, file: String) throws -> ModelBundle {
        let vocab = bundle.model.config.vocabSize
        guard bundle.tokenizer.vocabularySize <= vocab else {
            throw ModelBundleError(file: file, field: "tokenizer", message:
                "the tokenizer has \(bundle.tokenizer.vocabularySize) ids but the model's vocab_size is \(vocab)")
        }
        if let bad = bundle.manifest.stopTokenIDs.first(where: { $0 < 0 || $0 >= vocab }) {
            throw ModelBundleError(file: file, field: "stop_token_ids", message: "id \(bad) is outside the vocabulary 0..<\(vocab)")
        }
        return bundle
    }
}

/// A `bundle.json` that is missing or wrong, naming the file and the field.
public struct ModelBundleError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var field: String?
    public var message: String
    public var description: String { "\(file)\(field.map { ": \($0)" } ?? ""): \(message)" }

    public init(file: String, field: String?, message: String) {
        self.file = file; self.field = field; self.message = message
    }
}

extension DecodingError {
    /// The dotted path of the field a decoding error is about.
    var fieldPath: String? {
        let path: [CodingKey]
        switch self {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        @unknown default: return nil
        }
        return path.isEmpty ? nil : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// What is wrong, without Swift's type dump.
    var shortDescription: String {
        switch self {
        case .keyNotFound: "missing"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        case .dataCorrupted(let c): c.debugDescription
        @unknown default: "\(self)"
        }
    }
}
