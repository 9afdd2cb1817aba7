import Datasets
import Foundation
import Testing
import Tokenizers
import Training
import Transformer

/// Model folders carry their tokenizer, prompt format and stop ids; nothing is guessed from sizes.
@Suite("Model bundle")
struct ModelBundleTests {
    @Test(arguments: TokenizerKind.allCases)
    func aWrittenBundleLoadsWithItsOwnTokenizer(kind: TokenizerKind) throws {
        let directory = temporaryDirectory("bundle")
        let model = try TransformerModel(config: TransformerConfig(
            vocabSize: kind.modelVocabularySize, hiddenSize: 32, intermediateSize: 64, layerCount: 1, headCount: 2, maxPositions: 16))
        try model.save(to: directory)
        try BundleManifest.benchmark(kind).write(to: directory)
        let bundle = try ModelBundle.load(from: directory)
        #expect(bundle.manifest == .benchmark(kind))
        #expect(bundle.promptFormat == .paper)
        #expect(bundle.tokenizer.vocabularySize == kind.tokenizer.vocabularySize)
        let text = "12 + 345 = 357\n\n# Answer\n\n357"
        #expect(try bundle.tokenizer.encode(text) == kind.tokenizer.encode(text))
        #expect(bundle.manifest.stopTokenIDs == [kind.tokenizer.eosID])
    }

    @Test func aFolderWithoutBundleJSONIsRefusedNamingTheFile() throws {
        let directory = temporaryDirectory("no-bundle")
        try TransformerModel(config: TransformerConfig(vocabSize: 64, hiddenSize: 32, intermediateSize: 64, layerCount: 1,
                                                       headCount: 2, maxPositions: 16)).save(to: directory)
        do {
            _ = try ModelBundle.load(from: directory)
            Issue.record("loaded a folder without bundle.json")
        } catch let error as ModelBundleError {
            #expect(error.file.hasSuffix("bundle.json"))
            #expect(error.description.contains("tokenizer"))
        }
    }

    @Test func badManifestsNameTheField() throws {
        let directory = temporaryDirectory("bad-bundle")
        try TransformerModel(config: TransformerConfig(vocabSize: 64, hiddenSize: 32, intermediateSize: 64, layerCount: 1,
                                                       headCount: 2, maxPositions: 16)).save(to: directory)
        func expectField(_ json: String, _ field: String) {
            do {
                try Data(json.utf8).write(to: directory.appendingPathComponent("bundle.json"))
                _ = try ModelBundle.load(from: directory)
                Issue.record("accepted \(json)")
            } catch let error as ModelBundleError {
                #expect(error.field == field, "\(error)")
            } catch { Issue.record("unexpected \(error)") }
        }
        let symbols = CharacterVocabulary.benchmarkSymbols.debugDescription
        expectField(#"{"version":1,"tokenizer":{"kind":"sentencepiece","symbols":\#(symbols)},"prompt_format":"paper","stop_token_ids":[2]}"#,
                    "tokenizer.kind")
        expectField(#"{"version":1,"tokenizer":{"kind":"characters","symbols":\#(symbols)},"stop_token_ids":[2]}"#, "prompt_format")
        // The number vocabulary has 1,157 ids: too many for a 64-row model.
        expectField(#"{"version":1,"tokenizer":{"kind":"numbers","symbols":\#(symbols)},"prompt_format":"paper","stop_token_ids":[2]}"#,
                    "tokenizer")
        expectField(#"{"version":1,"tokenizer":{"kind":"characters","symbols":\#(symbols)},"prompt_format":"paper","stop_token_ids":[64]}"#,
                    "stop_token_ids")
    }

    /// The one encoding of (prompt, completion) gives what separate encodings gave for the
    /// benchmark's vocabularies, with the completion's ranges counted from its first token.
    @Test(arguments: TokenizerKind.allCases)
    func oneSequenceEncodingMatchesTheSeparateEncodings(kind: TokenizerKind) throws {
        let tokenizer = kind.tokenizer
        let prompt = SolutionFormat.prompt(problem: "Compute (18 + 42) / 5 * 4.")
        let completion = "18 + 42 = 60\n\n60 / 5 = 12\n\n12 * 4 = 48\n\n# Answer\n\n48"
        let sequence = try tokenizer.encodeSequence(prompt: prompt, completion: completion, appendEOS: true)
        let separate = [tokenizer.bosID] + (try tokenizer.encode(prompt)) + (try tokenizer.encode(completion)) + [tokenizer.eosID]
        #expect(sequence.tokens.map(Int.init) == separate)
        #expect(sequence.completionStart == 1 + (try tokenizer.encode(prompt)).count)
        #expect(sequence.completionCount == (try tokenizer.encode(completion)).count)
        let ids = sequence.tokens.map(Int.init)
        let answer = sequence.parsed.answerRange!
        #expect(tokenizer.decode(Array(ids[(sequence.completionStart + answer.lowerBound)..<(sequence.completionStart + answer.upperBound)])) == "48")
        let noEOS = try tokenizer.encodeSequence(prompt: prompt, completion: completion, appendEOS: false)
        #expect(noEOS.tokens == Array(sequence.tokens.dropLast()))
    }
}
