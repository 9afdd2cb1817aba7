/// A fixed character-level vocabulary: one token per Unicode scalar, plus PAD, BOS and EOS.
///
/// Ids: `0` PAD, `1` BOS, `2` EOS, then the symbols in the order given. The default
/// ``benchmark`` vocabulary covers every text of the built-in benchmark (problems, solutions in
/// the step format, the pretraining corpus) in 57 ids; see docs/benchmark.md.
public struct CharacterVocabulary: Tokenizer, Codable, Equatable {
    /// The symbols in id order, starting at id ``firstSymbolID``.
    public let symbols: [Unicode.Scalar]
    private let idOfScalar: [UInt32: Int]

    /// Id of the first non-special symbol.
    public static let firstSymbolID = 3

    public var padID: Int { 0 }
    public var bosID: Int { 1 }
    public var eosID: Int { 2 }
    public var vocabularySize: Int { Self.firstSymbolID + symbols.count }

    /// The symbols of the built-in benchmark, in id order (ids 3...56).
    public static let benchmarkSymbols: String =
        "\n 0123456789#+-*/=().,:?ACQS" + "abcdefghijklmnopqrstuvwxyz"

    /// The vocabulary of the built-in benchmark (57 ids).
    public static var benchmark: CharacterVocabulary {
        // The symbol list is a constant checked by the tests, so this cannot fail.
        try! CharacterVocabulary(symbols: benchmarkSymbols)
    }

    /// Creates a vocabulary from distinct symbols.
    /// - Throws: ``TokenizerError/invalidVocabulary(_:)`` for duplicates or an empty list.
    public init(symbols: String) throws {
        let scalars = Array(symbols.unicodeScalars)
        guard !scalars.isEmpty else { throw TokenizerError.invalidVocabulary("no symbols") }
        var index: [UInt32: Int] = [:]
        for (i, s) in scalars.enumerated() {
            if index[s.value] != nil {
                throw TokenizerError.invalidVocabulary("symbol \(s.debugDescription) appears twice")
            }
            index[s.value] = Self.firstSymbolID + i
        }
        self.symbols = scalars
        self.idOfScalar = index
    }

    /// The id of one character, or nil when it has none.
    public func id(of scalar: Unicode.Scalar) -> Int? { idOfScalar[scalar.value] }

    /// Whether every character of `text` has a token.
    public func canEncode(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { idOfScalar[$0.value] != nil }
    }

    public func encode(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.unicodeScalars.count)
        for (offset, s) in text.unicodeScalars.enumerated() {
            guard let id = idOfScalar[s.value] else {
                throw TokenizerError.unknownCharacter(s, offset: offset)
            }
            ids.append(id)
        }
        return ids
    }

    public func encodeWithOffsets(_ text: String) throws -> (ids: [Int], offsets: [Int]) {
        let ids = try encode(text)
        return (ids, Array(ids.indices))
    }

    /// Encodes `text`, mapping every unknown character to `replacement` (which must be in the
    /// vocabulary, e.g. "?"); use for foreign text such as real-data problems.
    public func encode(_ text: String, replacingUnknownWith replacement: Unicode.Scalar) throws -> [Int] {
        guard let fallback = idOfScalar[replacement.value] else {
            throw TokenizerError.unknownCharacter(replacement, offset: 0)
        }
        return text.unicodeScalars.map { idOfScalar[$0.value] ?? fallback }
    }

    public func decode(_ ids: [Int], stopAtEOS: Bool) -> String {
        var out = String.UnicodeScalarView()
        for id in ids {
            if id == eosID, stopAtEOS { break }
            if id == padID || id == bosID || id == eosID { continue }
            let k = id - Self.firstSymbolID
            out.append(k >= 0 && k < symbols.count ? symbols[k] : "\u{FFFD}")
        }
        return String(out)
    }

    /// The symbol of one id, or nil for special and out-of-range ids.
    public func symbol(of id: Int) -> Unicode.Scalar? {
        let k = id - Self.firstSymbolID
        return k >= 0 && k < symbols.count ? symbols[k] : nil
    }

    // Codable: stored as the symbol string only; the index is rebuilt.
    private enum CodingKeys: String, CodingKey { case symbols }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(symbols: try c.decode(String.self, forKey: .symbols))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var s = String.UnicodeScalarView()
        s.append(contentsOf: symbols)
        try c.encode(String(s), forKey: .symbols)
    }

    public static func == (a: CharacterVocabulary, b: CharacterVocabulary) -> Bool {
        a.symbols == b.symbols
    }
}
