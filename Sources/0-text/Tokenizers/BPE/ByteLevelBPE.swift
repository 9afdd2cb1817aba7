import Foundation

/// A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen2, SmolLM): text -> added tokens -> NFC
/// (optional) -> pre-tokens -> UTF-8 bytes -> merges by rank, as Hugging Face `tokenizers` does.
///
/// Load it from a `tokenizer.json` (``init(tokenizerJSON:special:file:)``, ``init(directory:)``)
/// or from GGUF metadata (``init(ggml:)``); write it back with ``write(to:)``.
public struct ByteLevelBPE: Tokenizer {
    /// A token matched in the text before pre-tokenization (`added_tokens` of tokenizer.json).
    public struct AddedToken: Sendable, Equatable, Codable {
        /// Token id.
        public var id: Int
        /// Its text, matched literally.
        public var content: String
        /// Special tokens (control tokens) decode to nothing and are never produced by merges.
        public var special: Bool
        /// Whether whitespace before / after a match belongs to the token.
        public var lstrip: Bool
        public var rstrip: Bool

        public init(id: Int, content: String, special: Bool, lstrip: Bool = false, rstrip: Bool = false) {
            self.id = id
            self.content = content
            self.special = special
            self.lstrip = lstrip
            self.rstrip = rstrip
        }
    }

    /// The ids with a role; tokenizer.json holds none of them (they are in tokenizer_config.json
    /// and generation_config.json, or in GGUF metadata).
    public struct SpecialTokens: Sendable, Equatable {
        /// Beginning of sequence; nil for models without one (Qwen2).
        public var bos: Int?
        /// End of sequence.
        public var eos: Int
        /// Padding; nil when the model defines none (``ByteLevelBPE/padID`` is then the EOS).
        public var pad: Int?
        /// Further ids that end a generation (end of turn).
        public var endOfTurn: [Int]
        /// Whether a sequence starts with the BOS (`add_bos_token`, or a tokenizer.json
        /// post-processor that puts it first).
        public var addBOS: Bool

        public init(bos: Int?, eos: Int, pad: Int? = nil, endOfTurn: [Int] = [], addBOS: Bool = false) {
            self.bos = bos
            self.eos = eos
            self.pad = pad
            self.endOfTurn = endOfTurn
            self.addBOS = addBOS
        }
    }

    /// Text normalization before pre-tokenization.
    public enum Normalization: String, Sendable {
        case none, nfc
    }

    /// Byte-level spelling of every vocabulary token, by id (as in tokenizer.json / GGUF).
    public let tokens: [String]
    /// Merges in rank order, byte-level spelling.
    public let merges: [(String, String)]
    /// Added tokens, by id order.
    public let addedTokens: [AddedToken]
    public let normalization: Normalization
    public let preTokenizer: [PreTokenizerStep]
    /// The ids with a role.
    public let special: SpecialTokens

    private let engine: BPEMerges
    /// Bytes each id decodes to (empty for special tokens).
    private let bytesOfID: [[UInt8]]
    private let isSpecialID: [Bool]
    private let matcher: AddedTokenMatcher
    private let idOfToken: [String: Int]

    /// Creates a tokenizer from its parts.
    /// - Parameters:
    ///   - tokens: byte-level spelling of each id (`Ġ` for a space); an added token may use an id
    ///     beyond them.
    ///   - merges: pairs of token spellings in rank order; a pair whose concatenation is not a
    ///     token is skipped.
    ///   - ignoreMerges: a pre-token that is a token is emitted whole (Llama 3).
    /// - Throws: ``TokenizerError/invalidVocabulary(_:)`` for duplicate tokens, merges naming
    ///   unknown tokens, or special ids outside the vocabulary.
    public init(tokens: [String], merges: [(String, String)], addedTokens: [AddedToken] = [],
                normalization: Normalization = .none, preTokenizer: [PreTokenizerStep],
                ignoreMerges: Bool = false, special: SpecialTokens) throws {
        var idOfToken: [String: Int] = [:]
        idOfToken.reserveCapacity(tokens.count)
        var idOfBytes: [[UInt8]: Int] = [:]
        var bytesOfID: [[UInt8]] = []
        bytesOfID.reserveCapacity(tokens.count)
        var idOfByte = [Int32](repeating: -1, count: 256)
        for (id, token) in tokens.enumerated() {
            // Duplicates occur in real vocabularies (GGUF padding tokens); the first id wins, as
            // Hugging Face keeps one id per string.
            if idOfToken[token] == nil { idOfToken[token] = id }
            let bytes = ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8)
            bytesOfID.append(bytes)
            if idOfBytes[bytes] == nil { idOfBytes[bytes] = id }
            if bytes.count == 1, idOfByte[Int(bytes[0])] < 0 { idOfByte[Int(bytes[0])] = Int32(id) }
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let a = idOfToken[left], let b = idOfToken[right] else {
                throw TokenizerError.invalidVocabulary("merge \(rank) (\"\(left) \(right)\") names a token that is not in the vocabulary")
            }
            guard let merged = idOfToken[left + right] else { continue }
            let key = BPEMerges.key(a, b)
            if table[key] == nil { table[key] = UInt64(rank) << 32 | UInt64(merged) }
        }
        let size = max(tokens.count, (addedTokens.map(\.id).max() ?? -1) + 1)
        var isSpecialID = [Bool](repeating: false, count: size)
        bytesOfID += [[UInt8]](repeating: [], count: size - tokens.count)
        let ordered = addedTokens.sorted { $0.id < $1.id }
        for token in ordered {
            guard token.id >= 0, !token.content.isEmpty else {
                throw TokenizerError.invalidVocabulary("added token \(token.id) \"\(token.content)\" has a negative id or no text")
            }
            isSpecialID[token.id] = token.special
            bytesOfID[token.id] = token.special ? [] : Array(token.content.utf8)
            idOfToken[token.content] = idOfToken[token.content] ?? token.id
        }
        for (name, id) in [("bos", special.bos), ("eos", special.eos), ("pad", special.pad)] + special.endOfTurn.map({ ("end-of-turn", $0) }) {
            if let id, !(0..<size).contains(id) {
                throw TokenizerError.invalidVocabulary("\(name) id \(id) is outside the vocabulary of \(size) tokens")
            }
        }
        self.tokens = tokens
        self.merges = merges
        self.addedTokens = ordered
        self.normalization = normalization
        self.preTokenizer = preTokenizer
        self.special = special
        self.engine = BPEMerges(idOfByte: idOfByte, merges: table, idOfBytes: idOfBytes, ignoreMerges: ignoreMerges)
        self.bytesOfID = bytesOfID
        self.isSpecialID = isSpecialID
        self.matcher = AddedTokenMatcher(ordered)
        self.idOfToken = idOfToken
    }

    /// Whether a pre-token that is a token is emitted whole (Llama 3's `ignore_merges`).
    public var ignoreMerges: Bool { engine.ignoreMerges }

    public var vocabularySize: Int { bytesOfID.count }
    /// The padding id, or the EOS when the model has none.
    public var padID: Int { special.pad ?? special.eos }
    /// The BOS, or the EOS for models without one (Qwen2); ``special`` tells them apart.
    public var bosID: Int { special.bos ?? special.eos }
    public var eosID: Int { special.eos }
    /// Whether sequences start with the BOS (never for a model without one).
    public var addsBOS: Bool { special.addBOS && special.bos != nil }

    /// The EOS, the end-of-turn ids, and the special tokens that end a turn or a text where the
    /// vocabulary has them (`<|im_end|>`, `<|eot_id|>`, `<|eom_id|>`, `<|endoftext|>`, `<|end_of_text|>`).
    public var stopIDs: Set<Int> {
        var ids = Set([special.eos] + special.endOfTurn)
        for token in addedTokens where token.special && Self.stopTokenNames.contains(token.content) { ids.insert(token.id) }
        return ids
    }

    static let stopTokenNames: Set<String> = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|endoftext|>", "<|end_of_text|>"]

    /// The id of a token by its text: an added token's content (`<|im_start|>`) or a vocabulary
    /// token's byte-level spelling.
    public func id(of token: String) -> Int? { idOfToken[token] }

    /// The ids of one pre-token given as bytes (the merges alone; cached).
    public func mergeIDs(_ bytes: [UInt8]) -> [Int] { engine.encode(bytes).map(Int.init) }

    /// The same by the plain O(n^2) algorithm, uncached: the reference ``mergeIDs(_:)`` is tested against.
    public func mergeIDsReference(_ bytes: [UInt8]) -> [Int] { engine.mergeReference(bytes).map(Int.init) }

    /// Whether `id` is a special (control) token.
    public func isSpecial(_ id: Int) -> Bool { id >= 0 && id < isSpecialID.count && isSpecialID[id] }

    /// Encodes `text`, matching added and special tokens written in it (as Hugging Face does with
    /// `add_special_tokens=False`); no BOS or EOS is added. Never throws: every byte has a token.
    public func encode(_ text: String) -> [Int] { encodeWithOffsets(text, parseSpecialTokens: true).ids }

    /// Encodes `text`; with `parseSpecialTokens` false, the text of a special token is encoded as
    /// ordinary text (for untrusted input such as a user message).
    public func encode(_ text: String, parseSpecialTokens: Bool) -> [Int] {
        encodeWithOffsets(text, parseSpecialTokens: parseSpecialTokens).ids
    }

    public func encodeWithOffsets(_ text: String) -> (ids: [Int], offsets: [Int]) {
        encodeWithOffsets(text, parseSpecialTokens: true)
    }

    /// Ids and, for each, the offset (Unicode scalars of `text`) where its text starts; a token
    /// that starts inside a multi-byte character gets that character's offset. With NFC
    /// normalization, a token inside a run of characters that composition shortened gets the
    /// offset of the run's start.
    public func encodeWithOffsets(_ text: String, parseSpecialTokens: Bool) -> (ids: [Int], offsets: [Int]) {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        var offsets: [Int] = []
        ids.reserveCapacity(scalars.count / 3)
        offsets.reserveCapacity(scalars.count / 3)
        let segments = parseSpecialTokens
            ? matcher.segments(scalars, includingSpecial: true)
            : matcher.segments(scalars, includingSpecial: false)
        for segment in segments {
            switch segment {
            case let .token(id, start):
                ids.append(id)
                offsets.append(start)
            case let .text(range):
                encodeText(scalars, range, ids: &ids, offsets: &offsets)
            }
        }
        return (ids, offsets)
    }

    /// Normalizes, pre-tokenizes and merges `scalars[range]`.
    private func encodeText(_ scalars: [Unicode.Scalar], _ range: Range<Int>, ids: inout [Int], offsets: inout [Int]) {
        var text = Array(scalars[range])
        // origin[i]: offset in `scalars` of normalized scalar i (nil: the identity plus range start).
        var origin: [Int]?
        if normalization == .nfc, let (normalized, map) = Self.nfc(text, base: range.lowerBound) {
            text = normalized
            origin = map
        }
        var pieces = [0..<text.count]
        for step in preTokenizer { pieces = step.apply(text, pieces) }
        var bytes: [UInt8] = []
        var scalarOfByte: [Int] = []
        for piece in pieces where !piece.isEmpty {
            bytes.removeAll(keepingCapacity: true)
            scalarOfByte.removeAll(keepingCapacity: true)
            for i in piece {
                let offset = origin?[i] ?? range.lowerBound + i
                for unit in UTF8.encode(text[i])! {
                    bytes.append(unit)
                    scalarOfByte.append(offset)
                }
            }
            var position = 0
            for id in engine.encode(bytes) {
                ids.append(Int(id))
                offsets.append(scalarOfByte[min(position, scalarOfByte.count - 1)])
                position += bytesOfID[Int(id)].count
            }
        }
    }

    /// NFC of `text` with the original offset of each normalized scalar, or nil when `text` is
    /// already NFC. The text is normalized in chunks that start at ASCII scalars (no composition
    /// crosses them: an ASCII scalar is never the second of a composed pair), and the scalars of a
    /// chunk whose length changes all take the chunk's first offset.
    static func nfc(_ text: [Unicode.Scalar], base: Int) -> ([Unicode.Scalar], [Int])? {
        func normalize(_ part: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: part)
            return Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
        }
        guard text.contains(where: { !$0.isASCII }), normalize(text[...]) != text else { return nil }
        var out: [Unicode.Scalar] = []
        var origin: [Int] = []
        out.reserveCapacity(text.count)
        origin.reserveCapacity(text.count)
        var start = 0
        while start < text.count {
            var end = start + 1
            while end < text.count, !text[end].isASCII { end += 1 }
            if end - start == 1, text[start].isASCII {
                out.append(text[start])
                origin.append(base + start)
            } else {
                let chunk = normalize(text[start..<end])
                out += chunk
                if chunk.count == end - start {
                    origin += (start..<end).map { base + $0 }
                } else {
                    origin += [Int](repeating: base + start, count: chunk.count)
                }
            }
            start = end
        }
        return (out, origin)
    }

    public func decode(_ ids: [Int], stopAtEOS: Bool) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if stopAtEOS, id == special.eos { break }
            guard id >= 0, id < bytesOfID.count else {
                bytes += [0xEF, 0xBF, 0xBD]  // U+FFFD
                continue
            }
            bytes += bytesOfID[id]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of one token: raw bytes for a vocabulary token, the UTF-8 of a non-special
    /// added token, nothing for a special token or an id outside the vocabulary.
    public func bytes(of id: Int) -> [UInt8] {
        guard id >= 0, id < bytesOfID.count else { return [] }
        return bytesOfID[id]
    }
}
