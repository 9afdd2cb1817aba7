/// The character vocabulary plus one token per group of two or three digits, so that every number
/// below 1000 is a single token.
///
/// A run of digits is cut into groups of up to three from the left (`12345` -> `123`, `45`), the
/// rule of the `\p{N}{1,3}` pre-tokenizer of Llama 3 and tiktoken. One-digit groups keep the
/// character vocabulary's digit ids; two-digit groups (`00`...`99`) and three-digit groups
/// (`000`...`999`) get ids after the characters. Every other character is one token, with the
/// same id as in ``CharacterVocabulary``.
///
/// Why the built-in benchmark uses it by default: with one token per character a small policy
/// copies two-digit numbers digit by digit and slips (`50` becomes `52`), and its own likelihood
/// hardly tells those slips from right digits; with numbers as tokens a slip is one unlikely
/// token. See docs/benchmark.md, "Numbers as tokens".
public struct NumberVocabulary: Tokenizer, Equatable {
    /// The characters; their ids are unchanged.
    public let characters: CharacterVocabulary
    private let digitIDs: [Int]  // id of the character "0"..."9"

    /// Id of the first two-digit group (`00`); `000` follows 100 ids later.
    public var firstGroupID: Int { characters.vocabularySize }

    public var padID: Int { characters.padID }
    public var bosID: Int { characters.bosID }
    public var eosID: Int { characters.eosID }
    public var vocabularySize: Int { characters.vocabularySize + 1100 }

    /// The vocabulary of the built-in benchmark: its 57 character ids and 1,100 digit groups.
    public static var benchmark: NumberVocabulary {
        // The benchmark's characters include the ten digits (checked by the tests).
        try! NumberVocabulary(characters: .benchmark)
    }

    /// - Throws: ``TokenizerError/invalidVocabulary(_:)`` when a digit 0-9 is missing from `characters`.
    public init(characters: CharacterVocabulary) throws {
        var ids: [Int] = []
        for digit in "0123456789".unicodeScalars {
            guard let id = characters.id(of: digit) else {
                throw TokenizerError.invalidVocabulary("the characters lack the digit \(digit)")
            }
            ids.append(id)
        }
        self.characters = characters
        self.digitIDs = ids
    }

    public func encode(_ text: String) throws -> [Int] {
        try encodeWithOffsets(text).ids
    }

    public func encodeWithOffsets(_ text: String) throws -> (ids: [Int], offsets: [Int]) {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = [], offsets: [Int] = []
        ids.reserveCapacity(scalars.count)
        offsets.reserveCapacity(scalars.count)
        var i = 0
        while i < scalars.count {
            guard let digit = Self.digitValue(scalars[i]) else {
                guard let id = characters.id(of: scalars[i]) else {
                    throw TokenizerError.unknownCharacter(scalars[i], offset: i)
                }
                ids.append(id)
                offsets.append(i)
                i += 1
                continue
            }
            // A group: up to three digits of this run.
            var value = digit, length = 1
            while length < 3, i + length < scalars.count, let next = Self.digitValue(scalars[i + length]) {
                value = value * 10 + next
                length += 1
            }
            switch length {
            case 1: ids.append(digitIDs[value])
            case 2: ids.append(firstGroupID + value)
            default: ids.append(firstGroupID + 100 + value)
            }
            offsets.append(i)
            i += length
        }
        return (ids, offsets)
    }

    public func decode(_ ids: [Int], stopAtEOS: Bool) -> String {
        var out = ""
        for id in ids {
            if id == eosID, stopAtEOS { break }
            out += text(of: id)
        }
        return out
    }

    /// The text of one id: a character, a two- or three-digit group, "" for specials, U+FFFD out of range.
    public func text(of id: Int) -> String {
        if id < firstGroupID { return characters.decode([id], stopAtEOS: false) }
        let k = id - firstGroupID
        if k < 100 { return String(k / 10) + String(k % 10) }
        if k < 1100 { let v = k - 100; return String(v / 100) + String(v / 10 % 10) + String(v % 10) }
        return "\u{FFFD}"
    }

    private static func digitValue(_ s: Unicode.Scalar) -> Int? {
        (48...57).contains(s.value) ? Int(s.value) - 48 : nil
    }
}
