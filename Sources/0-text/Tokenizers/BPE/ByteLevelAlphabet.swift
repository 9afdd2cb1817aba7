/// GPT-2's byte-to-character table: byte-level BPE vocabularies spell every byte as a printable
/// character (`bytes_to_unicode` of openai/gpt-2 `encoder.py`; Hugging Face's ByteLevel).
///
/// Printable bytes `!`...`~`, `¡`...`¬`, `®`...`ÿ` stand for themselves; the other 68 bytes map,
/// in order, to U+0100, U+0101, ... (so a space is `Ġ` U+0120 and a newline `Ċ` U+010A).
enum ByteLevelAlphabet {
    /// Character of each byte.
    static let characterOfByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Byte of each character of the alphabet (keys U+0021...U+0143).
    static let byteOfCharacter: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in characterOfByte.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// The bytes a byte-level token string stands for, or nil when it has a character outside the
    /// alphabet (such strings are literal text, e.g. the content of an added token).
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byteOfCharacter[scalar.value] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The byte-level spelling of raw bytes.
    static func string(of bytes: [UInt8]) -> String {
        var view = String.UnicodeScalarView()
        for byte in bytes { view.append(characterOfByte[Int(byte)]) }
        return String(view)
    }
}
