import Datasets
import Testing
import Tokenizers
import Training
import Transformer

/// The sampler shell on a real (random) model: what it records per token.
@Suite("Sampler")
struct SamplerTests {
    @Test func logprobsAreTheTeacherForcedLogprobsAndTheStreamAddsUpToTheText() throws {
        let model = try tinyPolicy(seed: 5)
        var config = SamplingConfig()
        config.samplesPerProblem = 3
        config.temperature = 1
        config.topK = 0
        config.maxNewTokens = 12
        config.batchSlots = 4
        config.stopRules = []
        config.recordTokens = true
        let sampler = Sampler(model: model, tokenizer: vocabulary, config: config)
        let jobs = handful.enumerated().map { SamplingJob(problemID: "p\($0)", prompt: $1.prompt) }
        let records = try sampler.sample(jobs)
        #expect(records.count == 12)
        let scorer = TokenLogProbs(model: model, tokenizer: vocabulary)
        let teacher = try scorer.logProbs(records.map { (handful[Int($0.problemID.dropFirst())!].prompt, $0.output) })
        for (record, expected) in zip(records, teacher) {
            let ids = record.tokenIDs!, logprobs = record.logprobs!
            #expect(ids.count == logprobs.count && ids.count <= 12)
            // The text's tokens (all but a final EOS) are the sampled ones; their log-probs agree.
            let textIDs = record.finishReason == "eos" ? Array(ids.dropLast()) : ids
            #expect(try vocabulary.encode(record.output) == textIDs)
            #expect(expected.count == textIDs.count)
            for (a, b) in zip(logprobs, expected) { #expect(abs(a - b) < 1e-3, "\(record.problemID)/\(record.sampleIndex): \(a) vs \(b)") }
            #expect(logprobs.allSatisfy { $0 <= 0 && $0.isFinite })
        }

        // Streaming: per sequence, the deltas add up to the text.
        var streamed: [String: String] = [:]
        let requests = try jobs.enumerated().map { i, job in
            DecodeRequest(id: i, prompt: [vocabulary.bosID] + (try vocabulary.encode(job.prompt)), settings: config.settings(job: i, stopTokenIDs: vocabulary.stopIDs))
        }
        let outputs = try sampler.decode(requests) { token in streamed["\(token.request)/\(token.sample)", default: ""] += token.text }
        #expect(outputs.map(\.text) == records.map(\.output))
        for output in outputs { #expect(streamed["\(output.request)/\(output.sample)"] == output.text) }
    }
}
