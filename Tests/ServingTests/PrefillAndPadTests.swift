import Datasets
import Foundation
import InferenceClient
import InferenceProtocol
import Serving
import Testing
import Tokenizers
import Training
import Transformer

/// The engine's batched prefill (a prompt in chunks, not one token per step), and a model whose
/// PAD is its EOS (as SmolLM2's PAD is its end of turn) still ending its sequences when served.
@Suite("Serving: batched prefill and PAD = EOS", .serialized)
struct PrefillAndPadTests {
    /// One greedy completion of a long prompt with the engine's prefill chunk set to `chunk`:
    /// the model steps the engine ran, the prompt and completion token counts, and the text.
    func greedyRun(model: URL, prompt: String, chunk: Int) async throws -> (steps: Int, prompt: Int, ids: [Int], text: String) {
        var config = ServeConfig()
        config.engine.prefillChunk = chunk
        var result: (Int, Int, [Int], String)?
        try await withServer(model: model, config: config) { base, server in
            var request = CompletionRequest(model: "tiny", prompt: .texts([prompt]), maxTokens: 12, temperature: 0,
                                            returnTokenIDs: true)
            request.answerLineStop = false
            let response = try await client(base).completions(request)
            let ids = try #require(response.choices.first?.tokenIDs)
            result = (server.engine.stepsRun, try #require(response.usage?.promptTokens), ids, response.choices[0].text)
        }
        return try #require(result)
    }

    @Test func aLongPromptIsPrefilledInChunks() async throws {
        let model = try tinyBundle(context: 512)
        let prompt = SolutionFormat.prompt(problem: (0..<60).map { "\($0 % 10) + \($0 % 7)" }.joined(separator: " + "))
        let oneByOne = try await greedyRun(model: model, prompt: prompt, chunk: 1)
        let P = oneByOne.prompt
        #expect(P > 256, "the prompt has \(P) tokens; the test needs more than one chunk of 256")
        // One token per step: P prompt steps, then one step per generated token but the last.
        #expect(oneByOne.steps == P + oneByOne.ids.count - 1)
        for chunk in [256, 100] {
            let chunked = try await greedyRun(model: model, prompt: prompt, chunk: chunk)
            #expect(chunked.prompt == P)
            let prefillSteps = (P + chunk - 1) / chunk
            let expected = prefillSteps + chunked.ids.count - 1
            #expect(chunked.steps == expected, "chunk \(chunk)")
            // The same greedy continuation (logits within float rounding of token-by-token prefill).
            #expect(chunked.ids == oneByOne.ids, "chunk \(chunk)")
            #expect(chunked.text == oneByOne.text, "chunk \(chunk)")
        }
        // The default engine prefills in chunks of 256.
        #expect(EngineConfig().prefillChunk == IncrementalDecoder.defaultPrefillChunk)
        #expect(IncrementalDecoder.defaultPrefillChunk == 256)
    }

    /// The tiny Qwen2 fixture (RealModelTests) with its EOS and PAD both set to token 55 ("U"): the
    /// greedy continuation of "The answer is" in transformers is 65 × 7, then 55. Served, the
    /// sequence must end at that 55 (finish "stop"); with PAD banned it could never be drawn and the
    /// sequence would run to max_tokens, the bug SmolLM2 showed in session 10.
    @Test func aModelWhosePadIsItsEOSEndsItsSequencesWhenServed() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RealModelTests/Fixtures/tiny-qwen2")
        let folder = temporaryDirectory("pad-eos")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.path) {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let write = { (name: String, json: String) in
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            try json.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("tokenizer_config.json", #"{"eos_token": "U", "pad_token": "U"}"#)
        try write("generation_config.json", #"{"eos_token_id": 55}"#)
        let bundle = try ModelBundle.load(from: folder)
        #expect(bundle.tokenizer.padID == 55 && bundle.tokenizer.eosID == 55)
        #expect(bundle.stopTokenIDs.contains(55))

        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("reference.json"))) as! [String: Any]
        let cases = reference["cases"] as! [[String: Any]]
        let answer = try #require(cases.first { $0["text"] as? String == "The answer is" })
        let ids = answer["ids"] as! [Int], greedy = answer["greedy"] as! [Int]
        let end = try #require(greedy.firstIndex(of: 55))
        #expect(end > 0)

        try await withServer(model: folder) { base, _ in
            let api = client(base)
            for stream in [false, true] {
                var request = CompletionRequest(model: "tiny", prompt: .tokens([ids]), maxTokens: 16, temperature: 0,
                                                returnTokenIDs: true)
                request.stream = stream
                if stream {
                    var tokens: [Int] = [], finish: String?
                    for try await chunk in api.completionsStream(request) {
                        for choice in chunk.choices {
                            tokens += choice.tokenIDs ?? []
                            if let reason = choice.finishReason { finish = reason }
                        }
                    }
                    #expect(finish == "stop", "streamed")
                    #expect(tokens == Array(greedy[...end]), "streamed: \(tokens)")  // the last chunk carries the ids
                } else {
                    let choice = try #require(try await api.completions(request).choices.first)
                    #expect(choice.finishReason == "stop")
                    #expect(choice.tokenIDs == Array(greedy[...end]))
                }
            }
            try await api.shutdown()
        }
    }
}
