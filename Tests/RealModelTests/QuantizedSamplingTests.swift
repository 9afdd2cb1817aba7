import Experiment
import Foundation
import Testing
import Training

/// `e2h sample` on SmolLM2's GGUF computes on its quantized blocks unless told to load floats
/// (`--float-weights`), and greedy samples are the same tokens either way.
@Suite(.enabled(if: smolLM2Present || modelsRequired,
                "SmolLM2 GGUF not found at the cache path: run scripts/fetch-models.sh (E2H_REQUIRE_MODELS=1 makes this fail)"),
       .serialized)
struct QuantizedSamplingTests {
    @Test func greedySamplesOnTheBlocksEqualTheFloatLoad() throws {
        guard smolLM2Present else {
            Issue.record("E2H_REQUIRE_MODELS=1 but \(smolLM2Path) is missing: run scripts/fetch-models.sh")
            return
        }
        try withTemporaryFolder { folder in
            let problems = folder.appendingPathComponent("problems.jsonl").path
            let lines = [#"{"id": "a", "problem": "What is 12 + 7?", "answer": "19"}"#,
                         #"{"id": "b", "problem": "Solve for x: 2x + 3 = 11.", "answer": "4"}"#,
                         #"{"id": "c", "problem": "What is the capital of France?", "answer": "Paris"}"#,
                         #"{"id": "d", "problem": "Compute 6 times 7.", "answer": "42"}"#]
            try (lines.joined(separator: "\n") + "\n").write(toFile: problems, atomically: true, encoding: .utf8)
            var sampling = SamplingConfig()
            sampling.samplesPerProblem = 1
            sampling.temperature = 0
            sampling.maxNewTokens = 24
            sampling.recordTokens = true
            var outputs: [Bool: [[String: Any]]] = [:], logs: [Bool: [String]] = [:]
            for quantized in [true, false] {
                let out = folder.appendingPathComponent("samples-\(quantized).jsonl").path
                var log: [String] = []
                try sampleProblems(model: URL(fileURLWithPath: smolLM2Path), problems: problems, out: out, sampling: sampling,
                                   keepQuantized: quantized, quiet: true) { log.append($0) }
                logs[quantized] = log
                outputs[quantized] = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
                }
            }
            // The quantized run says so; the float run does not.
            #expect(logs[true]!.contains { $0.contains("quantized blocks") })
            #expect(!logs[false]!.contains { $0.contains("quantized blocks") })
            let (blocks, floats) = (outputs[true]!, outputs[false]!)
            #expect(blocks.count == 4 && floats.count == 4)
            for (b, f) in zip(blocks, floats) {
                let ids = b["token_ids"] as? [Int]
                #expect(ids != nil && !(ids!.isEmpty))
                #expect(ids == f["token_ids"] as? [Int], "\(b["problem_id"]!): \(b["output"]!) vs \(f["output"]!)")
                #expect(b["output"] as? String == f["output"] as? String)
                // Log-probs close to the float computation's (the logits agree within 1e-4 of their scale).
                let (lb, lf) = (b["logprobs"] as? [Double] ?? [], f["logprobs"] as? [Double] ?? [])
                #expect(lb.count == lf.count)
                #expect(zip(lb, lf).allSatisfy { abs($0 - $1) < 0.05 }, "\(zip(lb, lf).map { abs($0 - $1) }.max() ?? 0)")
            }
        }
    }
}
