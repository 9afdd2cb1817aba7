import Datasets
import Testing
import Tokenizers

@Suite struct NumberVocabularyTests {
    let numbers = NumberVocabulary.benchmark
    let characters = CharacterVocabulary.benchmark

    @Test func sizesAndTheModelSizeTellTheTokenizersApart() {
        #expect(numbers.vocabularySize == 57 + 1100)
        #expect(numbers.padID == 0 && numbers.bosID == 1 && numbers.eosID == 2)
        #expect(TokenizerKind.numbers.modelVocabularySize == 1160)
        #expect(TokenizerKind.characters.modelVocabularySize == 64)
        #expect(TokenizerKind(modelVocabularySize: 1160) == .numbers)
        #expect(TokenizerKind(modelVocabularySize: 64) == .characters)
        #expect(TokenizerKind(modelVocabularySize: 128) == nil)
    }

    /// Digit runs are cut into groups of three from the left; other characters keep their ids.
    @Test func digitRunsBecomeGroupsOfUpToThree() throws {
        func pieces(_ text: String) throws -> [String] { try numbers.encode(text).map(numbers.text(of:)) }
        #expect(try pieces("7") == ["7"])
        #expect(try pieces("42") == ["42"])
        #expect(try pieces("906") == ["906"])
        #expect(try pieces("12345") == ["123", "45"])
        #expect(try pieces("1000000") == ["100", "000", "0"])
        #expect(try pieces("05 + 007") == ["05", " ", "+", " ", "007"])
        #expect(try pieces("x=12.5") == ["x", "=", "12", ".", "5"])
        // One-digit groups and every other character have their character ids.
        #expect(try numbers.encode("7 + Q") == characters.encode("7 + Q"))
        // Every group id decodes to its own text.
        let groups = (numbers.firstGroupID..<numbers.vocabularySize).map(numbers.text(of:))
        #expect(Set(groups).count == 1100)
        #expect(groups.allSatisfy { $0.count == 2 || $0.count == 3 })
        #expect(numbers.text(of: numbers.vocabularySize) == "\u{FFFD}")
    }

    @Test func offsetsAndRoundTripOfASolutionText() throws {
        let text = SolutionFormat.text(problem: "Compute (347 + 28) * 6.",
                                       steps: ["347 + 28 = 375", "375 * 6 = 2250"], answer: "2250")
        let (ids, offsets) = try numbers.encodeWithOffsets(text)
        #expect(ids.count == offsets.count)
        #expect(numbers.decode(ids) == text)
        let scalars = Array(text.unicodeScalars)
        for (k, id) in ids.enumerated() {
            let end = k + 1 < offsets.count ? offsets[k + 1] : scalars.count
            #expect(String(String.UnicodeScalarView(scalars[offsets[k]..<end])) == numbers.text(of: id))
        }
        // 347 and 28 twice, 375 twice, 2250 (225|0) twice: 2 + 1 + 2 + 1 + 2 + 2 + 2 + 2 = 14 tokens fewer.
        #expect(ids.count == text.unicodeScalars.count - 14)
        let doc = try numbers.encodeDocument(text)
        #expect(doc.first == numbers.bosID && doc.last == numbers.eosID)
        #expect(numbers.decode(doc + [numbers.firstGroupID + 5]) == text)
        #expect(numbers.decode(doc + [numbers.firstGroupID + 5], stopAtEOS: false) == text + "05")
    }

    @Test func unknownCharactersAreNamedWithTheirOffset() {
        #expect(throws: TokenizerError.unknownCharacter("é", offset: 3)) { try numbers.encode("12 é") }
    }

    /// Everything the benchmark generates can be encoded.
    @Test func coversTheBenchmark() throws {
        let g = BenchmarkGenerator(seed: 3)
        for level in 1...5 {
            for p in try g.problems(level: level, count: 20) {
                let text = SolutionFormat.text(problem: p.problem, steps: SolutionFormat.splitSteps(p.solution ?? ""), answer: p.answer)
                #expect(numbers.decode(try numbers.encode(text)) == text)
            }
        }
        for d in try g.pretrainingDocuments(count: 20) { #expect(numbers.decode(try numbers.encode(d.text)) == d.text) }
    }
}
