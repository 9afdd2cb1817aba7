import Foundation
import Support

/// Reading and writing Hugging Face `tokenizer.json` (and the role ids of `tokenizer_config.json`).
///
/// Supported: `model.type` BPE (merges as `"a b"` strings or `["a", "b"]` pairs, `ignore_merges`),
/// `normalizer` null or NFC, `pre_tokenizer` ByteLevel, Split with a known pattern (Isolated),
/// Digits, and Sequences of these, `decoder` null or ByteLevel. Anything else is refused with the
/// field that names it.
extension ByteLevelBPE {
    /// Loads a tokenizer.json.
    /// - Parameters:
    ///   - special: role ids; nil guesses them from the added tokens (EOS: `<|endoftext|>`,
    ///     `<|end_of_text|>`, `<|im_end|>`, `</s>`; BOS: `<|begin_of_text|>`, `<s>`).
    ///   - file: the name used in error messages.
    public init(tokenizerJSON data: Data, special: SpecialTokens? = nil, file: String = "tokenizer.json") throws {
        func fail(_ field: String, _ message: String) -> TokenizerError {
            .invalidFile(file: file, field: field, message: message)
        }
        if let syntax = jsonSyntaxError(in: data) { throw fail("(root)", "not valid JSON: \(syntax)") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("(root)", "not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else { throw fail("model", "missing") }
        if let type = model["type"] as? String, type != "BPE" {
            throw fail("model.type", "\"\(type)\" is not supported (only BPE)")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw fail("model.vocab", "missing or not an object") }
        var tokens = [String](repeating: "", count: vocab.count)
        var seen = [Bool](repeating: false, count: vocab.count)
        for (token, value) in vocab {
            guard let id = value as? Int, id >= 0, id < vocab.count, !seen[id] else {
                throw fail("model.vocab[\"\(token)\"]", "id \(value) is not a distinct integer in 0..<\(vocab.count)")
            }
            tokens[id] = token
            seen[id] = true
        }
        for unsupported in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[unsupported] as? String, !value.isEmpty {
                throw fail("model.\(unsupported)", "\"\(value)\" is not supported by a byte-level BPE")
            }
        }
        if model["byte_fallback"] as? Bool == true { throw fail("model.byte_fallback", "true is not supported") }
        if let dropout = model["dropout"] as? Double, dropout > 0 { throw fail("model.dropout", "\(dropout) is not supported") }
        guard let rawMerges = model["merges"] as? [Any] else { throw fail("model.merges", "missing or not an array") }
        var merges: [(String, String)] = []
        merges.reserveCapacity(rawMerges.count)
        for (i, entry) in rawMerges.enumerated() {
            if let text = entry as? String, let space = text.firstIndex(of: " ") {
                merges.append((String(text[..<space]), String(text[text.index(after: space)...])))
            } else if let pair = entry as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else {
                throw fail("model.merges[\(i)]", "neither \"a b\" nor [\"a\", \"b\"]")
            }
        }
        var added: [AddedToken] = []
        for (i, entry) in ((root["added_tokens"] as? [[String: Any]]) ?? []).enumerated() {
            guard let id = entry["id"] as? Int, let content = entry["content"] as? String else {
                throw fail("added_tokens[\(i)]", "needs an integer id and a string content")
            }
            added.append(AddedToken(id: id, content: content, special: entry["special"] as? Bool ?? false,
                                    lstrip: entry["lstrip"] as? Bool ?? false, rstrip: entry["rstrip"] as? Bool ?? false))
        }
        let normalization = try Self.normalization(root["normalizer"], fail)
        let steps = try Self.steps(root["pre_tokenizer"], field: "pre_tokenizer", fail)
        if let decoder = root["decoder"] as? [String: Any] {
            let type = decoder["type"] as? String ?? "?"
            let inner = type == "Sequence" ? (decoder["decoders"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } : [type]
            guard inner == ["ByteLevel"] else { throw fail("decoder", "\(inner) is not supported (only ByteLevel)") }
        }
        let roles = try special ?? Self.guessSpecial(added, file: file)
        do {
            try self.init(tokens: tokens, merges: merges, addedTokens: added, normalization: normalization,
                          preTokenizer: steps, ignoreMerges: model["ignore_merges"] as? Bool ?? false, special: roles)
        } catch let TokenizerError.invalidVocabulary(message) {
            throw fail("model", message)
        }
    }

    private static func normalization(_ value: Any?, _ fail: (String, String) -> TokenizerError) throws -> Normalization {
        guard let object = value as? [String: Any] else { return .none }
        let type = object["type"] as? String ?? "?"
        if type == "NFC" { return .nfc }
        if type == "Sequence", let inner = object["normalizers"] as? [[String: Any]] {
            let types = inner.compactMap { $0["type"] as? String }
            if types.isEmpty { return .none }
            if types == ["NFC"] { return .nfc }
            throw fail("normalizer", "Sequence \(types) is not supported (only NFC)")
        }
        throw fail("normalizer", "\(type) is not supported (only null or NFC)")
    }

    private static func steps(_ value: Any?, field: String, _ fail: (String, String) -> TokenizerError) throws -> [PreTokenizerStep] {
        guard let object = value as? [String: Any] else {
            throw fail(field, "missing: a byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        let type = object["type"] as? String ?? "?"
        switch type {
        case "Sequence":
            let inner = object["pretokenizers"] as? [Any] ?? []
            return try inner.enumerated().flatMap { try steps($0.element, field: "\(field).pretokenizers[\($0.offset)]", fail) }
        case "ByteLevel":
            if object["add_prefix_space"] as? Bool == true { throw fail("\(field).add_prefix_space", "true is not supported") }
            return [.byteLevel(useRegex: object["use_regex"] as? Bool ?? true)]
        case "Digits":
            return [.digits(individual: object["individual_digits"] as? Bool ?? false)]
        case "Split":
            guard let pattern = object["pattern"] as? [String: Any], let regex = pattern["Regex"] as? String else {
                throw fail("\(field).pattern", "only Regex patterns are supported")
            }
            guard let known = PreTokenizerPattern(regex: regex) else {
                throw fail("\(field).pattern.Regex", "\(regex) is not one of the known patterns (GPT-2, Llama 3, Qwen2)")
            }
            guard object["behavior"] as? String == "Isolated", object["invert"] as? Bool != true else {
                throw fail("\(field).behavior", "only Isolated without invert is supported")
            }
            return [.split(known)]
        default:
            throw fail(field, "\(type) is not supported (ByteLevel, Split, Digits, Sequence)")
        }
    }

    static func guessSpecial(_ added: [AddedToken], file: String) throws -> SpecialTokens {
        func find(_ names: [String]) -> Int? {
            names.lazy.compactMap { name in added.first(where: { $0.content == name })?.id }.first
        }
        guard let eos = find(["<|endoftext|>", "<|end_of_text|>", "<|im_end|>", "</s>", "<|eot_id|>"]) else {
            throw TokenizerError.invalidFile(file: file, field: "added_tokens",
                                             message: "no end-of-sequence token found; pass the special token ids")
        }
        return SpecialTokens(bos: find(["<|begin_of_text|>", "<s>"]), eos: eos)
    }

    /// The tokenizer as a Hugging Face tokenizer.json (which `tokenizers` loads).
    public func tokenizerJSON() throws -> Data {
        var vocab: [String: Int] = [:]
        for (id, token) in tokens.enumerated() where vocab[token] == nil { vocab[token] = id }
        let added: [[String: Any]] = addedTokens.map {
            ["id": $0.id, "content": $0.content, "single_word": false, "lstrip": $0.lstrip, "rstrip": $0.rstrip,
             "normalized": false, "special": $0.special]
        }
        let steps: [[String: Any]] = preTokenizer.map { step in
            switch step {
            case let .byteLevel(useRegex):
                return ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": useRegex]
            case let .digits(individual):
                return ["type": "Digits", "individual_digits": individual]
            case let .split(pattern):
                return ["type": "Split", "pattern": ["Regex": pattern.regex], "behavior": "Isolated", "invert": false]
            }
        }
        let root: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": normalization == .nfc ? ["type": "NFC"] as [String: Any] : NSNull(),
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": steps] as [String: Any],
            "post_processor": NSNull(),
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true] as [String: Any],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                      "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": ignoreMerges, "vocab": vocab, "merges": merges.map { [$0.0, $0.1] }] as [String: Any],
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    /// Writes `tokenizer.json` and `tokenizer_config.json` (the role tokens by content, and the
    /// end-of-turn ids under the key `e2h_end_of_turn_ids`) into `directory`.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(tokenizerJSON(), to: directory.appendingPathComponent("tokenizer.json"))
        var config: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "e2h_end_of_turn_ids": special.endOfTurn]
        func content(_ id: Int?) -> Any { id.map { tokenText($0) } ?? NSNull() }
        config["bos_token"] = content(special.bos)
        config["eos_token"] = content(special.eos)
        config["pad_token"] = content(special.pad)
        config["add_bos_token"] = special.addBOS
        let data = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted])
        try AtomicFile.write(data, to: directory.appendingPathComponent("tokenizer_config.json"))
    }

    /// Whether a tokenizer.json `post_processor` (TemplateProcessing, possibly inside a Sequence)
    /// puts the token `bosContent` first in a single sequence.
    static func postProcessorAddsBOS(_ value: Any?, bosContent: String) -> Bool {
        guard let object = value as? [String: Any] else { return false }
        if object["type"] as? String == "Sequence", let steps = object["processors"] as? [Any] {
            return steps.contains { postProcessorAddsBOS($0, bosContent: bosContent) }
        }
        guard object["type"] as? String == "TemplateProcessing", let single = object["single"] as? [Any],
              let first = (single.first as? [String: Any])?["SpecialToken"] as? [String: Any] else { return false }
        return first["id"] as? String == bosContent
    }

    /// The text of a token as tokenizer_config.json names it: an added token's content, else its
    /// byte-level spelling.
    func tokenText(_ id: Int) -> String {
        addedTokens.first(where: { $0.id == id })?.content ?? (id < tokens.count ? tokens[id] : "")
    }

    /// Loads `tokenizer.json` of a model directory with the role tokens of `tokenizer_config.json`
    /// (`bos_token`, `eos_token`, `pad_token`: strings or `{"content": ...}`) and the EOS ids of
    /// `generation_config.json` (`eos_token_id`: an id or a list; ids beyond the first become
    /// end-of-turn ids). Missing config files fall back to ``init(tokenizerJSON:special:file:)``'s guess.
    public init(directory: URL) throws {
        let file = directory.appendingPathComponent("tokenizer.json")
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw TokenizerError.invalidFile(file: file.path, field: "(file)", message: "cannot be read: \(error.localizedDescription)")
        }
        let plain = try ByteLevelBPE(tokenizerJSON: data, special: SpecialTokens(bos: nil, eos: 0), file: file.path)
        func object(_ name: String) throws -> [String: Any]? {
            let url = directory.appendingPathComponent(name)
            guard let bytes = try? Data(contentsOf: url) else { return nil }
            if let syntax = jsonSyntaxError(in: bytes) {
                throw TokenizerError.invalidFile(file: url.path, field: "(root)", message: "not valid JSON: \(syntax)")
            }
            guard let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else {
                throw TokenizerError.invalidFile(file: url.path, field: "(root)", message: "not a JSON object")
            }
            return object
        }
        let config = try object("tokenizer_config.json")
        let generation = try object("generation_config.json")
        func role(_ key: String) throws -> Int? {
            guard let value = config?[key] else { return nil }
            guard let content = (value as? String) ?? ((value as? [String: Any])?["content"] as? String) else { return nil }
            guard let id = plain.id(of: content) else {
                throw TokenizerError.invalidFile(file: directory.appendingPathComponent("tokenizer_config.json").path,
                                                 field: key, message: "\"\(content)\" is not a token")
            }
            return id
        }
        var eosIDs: [Int] = []
        if let value = generation?["eos_token_id"] { eosIDs = (value as? [Int]) ?? ((value as? Int).map { [$0] } ?? []) }
        let guessed = config == nil && generation == nil ? try Self.guessSpecial(plain.addedTokens, file: file.path) : nil
        guard let eos = try role("eos_token") ?? eosIDs.first ?? guessed?.eos else {
            throw TokenizerError.invalidFile(file: directory.appendingPathComponent("tokenizer_config.json").path,
                                             field: "eos_token", message: "missing (and no eos_token_id in generation_config.json)")
        }
        let extra = (config?["e2h_end_of_turn_ids"] as? [Int]) ?? []
        let bos = try role("bos_token") ?? (generation?["bos_token_id"] as? Int) ?? guessed?.bos
        // add_bos_token when tokenizer_config.json says; else whether the post-processor's template
        // for a single sequence starts with the BOS (Llama 3's TemplateProcessing).
        var addBOS = config?["add_bos_token"] as? Bool
        if addBOS == nil, let bos, let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            addBOS = Self.postProcessorAddsBOS(root["post_processor"], bosContent: plain.tokenText(bos))
        }
        let special = SpecialTokens(bos: bos, eos: eos, pad: try role("pad_token"),
                                    endOfTurn: Array(Set(eosIDs + extra).subtracting([eos])).sorted(), addBOS: addBOS ?? false)
        try self.init(tokenizerJSON: data, special: special, file: file.path)
    }
}
