// Where a model bundle comes from: an e2h folder (bundle.json), a Hugging Face folder
// (config.json, model.safetensors or shards, tokenizer.json, tokenizer_config.json with the chat
// template, generation_config.json with the EOS ids) or a GGUF file (config, weights, tokenizer and
// chat template in one file). The manifest of the last two is derived from their files.

import Foundation
import GGUF
import Tokenizers
import Transformer

/// The kinds of model a path can name.
public enum ModelSourceKind: Equatable, Sendable {
    /// A folder with bundle.json (written by e2h).
    case e2h
    /// A Hugging Face folder: config.json and tokenizer.json, no bundle.json.
    case huggingFace
    /// A GGUF file.
    case gguf

    /// What `url` names.
    /// - Throws: ``ModelBundleError`` naming the path and what is missing.
    public init(of url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelBundleError(file: url.path, field: nil, message: "no such file or folder")
        }
        if !isDirectory.boolValue { self = .gguf; return }
        func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) }
        if has(BundleManifest.fileName) { self = .e2h; return }
        if has("tokenizer.json") && has(TransformerModel.configFileName) { self = .huggingFace; return }
        throw ModelBundleError(file: url.appendingPathComponent(BundleManifest.fileName).path, field: nil, message:
            "missing: the model's tokenizer, prompt format and stop tokens are unknown (every model folder "
            + "e2h writes has one; a Hugging Face folder needs config.json and tokenizer.json; a GGUF file is named directly; "
            + "a folder from an older e2h can be fixed by writing it, see README \"Model folders\")")
    }
}

extension ModelBundle {
    /// Loads a model bundle from an e2h folder, a Hugging Face folder or a GGUF file.
    /// - Parameter promptFormat: overrides the format the files give (the chat template's family,
    ///   or `paper` for a model without a template).
    /// - Throws: ``ModelBundleError``, ``TransformerError``, `GGUFError`, `TokenizerError` or
    ///   `SafeTensorsError`, each naming the file and the key or tensor at fault.
    public static func load(from url: URL, promptFormat: PromptFormat? = nil) throws -> ModelBundle {
        try load(from: url, promptFormat: promptFormat, keepQuantized: false)
    }

    /// ``load(from:promptFormat:)``; with `keepQuantized`, a GGUF file's Q4_0 / Q4_1 / Q8_0
    /// matrices stay in their block format and are computed on as stored
    /// (`TransformerModel.load(gguf:keepQuantized:)`): for decoding and scoring, not training.
    /// Folders load as floats either way.
    public static func load(from url: URL, promptFormat: PromptFormat?, keepQuantized: Bool) throws -> ModelBundle {
        switch try ModelSourceKind(of: url) {
        case .e2h: return try loadE2H(from: url, promptFormat: promptFormat)
        case .huggingFace:
            let (tokenizer, manifest) = try huggingFaceTokenizer(url, promptFormat: promptFormat)
            let model = try TransformerModel.load(from: url)
            return try checked(ModelBundle(model: model, tokenizer: tokenizer, manifest: manifest, directory: url),
                               file: url.appendingPathComponent("tokenizer.json").path)
        case .gguf:
            let file = try GGUFFile(path: url.path)
            let (tokenizer, manifest) = try ggufTokenizer(file, promptFormat: promptFormat)
            let model = try TransformerModel.load(gguf: file, keepQuantized: keepQuantized)
            return try checked(ModelBundle(model: model, tokenizer: tokenizer, manifest: manifest, directory: url), file: url.path)
        }
    }

    /// The tokenizer and manifest of a model without loading its weights (`e2h tokenize`).
    public static func loadTokenizer(from url: URL, promptFormat: PromptFormat? = nil) throws -> (tokenizer: any Tokenizer, manifest: BundleManifest) {
        switch try ModelSourceKind(of: url) {
        case .e2h:
            var manifest = try BundleManifest.read(from: url)
            if let promptFormat { manifest.promptFormat = promptFormat }
            return (try manifest.tokenizer.tokenizer(file: url.appendingPathComponent(BundleManifest.fileName).path), manifest)
        case .huggingFace: return try huggingFaceTokenizer(url, promptFormat: promptFormat)
        case .gguf: return try ggufTokenizer(GGUFFile(path: url.path), promptFormat: promptFormat)
        }
    }

    /// The manifest of a byte-level BPE model: the prompt format from the chat template (or the
    /// override), stop ids = the tokenizer's (EOS, end of turn) + the template's end-of-turn token.
    static func manifest(tokenizer: ByteLevelBPE, source: TokenizerManifest, template: String?, templateFile: String,
                         templateField: String, promptFormat: PromptFormat?) throws -> BundleManifest {
        var chat: ChatTemplate?
        if let template {
            do { chat = try ChatTemplate.recognise(template, file: templateFile, field: templateField) } catch {
                // An override makes an unknown template harmless; without one the user must choose.
                guard promptFormat != nil else { throw error }
            }
        }
        if let override = promptFormat, override != .paper, chat?.format != override { chat = ChatTemplate(format: override) }
        var stops = tokenizer.stopIDs
        if let chat {
            guard let id = tokenizer.id(of: chat.endOfTurnToken) else {
                throw ModelBundleError(file: templateFile, field: templateField, message:
                    "the \(chat.format.rawValue) format ends turns with \(chat.endOfTurnToken), which is not a token of this tokenizer")
            }
            stops.insert(id)
        }
        return BundleManifest(tokenizer: source, promptFormat: promptFormat ?? chat?.format ?? .paper,
                              stopTokenIDs: stops.sorted(), chatTemplate: chat)
    }

    static func huggingFaceTokenizer(_ directory: URL, promptFormat: PromptFormat?) throws -> (ByteLevelBPE, BundleManifest) {
        let tokenizer = try ByteLevelBPE(directory: directory)
        let (template, file, field) = try huggingFaceChatTemplate(directory)
        let manifest = try manifest(tokenizer: tokenizer, source: TokenizerManifest(kind: "bpe", path: "tokenizer.json"),
                                    template: template, templateFile: file, templateField: field, promptFormat: promptFormat)
        return (tokenizer, manifest)
    }

    /// The chat template of a Hugging Face folder: `chat_template.jinja` (transformers 5), or
    /// tokenizer_config.json's `chat_template` (a string, or a list of {name, template} whose
    /// "default" entry is used).
    static func huggingFaceChatTemplate(_ directory: URL) throws -> (String?, String, String) {
        let jinja = directory.appendingPathComponent("chat_template.jinja")
        if let data = FileManager.default.contents(atPath: jinja.path) {
            return (String(decoding: data, as: UTF8.self), jinja.path, "(file)")
        }
        let config = directory.appendingPathComponent("tokenizer_config.json")
        guard let data = FileManager.default.contents(atPath: config.path),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let value = root["chat_template"] else { return (nil, config.path, "chat_template") }
        if let text = value as? String { return (text, config.path, "chat_template") }
        if let list = value as? [[String: Any]],
           let entry = list.first(where: { $0["name"] as? String == "default" }) ?? list.first,
           let text = entry["template"] as? String {
            return (text, config.path, "chat_template")
        }
        throw ModelBundleError(file: config.path, field: "chat_template", message: "neither a string nor a list of {name, template}")
    }

    static func ggufTokenizer(_ file: GGUFFile, promptFormat: PromptFormat?) throws -> (ByteLevelBPE, BundleManifest) {
        let fields = try file.tokenizerFields()
        let tokenizer = try ByteLevelBPE(ggml: GGMLTokenizerMetadata(
            model: fields.model, pre: fields.pre, tokens: fields.tokens, tokenTypes: fields.tokenTypes, merges: fields.merges,
            bosID: fields.bosID, eosID: fields.eosID, padID: fields.padID, eotID: fields.eotID, eomID: fields.eomID,
            addBOS: fields.addBOS, file: file.path))
        let manifest = try manifest(tokenizer: tokenizer, source: TokenizerManifest(kind: "gguf", path: file.path),
                                    template: fields.chatTemplate, templateFile: file.path, templateField: "tokenizer.chat_template",
                                    promptFormat: promptFormat)
        return (tokenizer, manifest)
    }

    /// Prepares `directory` to receive a model trained from this bundle: a byte-level BPE is
    /// written there (tokenizer.json, tokenizer_config.json) and the returned manifest names it;
    /// the built-in vocabularies need no file (their manifest is returned unchanged). The trainer
    /// writes the manifest as bundle.json beside the weights.
    public func writeTokenizer(into directory: URL) throws -> BundleManifest {
        guard let bpe = tokenizer as? ByteLevelBPE else { return manifest }
        try bpe.write(to: directory)
        var copy = manifest
        copy.tokenizer = TokenizerManifest(kind: "bpe", path: "tokenizer.json")
        return copy
    }
}

extension TokenizerManifest {
    /// The byte-level BPE of a `bpe` or `gguf` manifest.
    func byteLevelTokenizer(manifestFile: String) throws -> ByteLevelBPE {
        guard let path, !path.isEmpty else {
            throw ModelBundleError(file: manifestFile, field: "tokenizer.path", message: "missing (the \(kind) tokenizer's file)")
        }
        let base = URL(fileURLWithPath: manifestFile).deletingLastPathComponent()
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
        if kind == "gguf" {
            let file = try GGUFFile(path: url.path)
            let (tokenizer, _) = try ModelBundle.ggufTokenizer(file, promptFormat: .paper)
            return tokenizer
        }
        guard url.lastPathComponent == "tokenizer.json" else {
            throw ModelBundleError(file: manifestFile, field: "tokenizer.path", message: "\(path) is not a tokenizer.json")
        }
        return try ByteLevelBPE(directory: url.deletingLastPathComponent())
    }
}
