// The plain way to decode, kept beside the scheduler as its reference (STYLE.md): one sequence at
// a time, the whole history given to the model at every token, the whole text decoded and searched
// again at every token. The scheduler must give the same outputs (DecodeSchedulerReferenceTests).

import Datasets
import Foundation
import Kernels
import Tokenizers

/// Decodes every sample of `request` one after the other, each from scratch.
///
/// - Parameters:
///   - contextLength: prompt plus generated tokens stop there (`length`).
///   - candidateCount: ids below it may be sampled; `banned`: ids never sampled.
///   - logits: (V) next-token logits after a whole token sequence (prompt included).
/// - Returns: the outputs in sample order.
public func referenceDecode(_ request: DecodeRequest, contextLength: Int, candidateCount: Int, banned: [Int],
                            tokenizer: any Tokenizer, logits: ([Int]) -> [Float]) -> [DecodeOutput] {
    let s = request.settings
    var scratch: [(id: Int, weight: Float)] = []
    return (0..<s.samples).map { sample in
        var generator = SeededGenerator(seed: s.seed &+ UInt64(sample) &* 0xBF58_476D_1CE4_E5B9)
        var history = request.prompt, generated: [Int] = [], logprobs: [Float] = []
        while true {
            let row = logits(history)
            let token = row.withUnsafeBufferPointer {
                sampleToken(logits: $0.baseAddress!, vocab: candidateCount, banned: banned, temperature: s.temperature,
                            topK: s.topK, topP: s.topP, generator: &generator, scratch: &scratch)
            }
            // log softmax in Double.
            let maximum = row.max()!
            let sum = row.reduce(0.0) { $0 + exp(Double($1 - maximum)) }
            logprobs.append(Float(Double(row[token] - maximum) - log(sum)))
            generated.append(token)
            history.append(token)
            let bytes = generated.filter { !s.stopTokenIDs.contains($0) }.flatMap { tokenizer.bytes(of: $0) }
            func output(_ text: String, _ reason: FinishReason) -> DecodeOutput {
                DecodeOutput(request: request.id, sample: sample, text: text, tokenIDs: generated, logprobs: logprobs, finishReason: reason)
            }
            if s.stopTokenIDs.contains(token) { return output(String(decoding: bytes, as: UTF8.self), .eos) }
            // Complete characters only: a token may end inside one.
            var decoder = StreamingTextDecoder()
            let text = decoder.append(bytes)
            if let cut = referenceStopCut(text, settings: s) {
                return output(String(String.UnicodeScalarView(text.unicodeScalars.prefix(cut))), .stop)
            }
            if generated.count >= s.maxNewTokens || history.count >= contextLength {
                return output(String(decoding: bytes, as: UTF8.self), .length)
            }
        }
    }
}

/// Where the text ends (in Unicode scalars) if a stop string or rule matches, the earliest match.
func referenceStopCut(_ text: String, settings: DecodeSettings) -> Int? {
    let scalars = Array(text.unicodeScalars)
    var cuts: [Int] = []
    for stop in settings.stopStrings {
        let needle = Array(stop.unicodeScalars)
        if let at = (0...max(0, scalars.count - needle.count)).first(where: {
            $0 + needle.count <= scalars.count && Array(scalars[$0..<($0 + needle.count)]) == needle
        }) { cuts.append(at) }
    }
    if settings.stopRules.contains(.answerLine) {
        let parsed = SolutionFormat.parseCompletion(text)
        if let range = parsed.answerRange, parsed.answer != nil,
           let newline = scalars.indices.first(where: { $0 >= range.upperBound && scalars[$0] == "\n" }) {
            cuts.append(newline)
        }
    }
    return cuts.min()
}
