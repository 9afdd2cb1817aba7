import Kernels
import Testing
import Tokenizers
import Training

/// A tokenizer whose tokens are byte strings: several characters, a newline pair, and the two
/// halves of "é" (a byte-level token may end inside a character).
struct ToyTokenizer: Tokenizer {
    static let pieces: [[UInt8]] = [[], [], [],  // PAD, BOS, EOS
                                    Array("\n".utf8), Array("a".utf8), Array("b".utf8), Array("# Answer".utf8),
                                    Array(" ".utf8), Array("5".utf8), [0xC3], [0xA9], Array("ab\n".utf8),
                                    Array("x".utf8), Array("\n\n".utf8)]
    static let (newline, a, b, answer, space, five, eHigh, eLow, abNewline, x, newlines) = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
    var vocabularySize: Int { Self.pieces.count }
    var padID: Int { 0 }
    var bosID: Int { 1 }
    var eosID: Int { 2 }
    func encode(_ text: String) throws -> [Int] { throw TokenizerError.invalidVocabulary("the toy tokenizer does not encode") }
    func encodeWithOffsets(_ text: String) throws -> (ids: [Int], offsets: [Int]) { (try encode(text), []) }
    func decode(_ ids: [Int], stopAtEOS: Bool) -> String {
        String(decoding: ids.prefix { !stopAtEOS || $0 != eosID }.flatMap { bytes(of: $0) }, as: UTF8.self)
    }
    func bytes(of id: Int) -> [UInt8] { id < Self.pieces.count ? Self.pieces[id] : Array("\u{FFFD}".utf8) }
}

/// The model side for tests: each slot's cache is the list of tokens fed to it, and the logits are a
/// function of that list only, so a wrong cache action changes the logits and the draws.
struct FakeShell {
    var cache: [[Int]]
    let model: ([Int]) -> [Float]
    var outputs: [DecodeOutput] = []
    var tokens: [DecodeToken] = []
    var steps: [DecodeStep] = []
    /// Every action of the run, in order.
    var actions: [DecodeAction] = []
    var fedRows = 0

    init(slots: Int, model: @escaping ([Int]) -> [Float]) {
        cache = Array(repeating: [], count: slots)
        self.model = model
    }

    mutating func apply(_ list: [DecodeAction]) {
        for action in list {
            actions.append(action)
            switch action {
            case let .reset(slot): cache[slot] = []
            case let .copy(from, to, length):
                #expect(cache[from].count >= length, "copy of \(length) positions from a slot holding \(cache[from].count)")
                cache[to] = Array(cache[from].prefix(length))
            case let .truncate(slot, length):
                #expect(cache[slot].count >= length)
                cache[slot] = Array(cache[slot].prefix(length))
            case let .token(token): tokens.append(token)
            case let .finished(output, _): outputs.append(output)
            }
        }
    }

    /// Runs the scheduler until it is idle.
    mutating func run(_ scheduler: inout DecodeScheduler) {
        while true {
            let step = scheduler.nextStep()
            steps.append(step)
            apply(step.actions)
            if step.slots.isEmpty { break }
            var logits: [Float] = []
            // A row feeds `counts[r]` tokens (a prompt chunk) when the step has counts, else one.
            let counts = step.counts.isEmpty ? Array(repeating: 1, count: step.slots.count) : step.counts
            #expect(counts.count == step.slots.count && counts.reduce(0, +) == step.tokens.count)
            var n = 0
            for (slot, count) in zip(step.slots, counts) {
                for _ in 0..<count {
                    cache[slot].append(Int(step.tokens[n]))
                    n += 1
                }
                #expect(cache[slot].count <= scheduler.contextLength)
                logits += model(cache[slot])
            }
            fedRows += step.slots.count
            apply(logits.withUnsafeBufferPointer { scheduler.didStep(logits: $0.baseAddress!) })
        }
        #expect(scheduler.isIdle)
    }
}

/// Pseudo-random logits that depend on the whole history (coarse values, so ties happen).
func hashedLogits(_ history: [Int], vocab: Int = ToyTokenizer.pieces.count, salt: UInt64 = 0) -> [Float] {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ salt
    for t in history { h = (h ^ UInt64(t)) &* 0x100_0000_01B3 }
    var g = SeededGenerator(seed: h)
    return (0..<vocab).map { _ in Float(Int(g.next() % 13)) * 0.5 - 3 }
}

/// Logits that make `script[k]` the most likely k-th generated token (after `promptLength` tokens).
func scripted(_ script: [Int], promptLength: Int) -> ([Int]) -> [Float] {
    { history in
        var row = [Float](repeating: 0, count: ToyTokenizer.pieces.count)
        row[script[max(0, min(history.count - promptLength, script.count - 1))]] = 10
        return row
    }
}

func makeScheduler(slots: Int, context: Int = 64) -> DecodeScheduler {
    DecodeScheduler(slots: slots, contextLength: context, rowWidth: ToyTokenizer.pieces.count,
                    candidateCount: ToyTokenizer.pieces.count, banned: [0, 1], tokenizer: ToyTokenizer())
}

@Suite("Decode scheduler")
struct DecodeSchedulerTests {
    let greedy = DecodeSettings(temperature: 0, maxNewTokens: 3)

    /// Decodes `script` greedily from a 2-token prompt; returns the output and its token events.
    func decode(_ script: [Int], _ settings: DecodeSettings, context: Int = 64) throws -> (DecodeOutput, [DecodeToken]) {
        var scheduler = makeScheduler(slots: 1, context: context)
        try scheduler.admit(DecodeRequest(id: 0, prompt: [1, 4], settings: settings))
        var shell = FakeShell(slots: 1, model: scripted(script, promptLength: 2))
        shell.run(&scheduler)
        return (shell.outputs[0], shell.tokens)
    }

    @Test func admissionOrderFillsSlotsAndOneSlotFeedsEachPrompt() throws {
        var scheduler = makeScheduler(slots: 3)
        try scheduler.admit(DecodeRequest(id: 7, prompt: [1, 4, 5], settings: DecodeSettings(samples: 2)))
        try scheduler.admit(DecodeRequest(id: 8, prompt: [1, 12], settings: DecodeSettings()))
        let step = scheduler.nextStep()
        #expect(step.actions == [.reset(slot: 0), .reset(slot: 1), .reset(slot: 2)])
        // Slot 1 holds request 7's second sample, which waits for slot 0's prompt.
        #expect(step.slots == [0, 2] && step.tokens == [1, 1])
    }

    /// Batched prefill (prompt chunks of up to `prefillChunk` tokens per step) draws exactly what
    /// feeding prompts one token per step draws, in fewer steps, within the step's token budget.
    @Test func batchedPrefillDecodesAsTokenByToken() throws {
        func run(chunk: Int) throws -> (outputs: [DecodeOutput], steps: [DecodeStep]) {
            var scheduler = makeScheduler(slots: 3)
            scheduler.prefillChunk = chunk
            let prompts: [[Int]] = [[1, 4], [1, 5, 4, 12, 7, 8, 4], [1, 12, 12, 5, 4, 4, 4, 7, 5, 3, 4], [1]]
            for (i, prompt) in prompts.enumerated() {
                try scheduler.admit(DecodeRequest(id: i, prompt: prompt,
                                                  settings: DecodeSettings(samples: [2, 1, 3, 1][i], temperature: 1, seed: UInt64(i),
                                                                           maxNewTokens: 5)))
            }
            var shell = FakeShell(slots: 3, model: { hashedLogits($0) })
            shell.run(&scheduler)
            return (shell.outputs.sorted { ($0.request, $0.sample) < ($1.request, $1.sample) }, shell.steps)
        }
        let base = try run(chunk: 1)
        #expect(base.steps.allSatisfy { $0.counts.isEmpty })
        for chunk in [2, 3, 4, 256] {
            let batched = try run(chunk: chunk)
            #expect(batched.outputs == base.outputs, "prefill chunk \(chunk)")
            #expect(batched.steps.count < base.steps.count, "prefill chunk \(chunk)")
            // Prompt tokens of one step: at most the chunk, or one per prompt row when that is more.
            for step in batched.steps where !step.counts.isEmpty {
                let promptRows = step.counts.filter { $0 > 1 }.count
                #expect(step.tokens.count - step.slots.count + promptRows <= max(chunk, step.slots.count))
            }
        }
    }

    @Test func aFreedSlotTakesTheNextSequenceAtOnce() throws {
        var scheduler = makeScheduler(slots: 1)
        for id in 0..<3 { try scheduler.admit(DecodeRequest(id: id, prompt: [1, 4 + id], settings: greedy)) }
        var shell = FakeShell(slots: 1, model: { hashedLogits($0) })
        shell.run(&scheduler)
        #expect(shell.outputs.map(\.request) == [0, 1, 2])
        for (i, action) in shell.actions.enumerated() {
            guard case .finished(let output, let slot) = action, output.request < 2 else { continue }
            #expect(shell.actions[i + 1] == .reset(slot: slot), "the next request starts right after \(output.request)")
        }
        // Each step after a finish feeds the next request's prompt: no step is wasted.
        #expect(shell.steps.dropLast().allSatisfy { $0.slots == [0] })
    }

    @Test func aPromptIsFedOnceAndSharedByCopies() throws {
        var scheduler = makeScheduler(slots: 2)
        let settings = DecodeSettings(samples: 5, temperature: 1, seed: 3, maxNewTokens: 3)
        let request = DecodeRequest(id: 0, prompt: [1, 4, 5, 12], settings: settings)
        try scheduler.admit(request)
        var shell = FakeShell(slots: 2, model: { hashedLogits($0) })
        shell.run(&scheduler)
        #expect(shell.outputs.count == 5)
        // The prompt once, then every generated token but each sequence's last.
        #expect(shell.fedRows == 4 + shell.outputs.reduce(0) { $0 + $1.tokenIDs.count - 1 })
        let shares = shell.actions.filter { if case .copy = $0 { true } else if case .truncate = $0 { true } else { false } }
        #expect(shares.count == 4)
        let reference = referenceDecode(request, contextLength: 64, candidateCount: 14, banned: [0, 1], tokenizer: ToyTokenizer()) { hashedLogits($0) }
        #expect(shell.outputs.sorted { $0.sample < $1.sample }.map(\.tokenIDs) == reference.map(\.tokenIDs))
    }

    @Test func stopTokenEndsWithEOS() throws {
        let (output, _) = try decode([ToyTokenizer.a, ToyTokenizer.b, 2], DecodeSettings(temperature: 0, stopTokenIDs: [2]))
        #expect(output.text == "ab" && output.tokenIDs == [4, 5, 2] && output.finishReason == .eos)
        let (other, _) = try decode([ToyTokenizer.a, ToyTokenizer.x, 2], DecodeSettings(temperature: 0, stopTokenIDs: [2, ToyTokenizer.x]))
        #expect(other.text == "a" && other.tokenIDs == [4, 12] && other.finishReason == .eos)
    }

    @Test func lengthEndsAtMaxNewTokensOrAtTheContext() throws {
        let (output, _) = try decode([ToyTokenizer.a], DecodeSettings(temperature: 0, maxNewTokens: 3))
        #expect(output.text == "aaa" && output.finishReason == .length)
        let (full, _) = try decode([ToyTokenizer.a], DecodeSettings(temperature: 0, maxNewTokens: 30), context: 6)
        #expect(full.text == "aaaa" && full.finishReason == .length)  // 2 prompt + 4 generated fill 6 positions
    }

    @Test func stopStringsMatchAcrossTokensAndAreNotInTheOutput() throws {
        let settings = DecodeSettings(temperature: 0, maxNewTokens: 10, stopStrings: ["ab"])
        let (output, tokens) = try decode([ToyTokenizer.x, ToyTokenizer.a, ToyTokenizer.b, ToyTokenizer.x], settings)
        #expect(output.text == "x" && output.tokenIDs == [12, 4, 5] && output.finishReason == .stop)
        #expect(tokens.map(\.text) == ["x", "", ""])  // "a" is held back: it may start the stop string
        // Inside one token, with text after it.
        let (inside, _) = try decode([ToyTokenizer.x, ToyTokenizer.abNewline],
                                     DecodeSettings(temperature: 0, maxNewTokens: 10, stopStrings: ["zz", "b"]))
        #expect(inside.text == "xa" && inside.finishReason == .stop)
        // A held-back prefix that does not become the stop string is released.
        let (released, deltas) = try decode([ToyTokenizer.a, ToyTokenizer.x, 2], DecodeSettings(temperature: 0, stopStrings: ["ab"], stopTokenIDs: [2]))
        #expect(released.text == "ax" && deltas.map(\.text) == ["", "ax", ""])
    }

    @Test func answerLineRuleStopsAfterTheAnswer() throws {
        let settings = DecodeSettings(temperature: 0, maxNewTokens: 20, stopRules: [.answerLine])
        let t = ToyTokenizer.self
        let (output, tokens) = try decode([t.a, t.newlines, t.answer, t.newline, t.newline, t.space, t.five, t.space, t.newline, t.x], settings)
        #expect(output.text == "a\n\n# Answer\n\n 5 " && output.finishReason == .stop && output.tokenIDs.count == 9)
        #expect(tokens.map(\.text).joined() == output.text)
        // A token holding the newline and more: the output ends before the newline.
        let (joined, _) = try decode([t.answer, t.newlines, t.five, t.newlines, t.x], settings)
        #expect(joined.text == "# Answer\n\n5" && joined.tokenIDs.count == 4)
        // Without the rule the answer line does not stop.
        let (plain, _) = try decode([t.answer, t.newlines, t.five, t.newlines, t.x], DecodeSettings(temperature: 0, maxNewTokens: 5))
        #expect(plain.text == "# Answer\n\n5\n\nx" && plain.finishReason == .length)
    }

    @Test func textIsAssembledFromBytes() throws {
        let t = ToyTokenizer.self
        let (output, tokens) = try decode([t.eHigh, t.eLow, 2], DecodeSettings(temperature: 0, stopTokenIDs: [2]))
        #expect(output.text == "é" && tokens.map(\.text) == ["", "é", ""])
        let (cut, _) = try decode([t.eHigh], DecodeSettings(temperature: 0, maxNewTokens: 1))
        #expect(cut.text == "\u{FFFD}" && cut.finishReason == .length)
    }

    @Test func logprobsAreTheModelsBeforeTemperatureAndTopK() throws {
        let (output, tokens) = try decode([ToyTokenizer.a], DecodeSettings(temperature: 0.3, topK: 1, maxNewTokens: 2))
        let row = scripted([ToyTokenizer.a], promptLength: 2)([1, 4])
        let expected = row[4] - row.withUnsafeBufferPointer { logSumExp($0.baseAddress!, count: row.count) }
        #expect(output.logprobs == [expected, expected] && expected < 0)
        #expect(tokens.map(\.logprob) == output.logprobs)
    }

    @Test func requestsKeepTheirOwnSettings() throws {
        let settings = [DecodeSettings(samples: 2, temperature: 0, maxNewTokens: 4),
                        DecodeSettings(samples: 3, temperature: 1.5, topK: 3, seed: 9, maxNewTokens: 7, stopStrings: ["b"]),
                        DecodeSettings(samples: 1, temperature: 0.7, topP: 0.5, seed: 2, maxNewTokens: 5, stopTokenIDs: [2])]
        let requests = settings.enumerated().map { DecodeRequest(id: $0, prompt: [1, 4 + $0], settings: $1) }
        func run(_ requests: [DecodeRequest], slots: Int) throws -> [DecodeOutput] {
            var scheduler = makeScheduler(slots: slots)
            for r in requests { try scheduler.admit(r) }
            var shell = FakeShell(slots: slots, model: { hashedLogits($0) })
            shell.run(&scheduler)
            return shell.outputs
        }
        let together = try run(requests, slots: 3)
        for request in requests {
            let alone = try run([request], slots: 1)
            #expect(together.filter { $0.request == request.id }.sorted { $0.sample < $1.sample } == alone.sorted { $0.sample < $1.sample })
            #expect(alone.allSatisfy { $0.tokenIDs.count <= request.settings.maxNewTokens })
        }
    }

    @Test func invalidSettingsAndPromptsAreRefused() throws {
        let bad: [(DecodeSettings, String)] = [
            (DecodeSettings(temperature: -1), "temperature"), (DecodeSettings(temperature: .nan), "temperature"),
            (DecodeSettings(temperature: .infinity), "temperature"), (DecodeSettings(topK: -1), "topK"),
            (DecodeSettings(topP: 0), "topP"), (DecodeSettings(topP: 1.5), "topP"), (DecodeSettings(topP: .nan), "topP"),
            (DecodeSettings(maxNewTokens: 0), "maxNewTokens"), (DecodeSettings(samples: 0), "samples"),
            (DecodeSettings(stopStrings: ["a", ""]), "stopStrings[1]"),
        ]
        for (settings, name) in bad {
            #expect(throws: DecodeSettingsError.self) { try settings.validate() }
            do { try settings.validate() } catch { #expect(error.setting == name, "\(error)") }
            var scheduler = makeScheduler(slots: 1)
            #expect(throws: DecodeSettingsError.self) { try scheduler.admit(DecodeRequest(id: 0, prompt: [1], settings: settings)) }
        }
        try DecodeSettings(temperature: 0, topK: 0, topP: 1, maxNewTokens: 1).validate()
        var scheduler = makeScheduler(slots: 1, context: 4)
        #expect(throws: DecodeRequestError.self) { try scheduler.admit(DecodeRequest(id: 0, prompt: [1, 4, 4, 4], settings: DecodeSettings())) }
        #expect(throws: DecodeRequestError.self) { try scheduler.admit(DecodeRequest(id: 0, prompt: [], settings: DecodeSettings())) }
        #expect(throws: DecodeRequestError.self) { try scheduler.admit(DecodeRequest(id: 0, prompt: [1, 99], settings: DecodeSettings())) }
        #expect(scheduler.isIdle)
    }
}
