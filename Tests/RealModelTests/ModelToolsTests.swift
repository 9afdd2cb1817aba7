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
