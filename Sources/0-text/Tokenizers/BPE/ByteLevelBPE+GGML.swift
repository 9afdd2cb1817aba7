/// The `tokenizer.ggml.*` metadata of a GGUF file, as plain values (the GGUF reader fills it;
/// both targets are layer 0, so neither depends on the other).
public struct GGMLTokenizerMetadata: Sendable, Equatable {
    /// `tokenizer.ggml.model`: only "gpt2" (byte-level BPE) is supported.
    public var model: String
    /// `tokenizer.ggml.pre`: "gpt-2" / "default" (or absent), "llama-bpe", "qwen2", "smollm".
    public var pre: String?
    /// `tokenizer.ggml.tokens`: byte-level spellings by id.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    public var tokenTypes: [Int]?
    /// `tokenizer.ggml.merges`: "a b" in rank order.
    public var merges: [String]
    /// `tokenizer.ggml.{bos,eos,padding,eot,eom}_token_id`.
    public var bosID: Int?
    public var eosID: Int?
    public var padID: Int?
    public var eotID: Int?
    public var eomID: Int?
    /// `tokenizer.ggml.add_bos_token`: whether the model expects a BOS before a prompt.
    public var addBOS: Bool?
    /// The file, for error messages.
    public var file: String

    public init(model: String, pre: String?, tokens: [String], tokenTypes: [Int]?, merges: [String],
                bosID: Int? = nil, eosID: Int? = nil, padID: Int? = nil, eotID: Int? = nil, eomID: Int? = nil,
                addBOS: Bool? = nil, file: String) {
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.padID = padID
        self.eotID = eotID
        self.eomID = eomID
        self.addBOS = addBOS
        self.file = file
    }
}

extension ByteLevelBPE {
    /// The pre-tokenizer steps, normalization and `ignore_merges` of a `tokenizer.ggml.pre` value,
    /// chosen to give the ids of the model's Hugging Face tokenizer.json (llama.cpp
    /// `src/llama-vocab.cpp` uses the same patterns).
    public static func ggmlPreTokenizer(_ pre: String?) -> (steps: [PreTokenizerStep], normalization: Normalization, ignoreMerges: Bool)? {
        switch pre ?? "default" {
        case "default", "gpt-2", "gpt2":
            return ([.byteLevel(useRegex: true)], .none, false)
        case "llama-bpe", "llama3", "llama-v3":
            return ([.split(.llama3), .byteLevel(useRegex: false)], .none, true)
        case "qwen2":
            return ([.split(.qwen2), .byteLevel(useRegex: false)], .nfc, false)
        case "smollm":
            return ([.digits(individual: true), .byteLevel(useRegex: true)], .none, false)
        default:
            return nil
        }
    }

    /// Loads the tokenizer of a GGUF file from its metadata: control tokens (type 3) become special
    /// added tokens, user-defined ones (type 4) ordinary added tokens; the EOS, EOT and EOM ids stop.
    public init(ggml metadata: GGMLTokenizerMetadata) throws {
        func fail(_ key: String, _ message: String) -> TokenizerError {
            .invalidFile(file: metadata.file, field: key, message: message)
        }
        guard metadata.model == "gpt2" else {
            throw fail("tokenizer.ggml.model", "\"\(metadata.model)\" is not supported (only gpt2, byte-level BPE)")
        }
        guard let (steps, normalization, ignoreMerges) = Self.ggmlPreTokenizer(metadata.pre) else {
            throw fail("tokenizer.ggml.pre", "\"\(metadata.pre ?? "")\" is not supported (gpt-2, llama-bpe, qwen2, smollm)")
        }
        if let types = metadata.tokenTypes, types.count != metadata.tokens.count {
            throw fail("tokenizer.ggml.token_type", "\(types.count) types for \(metadata.tokens.count) tokens")
        }
        var added: [AddedToken] = []
        for (id, type) in (metadata.tokenTypes ?? []).enumerated() where type == 3 || type == 4 {
            added.append(AddedToken(id: id, content: metadata.tokens[id], special: type == 3))
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(metadata.merges.count)
        for (i, merge) in metadata.merges.enumerated() {
            guard let space = merge.firstIndex(of: " ") else { throw fail("tokenizer.ggml.merges[\(i)]", "\"\(merge)\" is not \"a b\"") }
            merges.append((String(merge[..<space]), String(merge[merge.index(after: space)...])))
        }
        guard let eos = metadata.eosID else { throw fail("tokenizer.ggml.eos_token_id", "missing") }
        let turn = [metadata.eotID, metadata.eomID].compactMap { $0 }.filter { $0 != eos }
        // llama.cpp's default when the key is absent: a BOS for the Llama 3 pre-tokenizer only.
        let llama3 = ["llama-bpe", "llama3", "llama-v3"].contains(metadata.pre ?? "")
        let special = SpecialTokens(bos: metadata.bosID, eos: eos, pad: metadata.padID, endOfTurn: turn,
                                    addBOS: metadata.addBOS ?? llama3)
        do {
            try self.init(tokens: metadata.tokens, merges: merges, addedTokens: added, normalization: normalization,
                          preTokenizer: steps, ignoreMerges: ignoreMerges, special: special)
        } catch let TokenizerError.invalidVocabulary(message) {
            throw fail("tokenizer.ggml", message)
        }
    }
}
