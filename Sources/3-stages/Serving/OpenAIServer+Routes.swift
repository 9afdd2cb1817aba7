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
        let settings = try served.settings(SamplingParameters(
            n: body.n, maxTokens: body.maxTokens, temperature: body.temperature, topP: body.topP, topK: body.topK,
            seed: body.seed, stop: body.stop?.values ?? [], stopTokenIDs: body.stopTokenIDs,
            answerLineStop: body.answerLineStop), seedFallback: freshSeed())
        let prompts = try served.tokens(body.prompt)
        let (events, ids) = try engine.submit(prompts: prompts, settings: settings)
        let id = "cmpl-" + UUID().uuidString.lowercased(), created = Int(Date().timeIntervalSince1970)
        let n = settings.samples, model = served.name, wantLogprobs = body.logprobs != nil
        let promptTokens = prompts.reduce(0) { $0 + $1.count } * n
        let start = Date()

        if body.stream == true {
            let served = self.served, engine = self.engine, logger = self.logger
            return Response(status: .ok, headers: Self.eventStreamHeaders, body: ResponseBody { writer in
                do {
                    for await event in events {
                        let choice: CompletionChoice
                        switch event {
                        case .token(let t):
                            guard !t.text.isEmpty || wantLogprobs else { continue }
                            let logprobs = wantLogprobs ? ChoiceLogprobs(
                                tokens: [served.text(of: t.tokenID)], tokenLogprobs: [t.logprob.isFinite ? Double(t.logprob) : nil],
                                tokenIDs: [t.tokenID], textOffset: [0]) : nil
                            choice = CompletionChoice(index: t.request * n + t.sample, text: t.text, logprobs: logprobs, finishReason: nil)
                        case .finished(let o):
                            choice = CompletionChoice(index: o.request * n + o.sample, text: "",
                                                      finishReason: ServedModel.finishReason(o.finishReason),
                                                      stopReason: ServedModel.stopReason(o),
                                                      tokenIDs: body.returnTokenIDs == true ? o.tokenIDs : nil)
                        case .failed(let message):
                            try await writer.write(Self.event(ErrorBody(message: message, type: "server_error", code: 500)))
                            continue
                        }
                        try await writer.write(Self.event(CompletionResponse(id: id, created: created, model: model,
                                                                             choices: [choice], usage: nil)))
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

        var outputs: [DecodeOutput] = []
        for await event in events {
            switch event {
            case .token: continue
            case .finished(let output): outputs.append(output)
            case .failed(let message): throw ServeError(status: .internalServerError, message: message, param: nil)
            }
        }
        outputs.sort { ($0.request, $0.sample) < ($1.request, $1.sample) }
        let choices = outputs.map { o in
            CompletionChoice(index: o.request * n + o.sample, text: o.text,
                             logprobs: wantLogprobs ? served.logprobs(o, shape: .arrays) : nil,
                             finishReason: ServedModel.finishReason(o.finishReason), stopReason: ServedModel.stopReason(o),
                             tokenIDs: body.returnTokenIDs == true ? o.tokenIDs : nil)
        }
        let generated = outputs.reduce(0) { $0 + $1.tokenIDs.count }
        logger.info("completions: \(prompts.count) prompts x n=\(n), \(generated) tokens in \(String(format: "%.3f", Date().timeIntervalSince(start))) s")
        return Self.json(CompletionResponse(id: id, created: created, model: model, choices: choices,
                                            usage: Usage(promptTokens: promptTokens, completionTokens: generated)))
    }

    /// `POST /v1/chat/completions`: the messages become a prompt (``ChatPrompt``), then as completions.
    func chat(_ request: Request) async throws -> Response {
        let body = try JSONWire.decode(ChatRequest.self, from: try await self.body(request))
        try served.check(model: body.model)
        let settings = try served.settings(SamplingParameters(
            n: body.n, maxTokens: body.maxCompletionTokens ?? body.maxTokens, temperature: body.temperature, topP: body.topP,
            topK: body.topK, seed: body.seed, stop: body.stop?.values ?? [], stopTokenIDs: nil, answerLineStop: nil),
            seedFallback: freshSeed())
        let prompt = try ChatPrompt.render(body.messages, format: served.promptFormat, template: served.chatTemplate)
        let prompts = try served.tokens(.texts([prompt]))
        let (events, ids) = try engine.submit(prompts: prompts, settings: settings)
        let id = "chatcmpl-" + UUID().uuidString.lowercased(), created = Int(Date().timeIntervalSince1970)
        let model = served.name, wantLogprobs = body.logprobs == true

        if body.stream == true {
            let served = self.served, engine = self.engine, n = settings.samples
            return Response(status: .ok, headers: Self.eventStreamHeaders, body: ResponseBody { writer in
                do {
                    var started = Set<Int>()
                    for await event in events {
                        let choice: ChatChoice
                        switch event {
                        case .token(let t):
                            let first = started.insert(t.sample).inserted
                            guard !t.text.isEmpty || first || wantLogprobs else { continue }
                            let logprobs = wantLogprobs ? ChoiceLogprobs(
                                tokens: [served.text(of: t.tokenID)], tokenLogprobs: [t.logprob.isFinite ? Double(t.logprob) : nil],
                                tokenIDs: [t.tokenID], shape: .content) : nil
                            choice = ChatChoice(index: t.sample, delta: ChatDelta(role: first ? "assistant" : nil, content: t.text),
                                                logprobs: logprobs, finishReason: nil)
                        case .finished(let o):
                            choice = ChatChoice(index: o.sample, delta: ChatDelta(), finishReason: ServedModel.finishReason(o.finishReason))
                        case .failed(let message):
                            try await writer.write(Self.event(ErrorBody(message: message, type: "server_error", code: 500)))
                            continue
                        }
                        try await writer.write(Self.event(ChatResponse(id: id, object: "chat.completion.chunk", created: created,
                                                                       model: model, choices: [choice], usage: nil)))
                    }
                    _ = n
                    try await writer.write(Self.done)
                    try await writer.finish(nil)
                } catch {
                    engine.cancel(ids)
                    throw error
                }
            })
        }

        var outputs: [DecodeOutput] = []
        for await event in events {
            switch event {
            case .token: continue
            case .finished(let output): outputs.append(output)
            case .failed(let message): throw ServeError(status: .internalServerError, message: message, param: nil)
            }
        }
        outputs.sort { $0.sample < $1.sample }
        let choices = outputs.map { o in
            ChatChoice(index: o.sample, message: ChatMessage(role: "assistant", content: o.text),
                       logprobs: wantLogprobs ? served.logprobs(o, shape: .content) : nil,
                       finishReason: ServedModel.finishReason(o.finishReason))
        }
        let generated = outputs.reduce(0) { $0 + $1.tokenIDs.count }
        return Self.json(ChatResponse(id: id, created: created, model: model, choices: choices,
                                      usage: Usage(promptTokens: prompts[0].count * settings.samples, completionTokens: generated)))
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
