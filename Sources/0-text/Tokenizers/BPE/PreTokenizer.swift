/// How text is cut into pre-tokens before merges: the steps of a Hugging Face `pre_tokenizer`
/// (or of llama.cpp's `tokenizer.ggml.pre`), applied in order, each to every piece of the last.
public enum PreTokenizerStep: Sendable, Equatable {
    /// `Split(pattern, behavior: Isolated)`: every match (and every gap) becomes a piece.
    case split(PreTokenizerPattern)
    /// `Digits`: every digit its own piece (`individual`), or runs of digits one piece.
    case digits(individual: Bool)
    /// `ByteLevel(add_prefix_space: false)`: with `useRegex`, a split by the GPT-2 pattern; the
    /// byte-level alphabet itself is the tokenizer's encoding, so it cuts nothing otherwise.
    case byteLevel(useRegex: Bool)
}

/// The pre-tokenizer regular expressions of the supported families, each scanned by hand
/// (a regex engine is far slower), following the published patterns character class by class.
///
/// Classes: `\p{L}` letters (Lu Ll Lt Lm Lo), `\p{N}` numbers (Nd Nl No), `\s` the Unicode
/// White_Space property, and "other" for everything else.
public enum PreTokenizerPattern: String, Sendable, CaseIterable {
    /// GPT-2 (Hugging Face `ByteLevel(use_regex: true)`): contractions, ` ?` before runs of
    /// letters, numbers or other symbols, whitespace runs.
    case gpt2
    /// Llama 3 (`llama-bpe`): case-insensitive contractions, an optional non-letter before letters,
    /// numbers in runs of 1-3, symbols with trailing newlines, newline runs.
    case llama3
    /// Qwen2: Llama 3's pattern with single digits.
    case qwen2

    /// The pattern as published (tokenizer.json `Split.pattern.Regex`).
    public var regex: String {
        switch self {
        case .gpt2:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The pattern whose published regex is `regex`, or nil (only these are scanned).
    public init?(regex: String) {
        guard let match = Self.allCases.first(where: { $0.regex == regex }) else { return nil }
        self = match
    }

    /// Appends the matches of the pattern in `text[range]` to `pieces` (the pattern always matches
    /// one or more scalars, so matches tile the range).
    func split(_ text: [Unicode.Scalar], _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = range.lowerBound
        while i < range.upperBound {
            let length = matchLength(text, at: i, end: range.upperBound)
            pieces.append(i..<(i + length))
            i += length
        }
    }

    /// Length of the match starting at `i` (at least 1).
    private func matchLength(_ s: [Unicode.Scalar], at i: Int, end: Int) -> Int {
        let caseInsensitive = self != .gpt2
        if let n = contraction(s, at: i, end: end, caseInsensitive: caseInsensitive) { return n }
        let first = CharacterClass(s[i])
        switch self {
        case .gpt2:
            // ` ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+`
            let j = s[i] == " " && i + 1 < end ? i + 1 : i
            let c = CharacterClass(s[j])
            if c != .whitespace { return run(s, from: j, end: end, of: c) - i }
            return whitespace(s, at: i, end: end, newlines: false)
        case .llama3, .qwen2:
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if first == .letter { return run(s, from: i, end: end, of: .letter) - i }
            if first != .number, !isNewline(s[i]), i + 1 < end, CharacterClass(s[i + 1]) == .letter {
                return run(s, from: i + 1, end: end, of: .letter) - i
            }
            // `\p{N}{1,3}` or `\p{N}`
            if first == .number {
                let limit = self == .llama3 ? 3 : 1
                var j = i + 1
                while j < end, j - i < limit, CharacterClass(s[j]) == .number { j += 1 }
                return j - i
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let j = s[i] == " " && i + 1 < end ? i + 1 : i
            if CharacterClass(s[j]) == .other {
                var k = run(s, from: j, end: end, of: .other)
                while k < end, isNewline(s[k]) { k += 1 }
                return k - i
            }
            return whitespace(s, at: i, end: end, newlines: true)
        }
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, case-insensitive for Llama 3 and Qwen2.
    private func contraction(_ s: [Unicode.Scalar], at i: Int, end: Int, caseInsensitive: Bool) -> Int? {
        guard s[i] == "'", i + 1 < end else { return nil }
        func letter(_ k: Int) -> UInt32? {
            guard k < end else { return nil }
            var v = s[k].value
            if caseInsensitive {
                if v >= 0x41 && v <= 0x5A { v += 0x20 }
                if v == 0x17F { v = 0x73 }  // ſ folds to s
            }
            return v
        }
        switch letter(i + 1) {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x72, 0x76: return letter(i + 2) == 0x65 ? 3 : nil  // re ve
        case 0x6C: return letter(i + 2) == 0x6C ? 3 : nil  // ll
        default: return nil
        }
    }

    /// Whitespace at `i`: `\s*[\r\n]+` (when `newlines`), then `\s+(?!\S)`, then `\s+`.
    private func whitespace(_ s: [Unicode.Scalar], at i: Int, end: Int, newlines: Bool) -> Int {
        let e = run(s, from: i, end: end, of: .whitespace)
        if newlines, let last = (i..<e).last(where: { isNewline(s[$0]) }) { return last + 1 - i }
        if e == end || e - i == 1 { return e - i }
        return e - 1 - i  // leave the last space to prefix the next word
    }

    private func run(_ s: [Unicode.Scalar], from i: Int, end: Int, of c: CharacterClass) -> Int {
        var j = i
        while j < end, CharacterClass(s[j]) == c { j += 1 }
        return j
    }

    private func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" }
}

/// The classes the pre-tokenizer patterns distinguish.
enum CharacterClass: UInt8 {
    case letter, number, whitespace, other

    @inline(__always) init(_ s: Unicode.Scalar) {
        let v = s.value
        if v < 0x80 {
            switch v {
            case 0x41...0x5A, 0x61...0x7A: self = .letter
            case 0x30...0x39: self = .number
            case 0x09...0x0D, 0x20: self = .whitespace
            default: self = .other
            }
            return
        }
        let properties = s.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
        case .decimalNumber, .letterNumber, .otherNumber: self = .number
        default: self = .other
        }
    }
}

extension PreTokenizerStep {
    /// The pre-tokens of `text` after `steps` (no normalization, no added tokens): for tests and
    /// for inspecting a tokenizer.
    public static func pieces(of text: String, steps: [PreTokenizerStep]) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var ranges = [0..<scalars.count]
        for step in steps { ranges = step.apply(scalars, ranges) }
        return ranges.map { String(String.UnicodeScalarView(scalars[$0])) }
    }

    /// The pieces of `pieces` after this step.
    func apply(_ text: [Unicode.Scalar], _ pieces: [Range<Int>]) -> [Range<Int>] {
        switch self {
        case .byteLevel(useRegex: false):
            return pieces
        case .byteLevel(useRegex: true):
            return Self.split(.gpt2, text, pieces)
        case let .split(pattern):
            return Self.split(pattern, text, pieces)
        case let .digits(individual):
            var out: [Range<Int>] = []
            out.reserveCapacity(pieces.count)
            for piece in pieces {
                var i = piece.lowerBound
                while i < piece.upperBound {
                    let isDigit = CharacterClass(text[i]) == .number
                    var j = i + 1
                    if !isDigit || !individual {
                        while j < piece.upperBound, (CharacterClass(text[j]) == .number) == isDigit { j += 1 }
                    }
                    out.append(i..<j)
                    i = j
                }
            }
            return out
        }
    }

    private static func split(_ pattern: PreTokenizerPattern, _ text: [Unicode.Scalar],
                              _ pieces: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces.count * 2)
        for piece in pieces { pattern.split(text, piece, into: &out) }
        return out
    }
}
