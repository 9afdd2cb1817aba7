import Datasets
import Testing
import Tokenizers

@Suite struct CharacterVocabularyTests {
    let vocab = CharacterVocabulary.benchmark

    @Test func sizeAndSpecialIDs() {
        #expect(vocab.vocabularySize == 57)
        #expect(vocab.vocabularySize < 64)
        #expect(vocab.padID == 0 && vocab.bosID == 1 && vocab.eosID == 2)
        #expect(vocab.symbol(of: 3) == "\n")
        #expect(vocab.symbol(of: 2) == nil)
    }

    @Test func roundTripOfASolutionText() throws {
        let text = SolutionFormat.text(problem: "Compute (347 + 28) * 6.",
                                       steps: ["347 + 28 = 375", "375 * 6 = 2250"], answer: "2250")
        let ids = try vocab.encode(text)
        #expect(ids.count == text.unicodeScalars.count)
        #expect(vocab.decode(ids) == text)
        let doc = try vocab.encodeDocument(text)
        #expect(doc.first == vocab.bosID && doc.last == vocab.eosID)
        #expect(vocab.decode(doc) == text)
    }

    @Test func decodeStopsAtEOSAndSkipsSpecials() throws {
        let ids = [vocab.bosID] + (try vocab.encode("12")) + [vocab.padID, vocab.eosID] + (try vocab.encode("9"))
        #expect(vocab.decode(ids) == "12")
        #expect(vocab.decode(ids, stopAtEOS: false) == "129")
        #expect(vocab.decode([999]) == "\u{FFFD}")
    }

    @Test func unknownCharacterIsAnErrorWithItsOffset() throws {
        #expect(throws: TokenizerError.unknownCharacter("B", offset: 3)) { try vocab.encode("12 B") }
        #expect(throws: TokenizerError.unknownCharacter("\u{2212}", offset: 1)) { try vocab.encode("1\u{2212}2") }
        let lossy = try vocab.encode("1 B", replacingUnknownWith: "?")
        #expect(vocab.decode(lossy) == "1 ?")
        #expect(!vocab.canEncode("é"))
    }

    @Test func rejectsDuplicateSymbolsAndRoundTripsThroughJSON() throws {
        #expect(throws: TokenizerError.self) { try CharacterVocabulary(symbols: "abca") }
        let data = try JSONEncoder().encode(vocab)
        #expect(try JSONDecoder().decode(CharacterVocabulary.self, from: data) == vocab)
    }

    @Test func coversEveryGeneratedText() throws {
        let g = BenchmarkGenerator(seed: 7)
        for p in try g.problems(countsByLevel: [1: 20, 2: 20, 3: 20, 4: 20, 5: 20]) {
            let s = try #require(SolutionRecord(problem: p))
            #expect(vocab.canEncode(s.text))
        }
        for d in try g.pretrainingDocuments(count: 20) { #expect(vocab.canEncode(d.text)) }
    }
}

import Foundation
