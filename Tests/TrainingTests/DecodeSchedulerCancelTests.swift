import Testing
import Training

/// `cancel(request:)`: a client that went away frees its slots; the others decode as if it never came.
@Suite("Decode scheduler cancellation")
struct DecodeSchedulerCancelTests {
    let settings = DecodeSettings(samples: 3, temperature: 1, seed: 9, maxNewTokens: 12)

    @Test func aCancelledRequestFreesItsSlotsAndTheOthersAreUnchanged() throws {
        // Reference: request 2 alone.
        var alone = makeScheduler(slots: 4)
        try alone.admit(DecodeRequest(id: 2, prompt: [1, 5, 4], settings: settings))
        var reference = FakeShell(slots: 4, model: { hashedLogits($0) })
        reference.run(&alone)

        // Request 1 (3 samples) and request 2 share 4 slots; request 1 goes away after 3 steps.
        var scheduler = makeScheduler(slots: 4)
        try scheduler.admit(DecodeRequest(id: 1, prompt: [1, 4, 4, 5], settings: settings))
        try scheduler.admit(DecodeRequest(id: 2, prompt: [1, 5, 4], settings: settings))
        var shell = FakeShell(slots: 4, model: { hashedLogits($0) })
        for _ in 0..<3 {
            let step = scheduler.nextStep()
            shell.apply(step.actions)
            var logits: [Float] = []
            for (token, slot) in zip(step.tokens, step.slots) {
                shell.cache[slot].append(Int(token))
                logits += shell.model(shell.cache[slot])
            }
            shell.apply(logits.withUnsafeBufferPointer { scheduler.didStep(logits: $0.baseAddress!) })
        }
        let dropped = scheduler.cancel(request: 1)
        #expect(dropped == 3)
        #expect(scheduler.cancel(request: 1) == 0)  // idempotent
        let tokensBefore = shell.tokens.count
        shell.run(&scheduler)
        #expect(shell.tokens[tokensBefore...].allSatisfy { $0.request == 2 })
        #expect(!shell.outputs.contains { $0.request == 1 })
        // Request 2's samples: the same texts and tokens as when decoded alone.
        let outputs = shell.outputs.filter { $0.request == 2 }.sorted { $0.sample < $1.sample }
        #expect(outputs == reference.outputs.sorted { $0.sample < $1.sample })
    }

    @Test func cancellingAQueuedRequestDropsItBeforeItStarts() throws {
        var scheduler = makeScheduler(slots: 1)
        try scheduler.admit(DecodeRequest(id: 0, prompt: [1, 4], settings: DecodeSettings(maxNewTokens: 4)))
        try scheduler.admit(DecodeRequest(id: 1, prompt: [1, 5], settings: settings))
        #expect(scheduler.cancel(request: 1) == 3)
        var shell = FakeShell(slots: 1, model: { hashedLogits($0) })
        shell.run(&scheduler)
        #expect(shell.outputs.map(\.request) == [0])
    }
}
