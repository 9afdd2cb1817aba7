import Foundation
import Testing
import Tokenizers

@Suite struct ByteLevelBPETests {
    @Test func offsetsPointAtTheStartOfEachTokensText() throws {
        let tokenizer = try fixtureTokenizer("llama3")
        let text = "Let $x = 12345$; café 東京 👍🏽<|eot_id|> done"
        let scalars = Array(text.unicodeScalars)
        let (ids, offsets) = tokenizer.encodeWithOffsets(text)
        #expect(ids.count == offsets.count)
        #expect(offsets == offsets.sorted())
        #expect(offsets.first == 0)
        // Each token's bytes, decoded with its offset, line up with the text's UTF-8.
        var byteStart = 0
        for (id, offset) in zip(ids, offsets) {
            let prefixBytes = String(String.UnicodeScalarView(scalars[..<offset])).utf8.count
            let nextBytes = String(String.UnicodeScalarView(scalars[...min(offset, scalars.count - 1)])).utf8.count
            if tokenizer.isSpecial(id) {
                byteStart = prefixBytes + "<|eot_id|>".utf8.count
                continue
            }
            #expect(prefixBytes <= byteStart && byteStart < nextBytes, "token \(id) at byte \(byteStart), offset \(offset)")
            byteStart += tokenizer.bytes(of: id).count
        }
        let eot = try #require(tokenizer.id(of: "<|eot_id|>"))
        let index = try #require(ids.firstIndex(of: eot))
        #expect(offsets[index] == scalars.firstIndex(of: "<")!)
    }

    @Test func nfcOffsetsPointIntoTheOriginalText() throws {
        let tokenizer = try fixtureTokenizer("qwen2")
        let text = "cafe\u{301} x<|im_end|>A\u{30A} 12"  // NFC: "café x<|im_end|>Å 12"
        let (ids, offsets) = tokenizer.encodeWithOffsets(text)
        let end = try #require(tokenizer.id(of: "<|im_end|>"))
        let first = tokenizer.encode("café x"), second = tokenizer.encode("Å 12")
        #expect(ids == first + [end] + second)
        // Offsets: token starts in the NFC text, mapped back (é covers "e\u{301}", Å "A\u{30A}").
        func starts(_ ids: [Int]) -> [Int] {
            var scalar = 0, byte = 0, out: [Int] = []
            let bytes = Array(tokenizer.decode(ids, stopAtEOS: false).unicodeScalars)
            var byteOfScalar: [Int] = []
            for s in bytes { byteOfScalar.append(byte); byte += String(s).utf8.count }
            byte = 0
            for id in ids {
                while scalar + 1 < byteOfScalar.count, byteOfScalar[scalar + 1] <= byte { scalar += 1 }
                out.append(scalar)
                byte += tokenizer.bytes(of: id).count
            }
            return out
        }
        let expected = starts(first).map { $0 <= 3 ? $0 : $0 + 1 } + [7] + starts(second).map { $0 == 0 ? 17 : $0 + 18 }
        #expect(offsets == expected)
    }

    @Test func specialTokensAreMatchedUnlessDisabled() throws {
        let tokenizer = try fixtureTokenizer("qwen2")
        let start = try #require(tokenizer.id(of: "<|im_start|>"))
        let end = try #require(tokenizer.id(of: "<|im_end|>"))
        let ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>")
        #expect(ids.first == start && ids.last == end)
        let plain = tokenizer.encode("<|im_start|>user", parseSpecialTokens: false)
        #expect(!plain.contains(start))
        #expect(tokenizer.decode(plain, stopAtEOS: false) == "<|im_start|>user")
        #expect(tokenizer.decode(ids, stopAtEOS: false) == "user\nhi")
        #expect(tokenizer.bytes(of: start).isEmpty)
        #expect(tokenizer.stopIDs.contains(end))
        #expect(tokenizer.stopIDs.contains(tokenizer.eosID))
    }

    @Test func decodeStopsAtEOSAndMarksBadIDs() throws {
        let tokenizer = try fixtureTokenizer("gpt2")
        let ids = tokenizer.encode("ab") + [tokenizer.eosID] + tokenizer.encode("cd")
        #expect(tokenizer.decode(ids) == "ab")
        #expect(tokenizer.decode(ids, stopAtEOS: false) == "abcd")
        #expect(tokenizer.decode([-1, tokenizer.vocabularySize], stopAtEOS: false) == "\u{FFFD}\u{FFFD}")
        #expect(tokenizer.bytes(of: tokenizer.vocabularySize).isEmpty)
    }

    @Test(arguments: ["llama3", "qwen2", "smollm2"])
    func writtenDirectoryLoadsTheSameTokenizer(name: String) throws {
        let original = try fixtureTokenizer(name)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try original.write(to: folder)
        let loaded = try ByteLevelBPE(directory: folder)
        #expect(loaded.special == original.special)
        #expect(loaded.preTokenizer == original.preTokenizer && loaded.ignoreMerges == original.ignoreMerges)
        #expect(loaded.normalization == original.normalization)
        for text in try parityStrings().prefix(2000) { #expect(loaded.encode(text) == original.encode(text)) }
    }

    @Test func directoryRolesComeFromTheConfigFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(contentsOf: fixtureURL("llama3.tokenizer.json")).write(to: folder.appendingPathComponent("tokenizer.json"))
        try Data(#"{"bos_token": {"content": "<|begin_of_text|>"}, "eos_token": "<|end_of_text|>"}"#.utf8)
            .write(to: folder.appendingPathComponent("tokenizer_config.json"))
        try Data(#"{"eos_token_id": [4, 1]}"#.utf8).write(to: folder.appendingPathComponent("generation_config.json"))
        let tokenizer = try ByteLevelBPE(directory: folder)
        #expect(tokenizer.bosID == tokenizer.id(of: "<|begin_of_text|>"))
        #expect(tokenizer.eosID == tokenizer.id(of: "<|end_of_text|>"))
        #expect(tokenizer.stopIDs == Set([1, 4]))
    }

    @Test func unsupportedOrMalformedFilesNameTheField() throws {
        let data = try Data(contentsOf: fixtureURL("gpt2.tokenizer.json"))
        var root = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func error(_ edit: (inout [String: Any]) -> Void) -> String {
            var copy = root
            edit(&copy)
            let bytes = try! JSONSerialization.data(withJSONObject: copy)
            do {
                _ = try ByteLevelBPE(tokenizerJSON: bytes, file: "t.json")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(error { $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\w+"], "behavior": "Isolated"] }
            .contains("pre_tokenizer.pattern.Regex"))
        #expect(error { $0["normalizer"] = ["type": "NFKC"] }.contains("t.json: normalizer"))
        #expect(error { var m = $0["model"] as! [String: Any]; m["type"] = "WordPiece"; $0["model"] = m }.contains("model.type"))
        #expect(error { var m = $0["model"] as! [String: Any]; m["merges"] = [3]; $0["model"] = m }.contains("model.merges[0]"))
        #expect(error { var m = $0["model"] as! [String: Any]; m["merges"] = ["zz qq"]; $0["model"] = m }.contains("merge 0"))
        #expect(error { $0["added_tokens"] = [] as [Any] }.contains("end-of-sequence"))
        #expect(throws: TokenizerError.self) { try ByteLevelBPE(tokenizerJSON: Data("[1]".utf8)) }
        root["decoder"] = NSNull()
        #expect(error { _ in } == "no error")
    }

    @Test func ggmlMetadataBuildsTheSameTokenizerAsTokenizerJSON() throws {
        let reference = try fixtureTokenizer("smollm2")
        let types = (0..<reference.tokens.count).map { reference.isSpecial($0) ? 3 : 1 }
        let metadata = GGMLTokenizerMetadata(model: "gpt2", pre: "smollm", tokens: reference.tokens, tokenTypes: types,
                                             merges: reference.merges.map { "\($0.0) \($0.1)" },
                                             bosID: 1, eosID: 2, padID: 2, file: "x.gguf")
        let tokenizer = try ByteLevelBPE(ggml: metadata)
        for text in try parityStrings().prefix(2000) { #expect(tokenizer.encode(text) == reference.encode(text)) }
        var bad = metadata
        bad.pre = "falcon"
        #expect(throws: TokenizerError.invalidFile(file: "x.gguf", field: "tokenizer.ggml.pre",
                                                   message: "\"falcon\" is not supported (gpt-2, llama-bpe, qwen2, smollm)")) {
            try ByteLevelBPE(ggml: bad)
        }
    }
}
