// A model bundle: a model directory that carries everything needed to use it (DESIGN.md, "Seams"):
// `config.json` and `model.safetensors` (Hugging Face names), and `bundle.json` with the
// tokenizer (serialized, never guessed from the vocabulary size), the prompt format and the stop
// token ids. Every model directory `e2h` writes has one; loading a directory without it is an
// error that says what is missing.

import Datasets
import Foundation
import Support
import Tokenizers
import Transformer

/// How a problem and a solution are laid out as text for the model.
public enum PromptFormat: String, Codable, Sendable, CaseIterable {
    /// The paper's raw format: `# Question\n\n{problem}\n\n# Solution\n\n{steps}\n\n# Answer\n\n{answer}`
    /// (PAPER.md, "Text format"); generation ends after the answer line.
    case paper

    /// The prompt of a problem.
    public func prompt(problem: String) -> String {
        switch self {
        case .paper: SolutionFormat.prompt(problem: problem)
        }
    }

    /// The completion of a worked solution.
    public func completion(steps: [String], answer: String) -> String {
        switch self {
        case .paper: SolutionFormat.completion(steps: steps, answer: answer)
        }
    }
}

/// A tokenizer as `bundle.json` stores it.
public struct TokenizerManifest: Codable, Equatable, Sendable {
    /// `numbers` (``NumberVocabulary``) or `characters` (``CharacterVocabulary``).
    public var kind: String
    /// The character symbols in id order (from id 3; ids 0-2 are PAD, BOS, EOS).
    public var symbols: String

    public init(kind: String, symbols: String) { self.kind = kind; self.symbols = symbols }

    /// The manifest of a built-in benchmark tokenizer.
    public init(_ kind: TokenizerKind) {
        self.kind = kind.rawValue
        symbols = CharacterVocabulary.benchmarkSymbols
    }

    /// The tokenizer this manifest describes.
    /// - Throws: ``ModelBundleError`` for an unknown kind or unusable symbols.
    public func tokenizer(file: String) throws -> any Tokenizer {
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
                                   message: "unknown tokenizer kind '\(kind)'; known: numbers, characters")
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

    enum CodingKeys: String, CodingKey {
        case version, tokenizer
        case promptFormat = "prompt_format"
        case stopTokenIDs = "stop_token_ids"
    }

    public init(tokenizer: TokenizerManifest, promptFormat: PromptFormat, stopTokenIDs: [Int]) {
        self.tokenizer = tokenizer; self.promptFormat = promptFormat; self.stopTokenIDs = stopTokenIDs
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
            throw ModelBundleError(file: url.path, field: error.fieldPath, message: error.shortDescription)
        }
    }
}

/// A loaded model with its tokenizer and prompt format.
public struct ModelBundle {
    public let model: TransformerModel
    public let tokenizer: any Tokenizer
    public let manifest: BundleManifest
    /// The folder it was loaded from.
    public let directory: URL

    public var promptFormat: PromptFormat { manifest.promptFormat }

    /// Loads config, weights and `bundle.json` of `directory`; the tokenizer must fit the model.
    public static func load(from directory: URL) throws -> ModelBundle {
        let manifest = try BundleManifest.read(from: directory)
        let file = directory.appendingPathComponent(BundleManifest.fileName).path
        let tokenizer = try manifest.tokenizer.tokenizer(file: file)
        let model = try TransformerModel.load(from: directory)
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw ModelBundleError(file: file, field: "tokenizer", message:
                "the tokenizer has \(tokenizer.vocabularySize) ids but the model's vocab_size is \(model.config.vocabSize)")
        }
        if let bad = manifest.stopTokenIDs.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
            throw ModelBundleError(file: file, field: "stop_token_ids", message: "id \(bad) is outside the vocabulary 0..<\(model.config.vocabSize)")
        }
        return ModelBundle(model: model, tokenizer: tokenizer, manifest: manifest, directory: directory)
    }
}

/// A `bundle.json` that is missing or wrong, naming the file and the field.
public struct ModelBundleError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var field: String?
    public var message: String
    public var description: String { "\(file)\(field.map { ": \($0)" } ?? ""): \(message)" }
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
