/// The `tokenizer.ggml.*` metadata as plain values (Tokenizers' `GGMLTokenizerMetadata` takes
/// the same fields; model loading joins the two layer-0 targets).
public struct GGUFTokenizerFields: Sendable, Equatable {
    public var model: String
    public var pre: String?
    public var tokens: [String]
    public var tokenTypes: [Int]?
    public var merges: [String]
    public var bosID: Int?
    public var eosID: Int?
    public var padID: Int?
    public var eotID: Int?
    public var eomID: Int?
    public var addBOS: Bool?
    /// `tokenizer.chat_template` (Jinja source).
    public var chatTemplate: String?
}

extension GGUFFile {
    /// The tokenizer metadata; throws naming the key when `tokenizer.ggml.model` or the tokens are
    /// missing, or a list holds values of the wrong type.
    public func tokenizerFields() throws -> GGUFTokenizerFields {
        guard let model = metadata["tokenizer.ggml.model"]?.string else {
            throw GGUFError.missingKey(file: path, key: "tokenizer.ggml.model", expected: "a string")
        }
        func strings(_ key: String) throws -> [String]? {
            guard let value = metadata[key] else { return nil }
            guard let items = value.array else { throw GGUFError.missingKey(file: path, key: key, expected: "an array of strings") }
            return try items.enumerated().map { i, item in
                guard let s = item.string else { throw GGUFError.invalid(file: path, field: "\(key)[\(i)]", reason: "not a string") }
                return s
            }
        }
        guard let tokens = try strings("tokenizer.ggml.tokens") else {
            throw GGUFError.missingKey(file: path, key: "tokenizer.ggml.tokens", expected: "an array of strings")
        }
        var types: [Int]?
        if let value = metadata["tokenizer.ggml.token_type"] {
            guard let items = value.array else { throw GGUFError.missingKey(file: path, key: "tokenizer.ggml.token_type", expected: "an array of integers") }
            types = try items.enumerated().map { i, item in
                guard let t = item.int else { throw GGUFError.invalid(file: path, field: "tokenizer.ggml.token_type[\(i)]", reason: "not an integer") }
                return t
            }
        }
        func id(_ name: String) throws -> Int? {
            guard let value = metadata["tokenizer.ggml.\(name)"] else { return nil }
            guard let i = value.int, i >= 0, i < tokens.count else {
                throw GGUFError.invalid(file: path, field: "tokenizer.ggml.\(name)", reason: "\(value) is not a token id below \(tokens.count)")
            }
            return i
        }
        return GGUFTokenizerFields(
            model: model, pre: metadata["tokenizer.ggml.pre"]?.string, tokens: tokens, tokenTypes: types,
            merges: try strings("tokenizer.ggml.merges") ?? [], bosID: try id("bos_token_id"), eosID: try id("eos_token_id"),
            padID: try id("padding_token_id"), eotID: try id("eot_token_id"), eomID: try id("eom_token_id"),
            addBOS: metadata["tokenizer.ggml.add_bos_token"]?.bool, chatTemplate: metadata["tokenizer.chat_template"]?.string)
    }
}
