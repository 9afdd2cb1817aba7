import Datasets
import Foundation
import InferenceClient
import InferenceProtocol
import Testing
import Training

/// The client's streaming (server-sent events as they come) and `top_logprobs` beyond the sampled
/// token, against `e2h serve` on loopback.
@Suite("Streaming client and top log-probs", .serialized)
struct StreamingClientTests {
    @Test func streamedChunksConcatenateToTheWholeResponse() async throws {
        try await withServer(model: try tinyBundle()) { base, _ in
            let api = client(base)
            let request = CompletionRequest(model: "tiny", prompt: .texts([SolutionFormat.prompt(problem: "5 + 6")]), maxTokens: 16,
                                            n: 3, temperature: 0.9, seed: 11)
            let whole = try await api.completions(request)
            var texts = ["", "", ""], finish: [String?] = [nil, nil, nil], chunks = 0
            for try await chunk in api.completionsStream(request) {
                chunks += 1
                for choice in chunk.choices {
                    texts[choice.index] += choice.text
                    if let reason = choice.finishReason { finish[choice.index] = reason }
                }
            }
            #expect(chunks > 3)  // tokens as they come, not one body
            #expect(texts == whole.choices.map(\.text))
            #expect(finish == whole.choices.map(\.finishReason))

            let chat = ChatRequest(model: "tiny", messages: [InferenceProtocol.ChatMessage(role: "user", content: "5 + 6")], maxTokens: 12,
                                   temperature: 0, seed: 3)
            let wholeChat = try await api.chat(chat)
            var content = "", role: String?
            for try await chunk in api.chatStream(chat) {
                for choice in chunk.choices {
                    content += choice.delta?.content ?? ""
                    role = role ?? choice.delta?.role
                }
            }
            #expect(role == "assistant")
            #expect(content == wholeChat.choices.first?.message?.content)
            try await api.shutdown()
        }
    }

    @Test func aRefusedStreamIsAClientErrorAndABreakFreesTheServer() async throws {
        try await withServer(model: try tinyBundle()) { base, server in
            let api = client(base)
            let bad = CompletionRequest(model: "tiny", prompt: .texts(["1"]), n: 1_000_000)
            var refused: ClientError?
            do { for try await _ in api.completionsStream(bad) {} } catch let error as ClientError { refused = error }
            #expect(refused?.status == 400 && refused?.message.contains("n is 1000000") == true, "\(String(describing: refused))")
            // Stop reading after two chunks of a long stream: the server cancels the rest.
            let long = CompletionRequest(model: "tiny", prompt: .texts([SolutionFormat.prompt(problem: "1 + 1")]), maxTokens: 100,
                                         n: 8, temperature: 1, seed: 1)
            var seen = 0
            for try await _ in api.completionsStream(long) {
                seen += 1
                if seen == 2 { break }
            }
            var idle = false
            for _ in 0..<200 where !idle {
                idle = server.engine.pendingSequences == 0
                if !idle { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            #expect(idle)
            try await api.shutdown()
        }
    }

    @Test func topLogprobsHoldTheMostLikelyTokensInOrder() async throws {
        try await withServer(model: try tinyBundle()) { base, _ in
            let api = client(base)
            let prompt = SolutionFormat.prompt(problem: "2 + 9")
            // Greedy: the sampled token is the most likely one.
            let greedy = try await api.completions(CompletionRequest(model: "tiny", prompt: .texts([prompt]), maxTokens: 8,
                                                                     temperature: 0, logprobs: 3))
            let lp = try #require(greedy.choices.first?.logprobs)
            let top = try #require(lp.topLogprobs)
            #expect(top.count == lp.tokens.count)
            for (i, row) in top.enumerated() {
                // vLLM's shape: the sampled token plus the 3 most likely (the same token here).
                #expect(row.count == 3)
                #expect(row.map { $0.logprob ?? 0 } == row.map { $0.logprob ?? 0 }.sorted(by: >))
                #expect(row[0].token == lp.tokens[i])
                #expect(abs((row[0].logprob ?? 0) - (lp.tokenLogprobs[i] ?? 1)) < 1e-6)
            }
            // Sampled at temperature 2: every sampled token's log-prob is at most the best one's, and
            // the chat content shape carries ids.
            var chatRequest = ChatRequest(model: "tiny", messages: [InferenceProtocol.ChatMessage(role: "user", content: "2 + 9")], maxTokens: 8,
                                          temperature: 2, seed: 4, logprobs: true)
            chatRequest.topLogprobs = 5
            let chat = try await api.chat(chatRequest)
            let chatLogprobs = try #require(chat.choices.first?.logprobs)
            #expect(chatLogprobs.shape == .content)
            let rows = try #require(chatLogprobs.topLogprobs)
            for (i, row) in rows.enumerated() {
                #expect(row.count == 5 && row.allSatisfy { $0.id != nil })
                #expect((chatLogprobs.tokenLogprobs[i] ?? 0) <= (row[0].logprob ?? 0) + 1e-6)
            }
            // Asking for none leaves the sampled token's entry only, as before.
            let plain = try await api.completions(CompletionRequest(model: "tiny", prompt: .texts([prompt]), maxTokens: 4,
                                                                    temperature: 0, logprobs: 0))
            #expect(plain.choices.first?.logprobs?.topLogprobs?.allSatisfy { $0.count == 1 } == true)
            let (status, text) = try await raw("POST", base + "/v1/chat/completions",
                                               body: #"{"model":"tiny","messages":[{"role":"user","content":"1"}],"logprobs":true,"top_logprobs":21}"#)
            #expect(status == 400 && text.contains("top_logprobs is 21"))
            try await api.shutdown()
        }
    }
}

