import Foundation
import Testing
import Tokenizers

/// The heap-based merge against the plain O(n^2) reference.
@Suite struct BPEMergesTests {
    @Test(arguments: ["gpt2", "llama3", "smollm2"])
    func heapMergeEqualsTheReference(name: String) throws {
        let tokenizer = try fixtureTokenizer(name)
        var generator = SplitMix(seed: 7)
        var words = try parityStrings().prefix(3000).flatMap { $0.split(separator: " ").map { Array(" \($0)".utf8) } }
        for _ in 0..<500 { words.append((0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }) }
        for _ in 0..<200 { words.append(Array(String(repeating: "ab", count: Int(generator.next() % 50)).utf8)) }
        for word in words { #expect(tokenizer.mergeIDs(word) == tokenizer.mergeIDsReference(word), "\(word)") }
    }

    @Test func longWhitespaceRunsAreFast() throws {
        let tokenizer = try fixtureTokenizer("smollm2")
        let text = "x" + String(repeating: " ", count: 50_000) + "y" + String(repeating: "7", count: 20_000)
        let start = Date()
        let ids = tokenizer.encode(text)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(tokenizer.decode(ids, stopAtEOS: false) == text)
    }
}

/// A small seeded generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
