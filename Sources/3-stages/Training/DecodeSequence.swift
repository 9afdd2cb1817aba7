// One sequence of a decode request: its draws, its text and its stop conditions. Pure: tokens in,
// text deltas and a finish reason out.

import Datasets
import Kernels
import Tokenizers

/// A sequence being decoded: the prompt it continues, what it generated, and where it stands.
struct DecodeSequence {
    /// The admission number of its request (requests' ids need not be unique).
    let group: Int
    let request: Int
    let sample: Int
    /// (P) the request's prompt.
    let prompt: [Int32]
    let settings: DecodeSettings
    var generator: SeededGenerator
    /// Prompt tokens in the cache so far; the prompt is done when `fed == prompt.count`.
    var fed = 0
    /// The token to feed at the next step.
    var next: Int32 = 0
    /// Another slot is feeding this request's prompt; this one gets a copy of its cache when done.
    var waiting = false
    var tokenIDs: [Int] = []
    var logprobs: [Float] = []
    /// (T) the most likely tokens at each position, when the settings ask for them.
    var topLogprobs: [[TokenLogprob]] = []
    var finish: FinishReason?
    private var text = DecodeText()

    init(group: Int, request: Int, sample: Int, prompt: [Int32], settings: DecodeSettings) {
        self.group = group; self.request = request; self.sample = sample
        self.prompt = prompt; self.settings = settings
        generator = SeededGenerator(seed: settings.seed &+ UInt64(sample) &* 0xBF58_476D_1CE4_E5B9)
    }

    var promptDone: Bool { fed == prompt.count }

    /// The output text; final once `finish` is set.
    var output: String { text.output }

    /// Records a sampled token and decides whether the sequence ends with it.
    ///
    /// Order of the checks: a stop token id, then stop strings and rules, then the length limits
    /// (`maxNewTokens`, and the prompt plus the generated tokens filling `contextLength`).
    /// - Returns: the output text that became final (see ``DecodeToken/text``).
    /// - Parameter bytes: the token's text (`Tokenizer.bytes(of:)`).
    mutating func accept(token: Int, bytes: [UInt8], logprob: Float, contextLength: Int) -> String {
        tokenIDs.append(token)
        logprobs.append(logprob)
        next = Int32(token)
        if settings.stopTokenIDs.contains(token) {
            finish = .eos
        } else {
            let start = text.append(bytes)
            if let cut = stopCut(from: start) {
                text.cut(at: cut)
                finish = .stop
            } else if tokenIDs.count >= settings.maxNewTokens || prompt.count + tokenIDs.count >= contextLength {
                finish = .length
            }
        }
        return text.delta(final: finish != nil, stopStrings: settings.stopStrings)
    }

    /// The byte offset where the output ends if a stop string or rule matched in text that starts
    /// at byte `start` or spans it (the earliest match), or nil.
    private func stopCut(from start: Int) -> Int? {
        var cut: Int?
        for stop in settings.stopStrings {
            if let at = text.firstMatch(of: Array(stop.utf8), endingAfter: start) { cut = min(cut ?? at, at) }
        }
        for rule in settings.stopRules {
            switch rule {
            case .answerLine:
                if let at = text.answerLineEnd(newTextFrom: start) { cut = min(cut ?? at, at) }
            }
        }
        return cut
    }
}

/// The UTF-8 text of a sequence, assembled from token bytes (a byte-level token may hold part of a
/// character), and how much of it was handed out as deltas.
struct DecodeText {
    private var decoder = StreamingTextDecoder()
    /// UTF-8 of the complete characters so far (the decoder holds an incomplete one back).
    private(set) var bytes: [UInt8] = []
    /// Bytes handed out as deltas.
    private var emitted = 0
    private var ended = false
    /// Every token so far was ASCII: its bytes are whole characters, no need for the decoder.
    private var ascii = true

    var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a token's bytes; returns the byte offset where the new text starts.
    mutating func append(_ tokenBytes: [UInt8]) -> Int {
        let start = bytes.count
        if ascii, tokenBytes.allSatisfy({ $0 < 0x80 }) {
            bytes += tokenBytes
        } else if !tokenBytes.isEmpty {
            ascii = false
            bytes += decoder.append(tokenBytes).utf8
        }
        return start
    }

    /// Ends the text at byte `offset` (a stop matched there); held-back bytes are dropped.
    mutating func cut(at offset: Int) {
        bytes.removeSubrange(offset...)
        ended = true
    }

    /// The text that became final: everything up to the end when the sequence ends (an incomplete
    /// character becomes U+FFFD), else all but a tail that may be the start of a stop string.
    mutating func delta(final: Bool, stopStrings: [String]) -> String {
        if final, !ended {
            bytes += decoder.finish().utf8
            ended = true
        }
        var end = bytes.count
        if !final {
            for stop in stopStrings { end = min(end, bytes.count - heldBack(Array(stop.utf8))) }
        }
        guard end > emitted else { return "" }
        defer { emitted = end }
        return String(decoding: bytes[emitted..<end], as: UTF8.self)
    }

    /// The length of the longest tail of the text that is a proper prefix of `stop`.
    private func heldBack(_ stop: [UInt8]) -> Int {
        var k = min(stop.count - 1, bytes.count)
        while k > 0 {
            if bytes[(bytes.count - k)...].elementsEqual(stop[..<k]) { return k }
            k -= 1
        }
        return 0
    }

    /// The byte offset of the first occurrence of `stop` that ends after byte `start` (one the
    /// latest text completed), or nil.
    func firstMatch(of stop: [UInt8], endingAfter start: Int) -> Int? {
        guard !stop.isEmpty, bytes.count >= stop.count else { return nil }
        var at = max(0, start - stop.count + 1)
        while at + stop.count <= bytes.count {
            if bytes[at] == stop[0], bytes[at..<(at + stop.count)].elementsEqual(stop) { return at }
            at += 1
        }
        return nil
    }

    /// ``StopRule/answerLine``: when the text from byte `start` on has a newline and the answer line
    /// is complete, the byte offset of the newline that ends it.
    func answerLineEnd(newTextFrom start: Int) -> Int? {
        guard bytes[start...].contains(0x0A) else { return nil }  // only a new newline can end the line
        let text = output
        let parsed = SolutionFormat.parseCompletion(text)
        guard let range = parsed.answerRange, parsed.answer != nil else { return nil }
        // The first newline at or after the end of the (trimmed) answer ends its line.
        var offset = 0, index = 0
        for scalar in text.unicodeScalars {
            if index >= range.upperBound, scalar == "\n" { return offset }
            offset += UTF8.width(scalar)
            index += 1
        }
        return nil
    }
}
