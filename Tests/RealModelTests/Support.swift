import Foundation
import Testing
import Training
import Transformer

func fixtureURL(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
}

func fixtureJSON(_ name: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL(name))) as! [String: Any]
}

/// (T, V) next-token logits of one sequence, by a full forward pass.
func logits(_ model: TransformerModel, _ ids: [Int]) throws -> [[Float]] {
    let T = ids.count, V = model.config.vocabSize
    let activations = Activations(config: model.config, maxBatch: 1, maxTime: T)
    let tokens = ids.map(Int32.init)
    try tokens.withUnsafeBufferPointer { try model.forward(tokens: $0, batch: 1, time: T, activations: activations) }
    return (0..<T).map { t in Array(UnsafeBufferPointer(start: activations.logits + t * V, count: V)) }
}

/// Greedy continuation through the sampler (the decode scheduler and the KV cache); the stop
/// token, when one ends it, is the last id.
/// `prefillChunk` 1 feeds the prompt one token per step; the default feeds it in one batched pass.
func greedy(_ bundle: ModelBundle, _ ids: [Int], count: Int, stops: Set<Int> = [],
            prefillChunk: Int = IncrementalDecoder.defaultPrefillChunk) throws -> [Int] {
    var config = SamplingConfig()
    config.batchSlots = 1
    let sampler = Sampler(model: bundle.model, tokenizer: bundle.tokenizer, config: config, stopTokenIDs: stops)
    sampler.prefillChunk = prefillChunk
    let settings = DecodeSettings(samples: 1, temperature: 0, maxNewTokens: count, stopTokenIDs: stops)
    return try sampler.decode([DecodeRequest(id: 0, prompt: ids, settings: settings)])[0].tokenIDs
}

/// A scratch folder removed at the end of the test.
func withTemporaryFolder<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-realmodel-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Where scripts/fetch-models.sh puts SmolLM2-135M-Instruct.
let smolLM2Path: String = {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["E2H_MODEL_CACHE"] ?? (NSHomeDirectory() + "/.cache/e2h-models")
    return cache + "/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
}()
let smolLM2Present = FileManager.default.fileExists(atPath: smolLM2Path)
/// Set by CI: tests that need the model fail instead of skipping when it is missing.
let modelsRequired = ProcessInfo.processInfo.environment["E2H_REQUIRE_MODELS"] == "1"
