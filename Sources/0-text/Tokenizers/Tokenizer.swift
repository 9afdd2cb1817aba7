/// The seam between text and token ids that models, trainers and samplers use.
///
/// The built-in benchmark uses ``NumberVocabulary`` (one token per character, and one per group of
/// up to three digits) or ``CharacterVocabulary`` (one token per Unicode scalar); a byte-level BPE
/// for real checkpoints can conform to the same protocol.
public protocol Tokenizer: Sendable {
    /// Number of token ids; every id is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Id of the padding token (never produced by `encode`).
    var padID: Int { get }
    /// Id of the beginning-of-sequence token.
    var bosID: Int { get }
    /// Id of the end-of-sequence token; a sampled EOS ends a solution.
    var eosID: Int { get }
    /// Whether a sequence starts with the BOS (the built-in vocabularies, Llama 3); SmolLM2 and
    /// Qwen2 prompts start with their first text token.
    var addsBOS: Bool { get }

    /// Encodes `text` without special tokens.
    /// - Throws: ``TokenizerError/unknownCharacter(_:offset:)`` for text outside the vocabulary.
    func encode(_ text: String) throws -> [Int]

    /// Encodes `text` and gives, for each token, the offset (Unicode scalars) where its text
    /// starts: how character positions of a parsed solution become token positions.
    func encodeWithOffsets(_ text: String) throws -> (ids: [Int], offsets: [Int])

    /// Decodes ids to text; special tokens are dropped and decoding stops at the first EOS
    /// when `stopAtEOS` is true. Ids outside the vocabulary decode to U+FFFD.
    func decode(_ ids: [Int], stopAtEOS: Bool) -> String

    /// Every id that ends a generated sequence (the EOS and, for chat models, end-of-turn ids).
    var stopIDs: Set<Int> { get }

    /// The UTF-8 bytes one token contributes to decoded text; empty for special tokens. A byte-level
    /// BPE token may hold part of a character, so text is assembled from bytes
    /// (``StreamingTextDecoder``), never by joining per-token strings.
    func bytes(of id: Int) -> [UInt8]
}

extension Tokenizer {
    /// The EOS only.
    public var stopIDs: Set<Int> { [eosID] }

    /// True: the built-in vocabularies start every sequence with the BOS.
    public var addsBOS: Bool { true }

    /// The bytes of the token's decoded text (vocabularies whose tokens are whole characters).
    public func bytes(of id: Int) -> [UInt8] {
        guard id != padID, id != bosID, id != eosID else { return [] }
        return Array(decode([id], stopAtEOS: false).utf8)
    }

    /// Encodes a whole training document: `[BOS] + encode(text) + [EOS]` (no BOS unless ``addsBOS``).
    public func encodeDocument(_ text: String) throws -> [Int] {
        (addsBOS ? [bosID] : []) + (try encode(text)) + [eosID]
    }

    /// Decodes ids, stopping at the first EOS.
    public func decode(_ ids: [Int]) -> String {
        decode(ids, stopAtEOS: true)
    }
}

/// The tokenizers of the built-in benchmark, by name (the `tokenizer` of `e2h run`'s config).
public enum TokenizerKind: String, Codable, Sendable, CaseIterable {
    /// ``NumberVocabulary/benchmark``: characters, and numbers below 1000 as one token.
    case numbers
    /// ``CharacterVocabulary/benchmark``: one token per character.
    case characters

    /// The tokenizer.
    public var tokenizer: any Tokenizer {
        switch self {
        case .numbers: NumberVocabulary.benchmark
        case .characters: CharacterVocabulary.benchmark
        }
    }

    /// Vocabulary size of a model for this tokenizer: rounded up to a multiple of 8.
    public var modelVocabularySize: Int { (tokenizer.vocabularySize + 7) / 8 * 8 }

    /// The tokenizer a model of vocabulary size `size` was trained with (models store only their
    /// size; the two benchmark tokenizers have different sizes), or nil for any other size.
    public init?(modelVocabularySize size: Int) {
        guard let kind = Self.allCases.first(where: { $0.modelVocabularySize == size }) else { return nil }
        self = kind
    }
}

/// Errors of tokenization, with the position a user needs to fix the input.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A character of the input has no token; `offset` counts Unicode scalars from the start.
    case unknownCharacter(Unicode.Scalar, offset: Int)
    /// A vocabulary definition is unusable (duplicate or special symbols, too many symbols).
    case invalidVocabulary(String)
    /// A tokenizer file (tokenizer.json, tokenizer_config.json, GGUF metadata) is malformed or uses
    /// a feature that is not implemented; `field` is the JSON path or metadata key.
    case invalidFile(file: String, field: String, message: String)

    public var description: String {
        switch self {
        case let .unknownCharacter(scalar, offset):
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "character \(scalar.debugDescription) (U+\(hex)) at offset \(offset) is not in the vocabulary; "
                + "use encode(_:replacingUnknownWith:) to replace it or remove it from the text"
        case let .invalidVocabulary(message):
            return "invalid vocabulary: \(message)"
        case let .invalidFile(file, field, message):
            return "\(file): \(field): \(message)"
        }
    }
}

/// Turns a stream of token ids into text, holding back the bytes of a character that is not yet
/// complete (a byte-level BPE token may end in the middle of a UTF-8 sequence).
public struct StreamingTextDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Appends one token's bytes and returns the text that became complete (possibly empty).
    public mutating func append(_ bytes: [UInt8]) -> String {
        pending += bytes
        // Keep an incomplete trailing sequence (at most 3 bytes) for the next token.
        var cut = pending.count
        var back = 0
        while back < min(3, pending.count) {
            let byte = pending[pending.count - 1 - back]
            if byte & 0xC0 != 0x80 {  // a lead byte (or ASCII): is its sequence complete?
                let need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                if need > back + 1 { cut = pending.count - 1 - back }
                break
            }
            back += 1
        }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Whatever is held back, decoded (invalid bytes become U+FFFD); call when the stream ends.
    public mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }
}
