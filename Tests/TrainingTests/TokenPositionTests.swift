import Datasets
import Testing
import Tokenizers
import Training

/// Character positions of a parsed solution become token positions for either benchmark tokenizer.
@Suite("Token positions of steps")
struct TokenPositionTests {
    let completion = "50 + 36 = 86\n\n86 - 64 = 22\n\n# Answer\n\n22"
    let prompt = SolutionFormat.prompt(problem: "Compute 50 + 36 - 64.")

    @Test func scoresAreReadAtTheNewlineAfterEachStepAndTheAnswersLastToken() throws {
        for tokenizer in [NumberVocabulary.benchmark as any Tokenizer, CharacterVocabulary.benchmark] {
            let promptIDs = try tokenizer.encode(prompt)
            let (ids, offsets) = try tokenizer.encodeWithOffsets(completion)
            let parsed = SolutionFormat.parseCompletion(completion).inTokens(offsets: offsets, of: completion)
            // Each step's token range decodes to the step.
            for (range, step) in zip(parsed.stepRanges, ["50 + 36 = 86", "86 - 64 = 22"]) {
                #expect(tokenizer.decode(Array(ids[range])) == step)
            }
            #expect(tokenizer.decode(Array(ids[parsed.answerRange!])) == "22")
            let tokens = [tokenizer.bosID] + promptIDs + ids + [tokenizer.eosID]
            let positions = ScorePositions.positions(parsed, completionStart: 1 + promptIDs.count, completionTokens: ids.count)
            #expect(positions.count == 3)
            #expect(tokenizer.decode([tokens[positions[0]]]) == "\n" && tokenizer.decode([tokens[positions[1]]]) == "\n")
            #expect(tokenizer.decode(Array(tokens[(positions[0] - 5)...positions[0]])).hasSuffix("= 86\n"))
            #expect(positions[2] == tokens.count - 2)  // the answer's last token, before EOS
        }
    }

    /// A PRM example labels each step's tokens and its blank line, and the answer's tokens.
    @Test func rewardExampleLabelsTheStepTokens() throws {
        let numbers = NumberVocabulary.benchmark
        let example = try ExampleBuilder(tokenizer: numbers).rewardExample(
            prompt: prompt, completion: completion, stepLabels: [true, false], outcome: false, source: "t")
        let promptCount = try numbers.encode(prompt).count
        let labelled = example.labels.enumerated().filter { !$0.element.isNaN }
        // Step 1: "50", " ", "+", " ", "36", " ", "=", " ", "86" + "\n\n" = 11 tokens; step 2 the same;
        // the answer "22" one token.
        #expect(labelled.count == 23)
        #expect(labelled.first!.offset == 1 + promptCount)
        #expect(labelled.prefix(11).allSatisfy { $0.element == 1 })
        #expect(labelled.dropFirst(11).allSatisfy { $0.element == 0 })
        #expect(numbers.text(of: Int(example.tokens[labelled.last!.offset])) == "22")
    }
}
