// Request bodies to engine submissions: the checks every sampling parameter gets (400 with the
// parameter's name and range), the prompt's tokens, and the decode settings.

import Foundation
import InferenceProtocol
import Tokenizers
import Training

/// The sampling parameters of a completions or chat request, before checking.
struct SamplingParameters {
    var n: Int?
    var maxTokens: Int?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var seed: Int64?
    var stop: [String]
    var stopTokenIDs: [Int]?
    var answerLineStop: Bool?
}

/// What a served model needs to turn requests into submissions.
struct ServedModel: Sendable {
    let name: String
    let tokenizer: any Tokenizer
    let promptFormat: PromptFormat
    /// The model's chat template (nil for the paper's format without one).
    let chatTemplate: ChatTemplate?
    /// Token ids that end generation (the bundle's and the tokenizer's).
    let stopTokenIDs: Set<Int>
    let context: Int
    let vocabularySize: Int
    let config: ServeConfig

    /// The largest `max_tokens` accepted.
    var maxTokens: Int { config.maxTokens > 0 ? min(config.maxTokens, context) : context }

    /// 404 unless `model` names this server's model (an empty name is taken as this one).
    func check(model: String) throws {
        guard model.isEmpty || model == name else {
            throw ServeError(status: .notFound, message: "The model '\(model)' does not exist; this server serves '\(name)'",
                             param: "model")
        }
    }

    /// Checked decode settings; every violation is a 400 naming the OpenAI parameter.
    func settings(_ p: SamplingParameters, seedFallback: UInt64) throws -> DecodeSettings {
        let n = p.n ?? 1
        guard (1...config.maxN).contains(n) else {
            throw ServeError.badRequest("n is \(n); it must be an integer in 1...\(config.maxN)", param: "n")
        }
        let maxTokens = p.maxTokens ?? min(256, self.maxTokens)
        guard (1...self.maxTokens).contains(maxTokens) else {
            throw ServeError.badRequest("max_tokens is \(maxTokens); it must be an integer in 1...\(self.maxTokens)", param: "max_tokens")
        }
        let temperature = p.temperature ?? 1
        guard temperature.isFinite, (0...100).contains(temperature) else {
            throw ServeError.badRequest("temperature is \(temperature); it must be a number in [0, 100] (0 = greedy)", param: "temperature")
        }
        let topP = p.topP ?? 1
        guard topP.isFinite, topP > 0, topP <= 1 else {
            throw ServeError.badRequest("top_p is \(topP); it must be a number in (0, 1]", param: "top_p")
        }
        let topK = p.topK ?? 0
        guard topK >= -1 else {
            throw ServeError.badRequest("top_k is \(topK); it must be -1 or 0 (off) or a positive integer", param: "top_k")
        }
        guard p.stop.count <= config.maxStops else {
            throw ServeError.badRequest("stop has \(p.stop.count) strings; at most \(config.maxStops)", param: "stop")
        }
        if p.stop.contains(where: \.isEmpty) { throw ServeError.badRequest("stop strings must not be empty", param: "stop") }
        if let bad = p.stopTokenIDs?.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw ServeError.badRequest("stop_token_ids holds \(bad), outside 0..<\(vocabularySize)", param: "stop_token_ids")
        }
        let answerLine = (p.answerLineStop ?? true) && promptFormat == .paper
        let settings = DecodeSettings(
            samples: n, temperature: Float(temperature), topK: max(0, topK), topP: Float(topP),
            seed: p.seed.map { UInt64(bitPattern: $0) } ?? seedFallback, maxNewTokens: maxTokens, stopStrings: p.stop,
            stopTokenIDs: stopTokenIDs.union(p.stopTokenIDs ?? []), stopRules: answerLine ? [.answerLine] : [])
        do { try settings.validate() } catch { throw ServeError.badRequest("\(error)") }
        return settings
    }

    /// The token ids of each prompt; a 400 for text outside the vocabulary, bad ids, or a prompt
    /// that leaves no room to generate.
    func tokens(_ prompt: PromptInput) throws -> [[Int]] {
        guard (1...config.maxPrompts).contains(prompt.count) else {
            throw ServeError.badRequest("prompt holds \(prompt.count) prompts; it must hold 1...\(config.maxPrompts)", param: "prompt")
        }
        let lists: [[Int]]
        switch prompt {
        case .texts(let texts):
            lists = try texts.enumerated().map { i, text in
                do {
                    return try tokenizer.encodeSequence(prompt: text, completion: "", appendEOS: false).tokens.map(Int.init)
                } catch {
                    throw ServeError.badRequest("prompt \(i) cannot be tokenized: \(error)", param: "prompt")
                }
            }
        case .tokens(let ids):
            if let bad = ids.joined().first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw ServeError.badRequest("prompt holds token id \(bad), outside 0..<\(vocabularySize)", param: "prompt")
            }
            lists = ids
        }
        for (i, ids) in lists.enumerated() {
            guard !ids.isEmpty else { throw ServeError.badRequest("prompt \(i) is empty", param: "prompt") }
            guard ids.count < context else {
                throw ServeError.badRequest("prompt \(i) has \(ids.count) tokens; the model's context is \(context) tokens",
                                            param: "prompt")
            }
        }
        return lists
    }

    /// The text of a token for logprobs.
    func text(of id: Int) -> String { String(decoding: tokenizer.bytes(of: id), as: UTF8.self) }

    /// OpenAI's finish reason of an engine's.
    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .eos: "stop"
        case .length: "length"
        }
    }

    /// vLLM's stop_reason: the stop token's id for an EOS-like stop, "stop" for a stop string or rule.
    static func stopReason(_ output: DecodeOutput) -> StopReason? {
        switch output.finishReason {
        case .eos: output.tokenIDs.last.map { .token($0) }
        case .stop: .text("stop")
        case .length: nil
        }
    }

    /// Log-probabilities of a finished sequence in the asked shape (non-finite values become null),
    /// with the most likely tokens at each position when they were asked.
    func logprobs(_ output: DecodeOutput, shape: ChoiceLogprobs.Shape) -> ChoiceLogprobs {
        let tokens = output.tokenIDs.map(text(of:))
        var offsets: [Int] = [], offset = 0
        for token in tokens { offsets.append(offset); offset += token.utf8.count }
        return ChoiceLogprobs(tokens: tokens, tokenLogprobs: output.logprobs.map(Self.wire), tokenIDs: output.tokenIDs,
                              textOffset: offsets, shape: shape,
                              topLogprobs: output.topLogprobs.isEmpty ? nil : output.topLogprobs.map(top))
    }

    /// Log-probabilities of one streamed token (its text offset is 0: the chunk's text starts with it).
    func logprobs(_ token: DecodeToken, shape: ChoiceLogprobs.Shape) -> ChoiceLogprobs {
        ChoiceLogprobs(tokens: [text(of: token.tokenID)], tokenLogprobs: [Self.wire(token.logprob)], tokenIDs: [token.tokenID],
                       textOffset: shape == .arrays ? [0] : nil, shape: shape,
                       topLogprobs: token.top.isEmpty ? nil : [top(token.top)])
    }

    private func top(_ entries: [TokenLogprob]) -> [ChoiceLogprobs.TopLogprob] {
        entries.map { ChoiceLogprobs.TopLogprob(token: text(of: $0.id), logprob: Self.wire($0.logprob), id: $0.id) }
    }

    private static func wire(_ x: Float) -> Double? { x.isFinite ? Double(x) : nil }
}
