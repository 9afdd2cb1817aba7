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

    /// Encodes `text` without special tokens.
    /// - Throws: ``TokenizerError/unknownCharacter(_:offset:)`` for text outside the vocabulary.
    func encode(_ text: String) throws -> [Int]

    /// Encodes `text` and gives, for each token, the offset (Unicode scalars) where its text
    /// starts: how character positions of a parsed solution become token positions.
    func encodeWithOffsets(_ text: String) throws -> (ids: [Int], offsets: [Int])

    /// Decodes ids to text; special tokens are dropped and decoding stops at the first EOS
    /// when `stopAtEOS` is true. Ids outside the vocabulary decode to U+FFFD.
    func decode(_ ids: [Int], stopAtEOS: Bool) -> String
}

extension Tokenizer {
    /// Encodes a whole training document: `[BOS] + encode(text) + [EOS]`.
    public func encodeDocument(_ text: String) throws -> [Int] {
        [bosID] + (try encode(text)) + [eosID]
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

    public var description: String {
        switch self {
        case let .unknownCharacter(scalar, offset):
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "character \(scalar.debugDescription) (U+\(hex)) at offset \(offset) is not in the vocabulary; "
                + "use encode(_:replacingUnknownWith:) to replace it or remove it from the text"
        case let .invalidVocabulary(message):
            return "invalid vocabulary: \(message)"
        }
    }
}
