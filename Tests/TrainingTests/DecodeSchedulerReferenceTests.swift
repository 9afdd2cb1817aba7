import Kernels
import Testing
import Training

/// The scheduler (continuous batching, shared prompts, streaming text) against the plain loop
/// (``referenceDecode``: one sequence at a time, everything recomputed) on the same fake model.
@Suite("Decode scheduler against the reference")
struct DecodeSchedulerReferenceTests {
    /// Random requests: prompts, every setting, and stop conditions that fire often.
    func randomRequests(count: Int, generator g: inout SeededGenerator) -> [DecodeRequest] {
        let stops = ["ab", "b", "\n\n", "é", "5 ", "xx"]
        return (0..<count).map { id in
            var s = DecodeSettings()
            s.samples = 1 + Int(g.next() % 4)
            s.temperature = [0, 0.5, 1, 1.7][Int(g.next() % 4)]
            s.topK = [0, 1, 3, 20][Int(g.next() % 4)]
            s.topP = [1, 0.9, 0.3][Int(g.next() % 3)]
            s.seed = g.next()
            s.maxNewTokens = 1 + Int(g.next() % 24)
            s.stopStrings = (0..<Int(g.next() % 3)).map { _ in stops[Int(g.next() % UInt64(stops.count))] }
            s.stopTokenIDs = g.next() % 3 == 0 ? [] : [2]
            s.stopRules = g.next() % 2 == 0 ? [.answerLine] : []
            let prompt = [1] + (0..<Int(g.next() % 6)).map { _ in 3 + Int(g.next() % 11) }
            return DecodeRequest(id: 100 + id, prompt: prompt, settings: s)
        }
    }

    @Test(arguments: [1, 2, 3, 5, 16])
    func sameOutputsAsOneSequenceAtATime(slots: Int) throws {
        var g = SeededGenerator(seed: UInt64(slots))
        let context = 20
        for trial in 0..<6 {
            let requests = randomRequests(count: 1 + trial * 2, generator: &g)
            let model = { (history: [Int]) in hashedLogits(history, salt: UInt64(trial)) }
            var scheduler = makeScheduler(slots: slots, context: context)
            for r in requests { try scheduler.admit(r) }
            var shell = FakeShell(slots: slots, model: model)
            shell.run(&scheduler)
            let expected = requests.flatMap {
                referenceDecode($0, contextLength: context, candidateCount: 14, banned: [0, 1], tokenizer: ToyTokenizer(), logits: model)
            }
            let found = Dictionary(uniqueKeysWithValues: shell.outputs.map { ("\($0.request)/\($0.sample)", $0) })
            #expect(found.count == expected.count)
            for want in expected {
                let key = "\(want.request)/\(want.sample)"
                guard let got = found[key] else { Issue.record("no output for \(key)"); continue }
                #expect(got.text == want.text, "\(key)")
                #expect(got.tokenIDs == want.tokenIDs, "\(key)")
                #expect(got.finishReason == want.finishReason, "\(key)")
                #expect(zip(got.logprobs, want.logprobs).allSatisfy { abs($0 - $1) < 1e-4 } && got.logprobs.count == want.logprobs.count)
                // The stream: one event per token, deltas that add up to the text.
                let events = shell.tokens.filter { $0.request == want.request && $0.sample == want.sample }
                #expect(events.map(\.tokenID) == got.tokenIDs && events.map(\.text).joined() == got.text, "\(key)")
            }
            // Each request's prompt is fed at most once per time a slot had to feed it, never more
            // rows than the plain way.
            let plainRows = expected.reduce(0) { total, output in
                total + requests.first { $0.id == output.request }!.prompt.count + output.tokenIDs.count - 1
            }
            #expect(shell.fedRows <= plainRows)
        }
    }

    @Test func everyFinishReasonIsExercised() throws {
        var g = SeededGenerator(seed: 42)
        let requests = randomRequests(count: 40, generator: &g)
        let reasons = Set(requests.flatMap {
            referenceDecode($0, contextLength: 20, candidateCount: 14, banned: [0, 1], tokenizer: ToyTokenizer()) { hashedLogits($0) }
        }.map(\.finishReason))
        #expect(reasons == [.stop, .length, .eos])
    }
}
