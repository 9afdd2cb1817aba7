import Experiment
import Foundation
import Testing
import Training

/// `e2h tokenize` and `e2h generate` as library calls, on the tiny transformers checkpoints.
struct ModelToolsTests {
    func reference(_ name: String) throws -> [[String: Any]] {
        try fixtureJSON("\(name)/reference.json")["cases"] as! [[String: Any]]
    }

    @Test func tokenizeAndDecodeLines() throws {
        // Qwen2 adds no BOS, so the text's ids are the reference's ids.
        let cases = try reference("tiny-qwen2")
        var input = cases.map { String(decoding: try! JSONEncoder().encode($0["text"] as! String), as: UTF8.self) }[...]
        var output: [String] = []
        try tokenizeLines(model: fixtureURL("tiny-qwen2"), decode: false, readLine: { input.popFirst() }) { output.append($0) }
        #expect(output.map { try! JSONDecoder().decode([Int].self, from: Data($0.utf8)) } == cases.map { $0["ids"] as! [Int] })
        var back = output[...]
        var texts: [String] = []
        try tokenizeLines(model: fixtureURL("tiny-qwen2"), decode: true, readLine: { back.popFirst() }) { texts.append($0) }
        // Special tokens decode to nothing; plain texts come back unchanged.
        #expect(try JSONDecoder().decode(String.self, from: Data(texts[0].utf8)) == cases[0]["text"] as! String)
        var bad = ["[1, 99999]"][...]
        #expect(throws: TokenizeLineError.self) {
            try tokenizeLines(model: fixtureURL("tiny-qwen2"), decode: true, readLine: { bad.popFirst() }) { _ in }
        }
    }

    @Test func generateStreamsTheGreedyContinuation() throws {
        let c = try reference("tiny-llama")[0]
        var options = GenerateOptions()
        options.settings = DecodeSettings(samples: 1, temperature: 0, maxNewTokens: 16)
        var streamed = ""
        let result = try generate(model: fixtureURL("tiny-llama"), prompt: c["text"] as! String, options: options) { streamed += $0 }
        #expect(result.output.tokenIDs == c["greedy"] as! [Int])
        #expect(streamed == result.output.text && !streamed.isEmpty)
    }

    @Test func chatUsesTheModelsTemplateUnderThePaperFormat() throws {
        var options = GenerateOptions()
        options.chat = true
        options.promptFormat = .paper
        options.settings = DecodeSettings(samples: 1, temperature: 0, maxNewTokens: 2)
        // The model's own template still renders the turn under --prompt-format paper.
        let result = try generate(model: fixtureURL("tiny-qwen2"), prompt: "Let x = 3.", options: options) { _ in }
        #expect(result.output.tokenIDs.count <= 2)
    }
}

/// `e2h score` with a language model (a Hugging Face or GGUF checkpoint has no reward head: it
/// loads as zeros) is refused by name instead of writing a score of 0 for every step.
struct ScoreWithoutRewardHeadTests {
    @Test func aLanguageModelIsRefusedAsAScorer() throws {
        try withTemporaryFolder { dir in
            let problems = dir.appendingPathComponent("problems.jsonl"), samples = dir.appendingPathComponent("samples.jsonl")
            try Data(#"{"id":"p1","problem":"What is 1 + 1?","answer":"2"}"#.utf8 + [10]).write(to: problems)
            try Data(#"{"problem_id":"p1","sample_index":0,"answer":"2","correct":true,"finish_reason":"eos","output":"1 + 1 = 2\n\n# Answer\n\n2","steps":["1 + 1 = 2"]}"#.utf8 + [10]).write(to: samples)
            let out = dir.appendingPathComponent("scored.jsonl")
            #expect {
                try scoreSampleFile(model: fixtureURL("tiny-qwen2"), problems: problems.path, samples: samples.path, out: out.path,
                                    quiet: true, log: { _ in })
            } throws: { "\($0)".contains("no reward head") && "\($0)".contains("e2h train reward") }
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }
}
