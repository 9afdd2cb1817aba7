import Foundation
import GGUF
import Tokenizers

func fixturePath(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

func fixtureJSON(_ name: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixturePath(name)))) as! [String: Any]
}

/// The largest |a - b| relative to the largest |b| (1 when lengths differ).
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    guard a.count == b.count, !b.isEmpty else { return 1 }
    let scale = max(b.map(abs).max()!, 1e-12)
    return zip(a, b).map { abs(Double($0) - $1) }.max()! / scale
}

/// The tokenizer of a GGUF file (the glue model loading uses: both targets are layer 0).
func tokenizer(of file: GGUFFile) throws -> ByteLevelBPE {
    let f = try file.tokenizerFields()
    return try ByteLevelBPE(ggml: GGMLTokenizerMetadata(
        model: f.model, pre: f.pre, tokens: f.tokens, tokenTypes: f.tokenTypes, merges: f.merges, bosID: f.bosID,
        eosID: f.eosID, padID: f.padID, eotID: f.eotID, eomID: f.eomID, addBOS: f.addBOS, file: file.path))
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
