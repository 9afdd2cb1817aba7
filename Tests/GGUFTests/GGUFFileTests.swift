import Foundation
import Testing
import GGUF
import Tokenizers

/// tiny-llama.gguf of scripts/make_gguf_fixtures.py against the values `gguf` (Python) gives.
@Suite struct GGUFFileTests {
    let file: GGUFFile
    init() throws { file = try GGUFFile(path: fixturePath("tiny-llama.gguf")) }

    @Test func metadataOfEveryValueType() {
        #expect(file.version == 3 && file.alignment == 32)
        #expect(file["test.u8"] == .uint8(200) && file["test.i8"] == .int8(-100))
        #expect(file["test.u16"] == .uint16(60000) && file["test.i16"] == .int16(-30000))
        #expect(file["test.u32"] == .uint32(4_000_000_000) && file["test.i32"] == .int32(-2_000_000_000))
        #expect(file["test.f32"] == .float32(0.25) && file["test.bool"] == .bool(true))
        #expect(file["test.string"] == .string("héllo ✓"))
        #expect(file["test.u64"] == .uint64(1 << 63 + 5) && file["test.i64"] == .int64(-(1 << 62)))
        #expect(file["test.f64"] == .float64(-1.5e300))
        #expect(file["test.ints"] == .array([.int32(1), .int32(-2), .int32(3)]))
        #expect(file["test.strings"] == .array([.string("a"), .string(""), .string("ü")]))
        #expect(file["test.nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
        #expect(file.keys.first == "general.architecture")
        #expect(file.tensors.count == 11)
    }

    @Test func dequantizationMatchesPython() throws {
        let expected = try fixtureJSON("tiny-llama.json")
        for info in file.tensors {
            let e = try #require(expected[info.name] as? [String: Any], "\(info.name)")
            let values = try file.floats(info)
            #expect(info.shape == e["shape"] as! [Int] || [info.rowCount, info.rowLength] == e["shape"] as! [Int], "\(info.name)")
            let first = (e["first"] as? [Double]) ?? [e["first"] as! Double]
            let last = (e["last"] as? [Double]) ?? [e["last"] as! Double]
            let row = first.count
            #expect(relativeError(Array(values.prefix(row)), first) < 1e-6, "\(info.name) (\(info.type)) first row")
            #expect(relativeError(Array(values.suffix(row)), last) < 1e-6, "\(info.name) last row")
            let sum = values.reduce(0.0) { $0 + Double($1) }, squares = values.reduce(0.0) { $0 + Double($1) * Double($1) }
            #expect(abs(sum - (e["sum"] as! Double)) <= 1e-5 * max(1, squares), "\(info.name) sum")
            #expect(abs(squares - (e["sumSquares"] as! Double)) <= 1e-5 * max(1, squares), "\(info.name) sum of squares")
        }
        #expect(Set(file.tensors.map(\.type)) == [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q6_K])
    }

    @Test func rowsAreSlicesOfTheWholeTensor() throws {
        let info = try file.tensor("blk.0.attn_q.weight")
        let all = try file.floats(info)
        let rows = try file.floats(info, rows: 3..<5)
        #expect(rows == Array(all[(3 * 256)..<(5 * 256)]))
        #expect(throws: GGUFError.self) { try file.floats(info, rows: 255..<257) }
        var buffer = [Float](repeating: 0, count: info.elementCount)
        try buffer.withUnsafeMutableBufferPointer { try file.dequantize(info, into: $0) }
        #expect(buffer == all)
    }

    @Test func configInHuggingFaceTerms() throws {
        let c = try file.modelConfig()
        #expect(c.modelType == "llama" && c.vocabSize == 32 && c.hiddenSize == 256 && c.intermediateSize == 128)
        #expect(c.numHiddenLayers == 1 && c.numAttentionHeads == 4 && c.numKeyValueHeads == 2 && c.headDim == 64)
        #expect(c.maxPositionEmbeddings == 64 && c.ropeTheta == 500_000 && abs(c.rmsNormEps - 1e-5) < 1e-12)
        #expect(c.tieWordEmbeddings && !c.attentionBias && c.ropeScalingType == nil)
        let json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as? [String: Any])
        #expect(json["num_key_value_heads"] as? Int == 2 && json["tie_word_embeddings"] as? Bool == true)
    }

    @Test func huggingFaceTensorsUndoTheLlamaPermutation() throws {
        let expected = try fixtureJSON("tiny-llama.json")
        let config = try file.modelConfig()
        for name in ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight"] {
            let e = expected[name] as! [String: Any]
            let (shape, values) = try file.huggingFaceTensor(name, config: config)
            #expect(shape == e["shape"] as! [Int])
            #expect(relativeError(Array(values.prefix(256)), e["first"] as! [Double]) < 1e-6, "\(name) first")
            #expect(relativeError(Array(values.suffix(256)), e["last"] as! [Double]) < 1e-6, "\(name) last")
        }
        // Qwen2 files keep the HF layout.
        var qwen = config
        qwen.modelType = "qwen2"
        let raw = try file.floats(try file.tensor("blk.0.attn_q.weight"))
        #expect(try file.huggingFaceTensor("model.layers.0.self_attn.q_proj.weight", config: qwen).values == raw)
        #expect(file.huggingFaceTensorNames().contains("model.layers.0.mlp.down_proj.weight"))
        #expect(!file.huggingFaceTensorNames().contains("lm_head.weight"))
    }

    @Test func namesMapBothWays() {
        let pairs = [("token_embd.weight", "model.embed_tokens.weight"), ("output_norm.weight", "model.norm.weight"),
                     ("output.weight", "lm_head.weight"), ("blk.12.attn_q.bias", "model.layers.12.self_attn.q_proj.bias"),
                     ("blk.0.ffn_norm.weight", "model.layers.0.post_attention_layernorm.weight"),
                     ("blk.3.attn_output.weight", "model.layers.3.self_attn.o_proj.weight")]
        for (g, h) in pairs {
            #expect(GGUFTensorNames.huggingFace(g) == h)
            #expect(GGUFTensorNames.gguf(h) == g)
        }
        #expect(GGUFTensorNames.huggingFace("rope_freqs.weight") == nil)
        #expect(GGUFTensorNames.huggingFace("blk.x.attn_q.weight") == nil)
    }

    @Test func tokenizerFromMetadata() throws {
        let t = try tokenizer(of: file)
        #expect(t.encode("abcd") == [27, 3])
        #expect(t.encode("a<|endoftext|> a") == [0, 28, 30])
        #expect(t.eosID == 28 && t.stopIDs.contains(28))
        #expect(t.decode([27, 3, 28, 29]) == "abcd")
    }

    @Test func halfFloats() {
        #expect(GGUFDequantize.halfToFloat(0x3C00) == 1 && GGUFDequantize.halfToFloat(0xC000) == -2)
        #expect(GGUFDequantize.halfToFloat(0x0001) == Float(5.9604645e-8) && GGUFDequantize.halfToFloat(0x7BFF) == 65504)
        #expect(GGUFDequantize.halfToFloat(0x7C00) == .infinity && GGUFDequantize.halfToFloat(0x7E00).isNaN)
        #expect(GGUFDequantize.halfToFloat(0x8000).sign == .minus)
    }
}
