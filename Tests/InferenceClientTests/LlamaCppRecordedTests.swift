import Experiment
import Foundation
import InferenceClient
import InferenceProtocol
import Testing

/// Bodies recorded from a real llama.cpp server (0.2.0, vendored) serving SmolLM2-135M-Instruct
/// Q4_1, by `bench/peers/serving/record_llamacpp.py` (requests in `llamacpp_real_manifest.json`).
@Suite("Recorded llama.cpp server bodies")
struct LlamaCppRecordedTests {
    func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func completionWithTopLogprobsInTheContentShape() throws {
        let response = try JSONDecoder().decode(CompletionResponse.self, from: try fixture("llamacpp_real_completion_logprobs"))
        let choice = try #require(response.choices.first)
        #expect(choice.text == "12 + 7 = 8\n\nThis is" && choice.finishReason == "length" && choice.stopReason == nil)
        let logprobs = try #require(choice.logprobs)
        #expect(logprobs.shape == .content)
        #expect(logprobs.tokens.joined() == choice.text)
        #expect(logprobs.tokens.count == response.usage?.completionTokens)
        #expect(logprobs.tokenIDs?.count == 12 && logprobs.tokenIDs?.first == 33)
        let top = try #require(logprobs.topLogprobs)
        #expect(top.count == 12 && top.allSatisfy { $0.count == 3 && $0.allSatisfy { $0.id != nil } })
        // Greedy: the sampled token is the most likely one, with the same log-prob.
        for (i, row) in top.enumerated() {
            #expect(row[0].id == logprobs.tokenIDs?[i] && row[0].logprob == logprobs.tokenLogprobs[i])
            #expect(row.map { $0.logprob ?? 0 } == row.map { $0.logprob ?? 0 }.sorted(by: >))
        }
        // As a sample: ids and log-probs recorded, llama.cpp's length stop kept.
        let record = remoteSampleRecord(problemID: "p", sampleIndex: 0, choice: choice, answerLineStop: true, recordTokens: true)
        #expect(record.finishReason == "length" && record.tokenIDs == logprobs.tokenIDs && record.logprobs?.count == 12)
    }

    @Test func nCompletionsAndAStopRequest() throws {
        let two = try JSONDecoder().decode(CompletionResponse.self, from: try fixture("llamacpp_real_completion_n2"))
        #expect(two.choices.map(\.index) == [0, 1])
        #expect(two.choices.allSatisfy { $0.logprobs?.tokens.count == 8 })
        // llama.cpp's usage counts one choice's tokens, not all n: the sampler counts the choices' own.
        #expect(two.usage?.completionTokens == 8)
        let stop = try JSONDecoder().decode(CompletionResponse.self, from: try fixture("llamacpp_real_completion_stop"))
        #expect(stop.choices.first?.finishReason == "length" && stop.choices.first?.logprobs == nil)
    }

    @Test func chatWithTopLogprobs() throws {
        let response = try JSONDecoder().decode(ChatResponse.self, from: try fixture("llamacpp_real_chat_logprobs"))
        let choice = try #require(response.choices.first)
        #expect(choice.message?.role == "assistant" && choice.message?.content == "12 + 7 = 9\n\nThis is")
        let logprobs = try #require(choice.logprobs)
        #expect(logprobs.tokens.joined() == choice.message?.content)
        #expect(logprobs.topLogprobs?.allSatisfy { $0.count == 2 } == true)
    }

    @Test func streamsParseChunkByChunk() throws {
        var parser = ServerSentEvents()
        let events = parser.feed(Array(try text("llamacpp_real_completion_stream").utf8)) + parser.end()
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try JSONDecoder().decode(CompletionResponse.self, from: Data($0.utf8)) }
        #expect(chunks.map { $0.choices.first?.text ?? "" }.joined() == "12 + 7 =")
        #expect(chunks.dropLast().allSatisfy { $0.choices.first?.logprobs?.tokens.count == 1 })
        #expect(chunks.last?.choices.first?.finishReason == "length" && chunks.last?.usage?.completionTokens == 6)

        var chatParser = ServerSentEvents()
        let chatEvents = chatParser.feed(Array(try text("llamacpp_real_chat_stream").utf8)) + chatParser.end()
        let chat = try chatEvents.dropLast().map { try JSONDecoder().decode(ChatResponse.self, from: Data($0.utf8)) }
        #expect(chat.first?.choices.first?.delta?.role == "assistant")  // its content is null
        #expect(chat.map { $0.choices.first?.delta?.content ?? "" }.joined() == "12 + 7 =")
        #expect(chat.last?.choices.first?.finishReason == "length")
    }

    @Test(arguments: [("llamacpp_real_error_context", "exceeds the available context size (1024 tokens)"),
                      ("llamacpp_real_error_malformed", "parse error"),
                      ("llamacpp_real_error_n_too_large", "Value must be between 1 <= value <= 4"),
                      ("llamacpp_real_error_top_logprobs", "top_logprobs requires logprobs")])
    func errorBodies(name: String, message: String) throws {
        #expect(OpenAIClient.errorMessage(try fixture(name)).contains(message))
    }

    @Test func theLimitOnNIsReadFromTheRefusal() throws {
        #expect(RemotePlan.nLimit(fromError: OpenAIClient.errorMessage(try fixture("llamacpp_real_error_n_too_large"))) == 4)
    }
}
