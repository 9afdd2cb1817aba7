// The three model endpoints: `/v1/completions`, `/v1/chat/completions` (whole or as server-sent
// events) and `/pooling` (step scores of an e2h reward model in vLLM's shape).

import Foundation
import Hummingbird
import InferenceProtocol
import NIOCore
import Training

extension OpenAIServer {
    /// `POST /v1/completions`.
    func completions(_ request: Request) async throws -> Response {
        let body = try JSONWire.decode(CompletionRequest.self, from: try await self.body(request))
        try served.check(model: body.model)
        if let k = body.logprobs, !(0...20).contains(k) {
            throw ServeError.badRequest("logprobs is \(k); it must be an integer in 0...20", param: "logprobs")
        }
        var settings = try served.settings(SamplingParameters(
            n: body.n, maxTokens: body.maxTokens, temperature: body.temperature, topP: body.topP, topK: body.topK,
            seed: body.seed, stop: body.stop?.values ?? [], stopTokenIDs: body.stopTokenIDs,
            answerLineStop: body.answerLineStop), seedFallback: freshSeed())
        settings.topLogprobs = body.logprobs ?? 0
        let prompts = try served.tokens(body.prompt)
        let (events, ids) = try engine.submit(prompts: prompts, settings: settings)
        let id = "cmpl-" + UUID().uuidString.lowercased(), created = Int(Date().timeIntervalSince1970)
        let n = settings.samples, model = served.name, served = self.served
        let wantLogprobs = body.logprobs != nil, returnIDs = body.returnTokenIDs == true
        @Sendable func chunk(_ choice: CompletionChoice) -> CompletionResponse {
            CompletionResponse(id: id, created: created, model: model, choices: [choice], usage: nil)
        }

        if body.stream == true {
            return stream(events, ids: ids, id: id) {
                { event in
                    switch event {
                    case .token(let t):
                        guard !t.text.isEmpty || wantLogprobs else { return nil }
                        return Self.event(chunk(CompletionChoice(
                            index: t.request * n + t.sample, text: t.text,
                            logprobs: wantLogprobs ? served.logprobs(t, shape: .arrays) : nil, finishReason: nil)))
                    case .finished(let o):
                        return Self.event(chunk(CompletionChoice(
                            index: o.request * n + o.sample, text: "", finishReason: ServedModel.finishReason(o.finishReason),
                            stopReason: ServedModel.stopReason(o), tokenIDs: returnIDs ? o.tokenIDs : nil)))
                    case .failed: return nil
                    }
                }
            }
        }

        let start = Date()
        let outputs = try await Self.collect(events)
        let choices = outputs.map { o in
            CompletionChoice(index: o.request * n + o.sample, text: o.text,
                             logprobs: wantLogprobs ? served.logprobs(o, shape: .arrays) : nil,
                             finishReason: ServedModel.finishReason(o.finishReason), stopReason: ServedModel.stopReason(o),
                             tokenIDs: returnIDs ? o.tokenIDs : nil)
        }
        let generated = outputs.reduce(0) { $0 + $1.tokenIDs.count }
        logger.info("completions: \(prompts.count) prompts x n=\(n), \(generated) tokens in \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        return Self.json(CompletionResponse(id: id, created: created, model: model, choices: choices,
                                            usage: Usage(promptTokens: prompts.reduce(0) { $0 + $1.count } * n,
                                                         completionTokens: generated)))
    }

    /// `POST /v1/chat/completions`: the messages become a prompt (``ChatPrompt``), then as completions.
    func chat(_ request: Request) async throws -> Response {
        let body = try JSONWire.decode(ChatRequest.self, from: try await self.body(request))
        try served.check(model: body.model)
        if let k = body.topLogprobs, !(0...20).contains(k) {
            throw ServeError.badRequest("top_logprobs is \(k); it must be an integer in 0...20", param: "top_logprobs")
        }
        var settings = try served.settings(SamplingParameters(
            n: body.n, maxTokens: body.maxCompletionTokens ?? body.maxTokens, temperature: body.temperature, topP: body.topP,
            topK: body.topK, seed: body.seed, stop: body.stop?.values ?? [], stopTokenIDs: nil, answerLineStop: nil),
            seedFallback: freshSeed())
        let wantLogprobs = body.logprobs == true
        settings.topLogprobs = wantLogprobs ? body.topLogprobs ?? 0 : 0
        let prompt = try ChatPrompt.render(body.messages, format: served.promptFormat, template: served.chatTemplate)
        let prompts = try served.tokens(.texts([prompt]))
        let (events, ids) = try engine.submit(prompts: prompts, settings: settings)
        let id = "chatcmpl-" + UUID().uuidString.lowercased(), created = Int(Date().timeIntervalSince1970)
        let model = served.name, served = self.served
        @Sendable func chunk(_ choice: ChatChoice) -> ChatResponse {
            ChatResponse(id: id, object: "chat.completion.chunk", created: created, model: model, choices: [choice], usage: nil)
        }

        if body.stream == true {
            return stream(events, ids: ids, id: id) {
                var started = Set<Int>()
                return { event in
                    switch event {
                    case .token(let t):
                        let first = started.insert(t.sample).inserted
                        guard !t.text.isEmpty || first || wantLogprobs else { return nil }
                        return Self.event(chunk(ChatChoice(
                            index: t.sample, delta: ChatDelta(role: first ? "assistant" : nil, content: t.text),
                            logprobs: wantLogprobs ? served.logprobs(t, shape: .content) : nil, finishReason: nil)))
                    case .finished(let o):
                        return Self.event(chunk(ChatChoice(index: o.sample, delta: ChatDelta(),
                                                           finishReason: ServedModel.finishReason(o.finishReason))))
                    case .failed: return nil
                    }
                }
            }
        }

        let outputs = try await Self.collect(events)
        let choices = outputs.map { o in
            ChatChoice(index: o.sample, message: InferenceProtocol.ChatMessage(role: "assistant", content: o.text),
                       logprobs: wantLogprobs ? served.logprobs(o, shape: .content) : nil,
                       finishReason: ServedModel.finishReason(o.finishReason))
        }
        let generated = outputs.reduce(0) { $0 + $1.tokenIDs.count }
        return Self.json(ChatResponse(id: id, created: created, model: model, choices: choices,
                                      usage: Usage(promptTokens: prompts[0].count * settings.samples, completionTokens: generated)))
    }

    /// The finished sequences of a submission, in (prompt, sample) order (a whole response).
    static func collect(_ events: AsyncStream<EngineEvent>) async throws -> [DecodeOutput] {
        var outputs: [DecodeOutput] = []
        for await event in events {
            switch event {
            case .token: continue
            case .finished(let output): outputs.append(output)
            case .failed(let message): throw ServeError(status: .internalServerError, message: message, param: nil)
            }
        }
        return outputs.sorted { ($0.request, $0.sample) < ($1.request, $1.sample) }
    }

    /// A submission as server-sent events: `makeChunker` (called once, in the stream's task, so its
    /// state is the stream's own) turns each token or finished sequence into an event or nothing;
    /// an engine failure becomes an error event; then `data: [DONE]`. A client that goes away
    /// cancels the submission, whose slots are free at the next step.
    func stream(_ events: AsyncStream<EngineEvent>, ids: Range<Int>, id: String,
                makeChunker: @escaping @Sendable () -> (EngineEvent) -> ByteBuffer?) -> Response {
        let engine = self.engine, logger = self.logger
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: ResponseBody { writer in
            let chunker = makeChunker()
            do {
                for await event in events {
                    if case .failed(let message) = event {
                        try await writer.write(Self.event(ErrorBody(message: message, type: "server_error", code: 500)))
                    } else if let buffer = chunker(event) {
                        try await writer.write(buffer)
                    }
                }
                try await writer.write(Self.done)
                try await writer.finish(nil)
            } catch {
                engine.cancel(ids)  // the client went away: free its slots now
                logger.info("stream \(id) ended early: \(error)")
                throw error
            }
        })
    }

    /// `POST /pooling`: step scores of texts in the paper's format (`# Question ... # Solution ...`)
    /// from the model's scalar head, one row `[1 - p, p]` per step and one for the answer, where
    /// p = sigmoid(logit): vLLM's STEP pooling shape (positive class at index 1, as Qwen2.5-Math-PRM).
    func pooling(_ request: Request) async throws -> Response {
        let body = try JSONWire.decode(PoolingRequest.self, from: try await self.body(request))
        try served.check(model: body.model)
        guard (1...served.config.maxPrompts).contains(body.input.count) else {
            throw ServeError.badRequest("input holds \(body.input.count) texts; it must hold 1...\(served.config.maxPrompts)", param: "input")
        }
        let items = try body.input.enumerated().map { i, text -> (prompt: String, completion: String) in
            guard let split = Self.solutionSplit(text) else {
                throw ServeError.badRequest("input \(i) has no '# Solution' line: e2h reward models score text in the paper's format "
                                            + "('# Question\\n\\n{problem}\\n\\n# Solution\\n\\n{steps}\\n\\n# Answer\\n\\n{answer}')",
                                            param: "input")
            }
            do { _ = try served.tokenizer.encode(text) } catch {
                throw ServeError.badRequest("input \(i) cannot be tokenized: \(error)", param: "input")
            }
            return split
        }
        let scores = try await engine.score(items)
        let data = scores.enumerated().map { i, logits in
            PoolingResponse.Item(index: i, data: logits.map { x in
                let x = Double(x)
                return [1 / (1 + exp(x)), 1 / (1 + exp(-x))]  // both computed, so log(p1/p0) gives x back exactly
            })
        }
        let tokens = try items.reduce(0) { $0 + (try served.tokenizer.encode($1.prompt + $1.completion).count) }
        return Self.json(PoolingResponse(id: "pool-" + UUID().uuidString.lowercased(), created: Int(Date().timeIntervalSince1970),
                                         model: served.name, data: data, usage: Usage(promptTokens: tokens, completionTokens: 0)))
    }

    /// (prompt, completion) of a text in the paper's format: the prompt ends after `# Solution\n\n`.
    static func solutionSplit(_ text: String) -> (prompt: String, completion: String)? {
        let marker = "# Solution\n\n"
        let range: Range<String.Index>?
        if text.hasPrefix(marker) { range = text.range(of: marker) } else { range = text.range(of: "\n" + marker) }
        guard let range else { return nil }
        return (String(text[..<range.upperBound]), String(text[range.upperBound...]))
    }
}
