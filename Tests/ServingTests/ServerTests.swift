import AsyncHTTPClient
import Datasets
import Experiment
import Foundation
import InferenceClient
import InferenceProtocol
import NIOCore
import Serving
import Testing
import Training

/// `e2h serve` on loopback, driven by e2h's own client and by raw HTTP.
@Suite("OpenAI-compatible server", .serialized)
struct ServerTests {
    @Test func completionsWithSeveralPromptsAndNGreaterThanOne() async throws {
        try await withServer(model: try tinyBundle()) { base, _ in
            let api = client(base)
            let response = try await api.completions(CompletionRequest(
                model: "tiny", prompt: .texts([SolutionFormat.prompt(problem: "1 + 2"), SolutionFormat.prompt(problem: "3 + 4")]),
                maxTokens: 10, n: 3, temperature: 0.8, seed: 7, logprobs: 1, returnTokenIDs: true))
            #expect(response.object == "text_completion")
            #expect(response.choices.map(\.index) == Array(0..<6))
            for choice in response.choices {
                let ids = try #require(choice.tokenIDs)
                let logprobs = try #require(choice.logprobs)
                #expect(ids.count >= 1 && ids.count <= 10)
                #expect(logprobs.tokenLogprobs.count == ids.count)
                #expect(logprobs.tokenLogprobs.allSatisfy { ($0 ?? 1) <= 0 })
                #expect(["stop", "length"].contains(choice.finishReason ?? ""))
            }
            // The three samples of a prompt differ (their own draws), the two prompts' usage adds up.
            #expect(Set(response.choices[0..<3].map(\.text)).count > 1)
            let usage = try #require(response.usage)
            #expect(usage.completionTokens == response.choices.reduce(0) { $0 + ($1.tokenIDs?.count ?? 0) })
            try await api.shutdown()
        }
    }

    @Test func remoteSamplingThroughServeEqualsLocalSampling() async throws {
        let model = try tinyBundle()
        let directory = temporaryDirectory("equal")
        let problems = try writeProblems(to: directory)
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = 3
        sampling.maxNewTokens = 12
        sampling.recordTokens = true
        let local = directory.appendingPathComponent("local.jsonl").path
        try sampleProblems(model: model, problems: problems, out: local, sampling: sampling, quiet: true) { _ in }
        let remotePath = directory.appendingPathComponent("remote.jsonl").path
        try await withServer(model: model) { base, _ in
            var remote = RemoteOptions(endpoint: base, model: "tiny")
            remote.maxNPerRequest = 2  // n = 3 split over two requests: the seeds carry the sample offset
            remote.concurrency = 4
            try await sampleProblemsRemote(remote: remote, problems: problems, out: remotePath, sampling: sampling) { _ in }
        }
        let localText = try String(contentsOfFile: local, encoding: .utf8)
        let remoteText = try String(contentsOfFile: remotePath, encoding: .utf8)
        #expect(localText.split(separator: "\n").count == 18)
        #expect(remoteText == localText)
    }

    @Test func aServerThatRefusesLargeNGetsSmallerRequestsAndTheSameSamples() async throws {
        let model = try tinyBundle()
        let directory = temporaryDirectory("n-cap")
        let problems = try writeProblems(to: directory)
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = 5
        sampling.maxNewTokens = 8
        sampling.recordTokens = true
        let local = directory.appendingPathComponent("local.jsonl").path
        try sampleProblems(model: model, problems: problems, out: local, sampling: sampling, quiet: true) { _ in }
        let remotePath = directory.appendingPathComponent("remote.jsonl").path
        var config = ServeConfig()
        config.maxN = 2  // refuses n = 5 with 400 "n is 5; it must be an integer in 1...2", as llama.cpp beyond its slots
        try await withServer(model: model, config: config) { base, _ in
            var remote = RemoteOptions(endpoint: base, model: "tiny")
            remote.maxNPerRequest = 5
            try await sampleProblemsRemote(remote: remote, problems: problems, out: remotePath, sampling: sampling) { _ in }
        }
        #expect(try String(contentsOfFile: remotePath, encoding: .utf8) == String(contentsOfFile: local, encoding: .utf8))
    }

    @Test func aRerunAppendsOnlyTheMissingSamplesAfterATornLine() async throws {
        let model = try tinyBundle()
        let directory = temporaryDirectory("resume")
        let problems = try writeProblems(to: directory)
        var sampling = SamplingConfig()
        sampling.samplesPerProblem = 2
        sampling.maxNewTokens = 8
        sampling.recordTokens = true
        let full = directory.appendingPathComponent("full.jsonl").path
        let partial = directory.appendingPathComponent("partial.jsonl").path
        try await withServer(model: model) { base, _ in
            let remote = RemoteOptions(endpoint: base, model: "tiny")
            try await sampleProblemsRemote(remote: remote, problems: problems, out: full, sampling: sampling) { _ in }
            // Keep 5 whole lines, then half of the sixth: a run killed while writing.
            let lines = try String(contentsOfFile: full, encoding: .utf8).split(separator: "\n")
            let torn = lines[..<5].joined(separator: "\n") + "\n" + lines[5].prefix(20)
            try torn.write(toFile: partial, atomically: true, encoding: .utf8)
            let messages = LogBox()
            try await sampleProblemsRemote(remote: remote, problems: problems, out: partial, sampling: sampling) { messages.add($0) }
            #expect(messages.lines.contains { $0.contains("half-written") })
            #expect(messages.lines.contains { $0.contains("5 samples already there, 7 to sample") })
        }
        #expect(try String(contentsOfFile: partial, encoding: .utf8) == String(contentsOfFile: full, encoding: .utf8))
    }

    @Test func streamingDeltasConcatenateToTheWholeText() async throws {
        try await withServer(model: try tinyBundle()) { base, _ in
            let prompt = SolutionFormat.prompt(problem: "5 + 6")
            let whole = try await client(base).completions(CompletionRequest(
                model: "tiny", prompt: .texts([prompt]), maxTokens: 16, n: 2, temperature: 0.9, seed: 11))
            let body = #"{"model":"tiny","prompt":"\#(prompt.replacingOccurrences(of: "\n", with: "\\n"))","max_tokens":16,"n":2,"temperature":0.9,"seed":11,"stream":true}"#
            let (status, text) = try await raw("POST", base + "/v1/completions", body: body)
            #expect(status == 200)
            let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            var texts = ["", ""], finish: [String?] = [nil, nil]
            for event in events.dropLast() {
                #expect(event.hasPrefix("data: "))
                let chunk = try JSONDecoder().decode(CompletionResponse.self, from: Data(event.dropFirst(6).utf8))
                for choice in chunk.choices {
                    texts[choice.index] += choice.text
                    if choice.finishReason != nil { finish[choice.index] = choice.finishReason }
                }
            }
            #expect(texts == whole.choices.map(\.text))
            #expect(finish == whole.choices.map(\.finishReason))
        }
    }

    @Test func chatTakesTheLastUserMessageAsTheProblem() async throws {
        try await withServer(model: try tinyBundle()) { base, _ in
            let api = client(base)
            let chat = try await api.chat(ChatRequest(model: "tiny", messages: [
                ChatMessage(role: "system", content: "ignored by the paper's format"),
                ChatMessage(role: "user", content: "8 + 9"),
            ], maxTokens: 12, temperature: 0, logprobs: true))
            let completion = try await api.completions(CompletionRequest(
                model: "tiny", prompt: .texts([SolutionFormat.prompt(problem: "8 + 9")]), maxTokens: 12, temperature: 0))
            #expect(chat.object == "chat.completion")
            #expect(chat.choices.count == 1)
            #expect(chat.choices[0].message?.role == "assistant")
            #expect(chat.choices[0].message?.content == completion.choices[0].text)
            #expect(chat.choices[0].logprobs?.shape == .content)
            #expect(chat.choices[0].logprobs?.tokenIDs?.isEmpty == false)
            let (status, stream) = try await raw("POST", base + "/v1/chat/completions",
                                                 body: #"{"model":"tiny","messages":[{"role":"user","content":"8 + 9"}],"max_tokens":12,"temperature":0,"stream":true}"#)
            #expect(status == 200)
            var content = ""
            for event in stream.components(separatedBy: "\n\n") where event.hasPrefix("data: {") {
                let chunk = try JSONDecoder().decode(ChatResponse.self, from: Data(event.dropFirst(6).utf8))
                #expect(chunk.object == "chat.completion.chunk")
                content += chunk.choices.compactMap { $0.delta?.content }.joined()
            }
            #expect(content == completion.choices[0].text)
            try await api.shutdown()
        }
    }

    @Test func modelsAndHealth() async throws {
        try await withServer(model: try tinyBundle(context: 128)) { base, _ in
            let models = try await client(base).models()
            #expect(models.data.map(\.id) == ["tiny"])
            #expect(models.data.first?.maxModelLen == 128)
            #expect(try await raw("GET", base + "/health").status == 200)
        }
    }
}

/// Collects log lines from a `@Sendable` callback.
final class LogBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func add(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}
