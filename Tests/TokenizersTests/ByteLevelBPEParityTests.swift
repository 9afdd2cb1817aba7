import Foundation
import Testing
import Tokenizers

/// Ids identical to Hugging Face `tokenizers` on the >= 10,000 strings of
/// scripts/make_tokenizer_fixtures.py, for each pre-tokenizer family.
@Suite struct ByteLevelBPEParityTests {
    @Test(arguments: ["gpt2", "llama3", "qwen2", "smollm2"])
    func idsMatchHuggingFace(name: String) throws {
        let tokenizer = try fixtureTokenizer(name)
        let strings = try parityStrings()
        let expected = try parityIDs(name)
        #expect(strings.count >= 10_000)
        #expect(expected.count == strings.count)
        var mismatches: [String] = []
        for (text, ids) in zip(strings, expected) {
            let got = tokenizer.encode(text)
            if got != ids { mismatches.append("\(text.debugDescription): expected \(ids), got \(got)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(strings.count) differ; first: \(mismatches.prefix(5).joined(separator: "\n"))")
    }

    @Test(arguments: ["gpt2", "llama3", "qwen2", "smollm2"])
    func decodeInvertsEncode(name: String) throws {
        let tokenizer = try fixtureTokenizer(name)
        var failures: [String] = []
        for text in try parityStrings() {
            // Special tokens decode to nothing; NFC tokenizers give the normalized text.
            if tokenizer.addedTokens.contains(where: { containsBytes(text, $0.content) }) { continue }
            let expected = tokenizer.normalization == .nfc ? text.precomposedStringWithCanonicalMapping : text
            let decoded = tokenizer.decode(tokenizer.encode(text), stopAtEOS: false)
            if decoded != expected { failures.append("\(text.debugDescription) -> \(decoded.debugDescription)") }
        }
        #expect(failures.isEmpty, "\(failures.count) differ: \(failures.prefix(5))")
    }

    @Test func streamingDecoderAssemblesSplitCharacters() throws {
        let tokenizer = try fixtureTokenizer("gpt2")
        for text in try parityStrings().prefix(3000) where !containsBytes(text, "<|endoftext|>") {
            var decoder = StreamingTextDecoder()
            var out = ""
            for id in tokenizer.encode(text) { out += decoder.append(tokenizer.bytes(of: id)) }
            out += decoder.finish()
            #expect(out == text)
        }
    }
}

/// Whether `text` holds `part` byte for byte (`String.contains` compares characters, and a
/// combining mark after a special token makes a different character).
func containsBytes(_ text: String, _ part: String) -> Bool {
    let a = Array(text.utf8), b = Array(part.utf8)
    guard b.count <= a.count else { return false }
    return (0...(a.count - b.count)).contains { a[$0..<($0 + b.count)].elementsEqual(b) }
}
