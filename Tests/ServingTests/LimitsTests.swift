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

/// Bad requests get 4xx with a message that names the parameter; the server keeps serving.
@Suite("Server limits and errors", .serialized)
struct LimitsTests {
    /// The status and error message of a raw request.
    func error(_ base: String, _ path: String, _ body: String, headers: [(String, String)] = []) async throws -> (Int, String) {
        let (status, text) = try await raw("POST", base + path, body: body, headers: headers)
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: Data(text.utf8)))?.error.message ?? "<no error body: \(text)>"
        return (status, message)
    }

    @Test func badRequestsGetClearMessagesAndTheServerKeepsServing() async throws {
        var config = ServeConfig()
        config.maxBodyBytes = 4096
        try await withServer(model: try tinyBundle(context: 128), config: config) { base, _ in
            let cases: [(body: String, status: Int, mentions: String)] = [
                ("{not json", 400, "invalid request body"),
                (#"{"model":"tiny","prompt":42}"#, 400, "prompt"),
                (#"{"model":"tiny","prompt":"1","max_tokens":"ten"}"#, 400, "max_tokens"),
                (#"{"model":"tiny","prompt":"1","n":1000000}"#, 400, "n is 1000000"),
                (#"{"model":"tiny","prompt":"1","max_tokens":1000000000}"#, 400, "max_tokens is 1000000000"),
                (#"{"model":"tiny","prompt":"1","temperature":-1}"#, 400, "temperature"),
                (#"{"model":"tiny","prompt":"1","top_p":0}"#, 400, "top_p"),
                (#"{"model":"tiny","prompt":"1","logprobs":99}"#, 400, "logprobs"),
                (#"{"model":"tiny","prompt":"1","stop":[""]}"#, 400, "stop"),
                (#"{"model":"tiny","prompt":[[1,2,99999]]}"#, 400, "99999"),
                (#"{"model":"tiny","prompt":"\#(String(repeating: "1 ", count: 200))"}"#, 400, "context is 128"),
                (#"{"model":"other","prompt":"1"}"#, 404, "other"),
                (#"{"model":"tiny","prompt":"\#(String(repeating: "x", count: 5000))"}"#, 413, "4096 bytes"),
            ]
            for c in cases {
                let (status, message) = try await error(base, "/v1/completions", c.body)
                #expect(status == c.status, "\(c.body.prefix(60))")
                #expect(message.contains(c.mentions), "\(c.body.prefix(60)): \(message)")
            }
            let (chatStatus, chatMessage) = try await error(base, "/v1/chat/completions", #"{"model":"tiny","messages":[{"role":"system","content":"x"}]}"#)
            #expect(chatStatus == 400 && chatMessage.contains("user"))
            // Still serving.
            let ok = try await client(base).completions(CompletionRequest(model: "tiny", prompt: .texts(["1 + 1"]), maxTokens: 4))
            #expect(ok.choices.count == 1)
        }
    }

    @Test func theAPIKeyIsRequiredWhenSet() async throws {
        var config = ServeConfig()
        config.apiKey = "sesame"
        try await withServer(model: try tinyBundle(), config: config) { base, _ in
            let body = #"{"model":"tiny","prompt":"1","max_tokens":2}"#
            #expect(try await error(base, "/v1/completions", body).0 == 401)
            #expect(try await error(base, "/v1/completions", body, headers: [("Authorization", "Bearer wrong")]).0 == 401)
            #expect(try await raw("POST", base + "/v1/completions", body: body, headers: [("Authorization", "Bearer sesame")]).status == 200)
            #expect(try await raw("GET", base + "/health").status == 200)
            let api = client(base, apiKey: "sesame")
            #expect(try await api.models().data.count == 1)
            try await api.shutdown()
        }
    }

    @Test func aFullQueueAnswers429WithRetryAfterAndTheClientRetries() async throws {
        var config = ServeConfig()
        config.engine.maxPendingSequences = 4
        config.engine.slots = 2
        try await withServer(model: try tinyBundle(), config: config) { base, _ in
            // More sequences than the queue holds: refused outright.
            var request = HTTPClientRequest(url: base + "/v1/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"model":"tiny","prompt":"1","max_tokens":4,"n":5}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 429)
            #expect(response.headers.first(name: "Retry-After") == "1")
            // Many clients at once: some are refused, and a retrying client gets through them all.
            let api = client(base, attempts: 40)
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await api.completions(CompletionRequest(model: "tiny", prompt: .texts(["\(i) + 1"]), maxTokens: 40,
                                                                    n: 2, temperature: 1, seed: Int64(i))).choices.count
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(results == Array(repeating: 2, count: 12))
            try await api.shutdown()
        }
    }

    @Test func aClientThatDisconnectsMidStreamFreesItsSlots() async throws {
        // A model slow enough that 64 × 500 tokens take a good part of a second.
        try await withServer(model: try tinyBundle(context: 512, width: 128, layers: 4)) { base, server in
            let task = Task {
                var request = HTTPClientRequest(url: base + "/v1/completions")
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: #"{"model":"tiny","prompt":"1 + 1","max_tokens":500,"n":64,"stream":true,"answer_line_stop":false}"#))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()  // the first chunk, then hang up
            }
            _ = try? await task.value
            // The slots free up long before 64 × 500 tokens are generated.
            var waited = 0
            while server.engine.pendingSequences > 0, waited < 200 {
                try await Task.sleep(nanoseconds: 50_000_000)
                waited += 1
            }
            #expect(server.engine.pendingSequences == 0)
            #expect(server.engine.tokensFed < 64 * 500 / 4)
            let ok = try await client(base).completions(CompletionRequest(model: "tiny", prompt: .texts(["2"]), maxTokens: 3))
            #expect(ok.choices.count == 1)
        }
    }

    @Test func poolingScoresEqualLocalScoring() async throws {
        let model = try tinyBundle()
        let directory = temporaryDirectory("pool")
        let problems = try writeProblems(to: directory)
        let samplesPath = directory.appendingPathComponent("samples.jsonl").path
        let samples = (0..<6).map { i in
            SampleRecord(problemID: "p\(i)", sampleIndex: 0, output: SolutionFormat.completion(steps: ["\(i) + 1 = \(i + 1)", "x"], answer: "\(i)"),
                         answer: "\(i)", steps: ["\(i) + 1 = \(i + 1)", "x"], finishReason: "stop")
        }
        try RecordWriter.write(samples, to: samplesPath)
        let local = directory.appendingPathComponent("local.jsonl").path
        try scoreSampleFile(model: model, problems: problems, samples: samplesPath, out: local, quiet: true) { _ in }
        let remotePath = directory.appendingPathComponent("remote.jsonl").path
        try await withServer(model: model) { base, _ in
            var remote = RemoteOptions(endpoint: base, model: "tiny")
            remote.maxNPerRequest = 4
            try await scoreSampleFileRemote(remote: remote, style: .e2h, problems: problems, samples: samplesPath, out: remotePath) { _ in }
            let (status, message) = try await error(base, "/pooling", #"{"model":"tiny","input":"no format here"}"#)
            #expect(status == 400 && message.contains("# Solution"))
        }
        let read = { (path: String) in try RecordReader.readAll(SampleRecord.self, from: path).records.map { $0.stepScores ?? [] } }
        let (expected, got) = (try read(local), try read(remotePath))
        #expect(expected.map(\.count) == Array(repeating: 3, count: 6))
        #expect(got.map(\.count) == expected.map(\.count))
        for (e, g) in zip(expected.joined(), got.joined()) { #expect(abs(e - g) <= 1e-4 * max(1, abs(e))) }
    }
}
