import Foundation
import Testing
import GGUF

/// Bad files throw errors naming the file and the field; none crashes.
@Suite struct GGUFErrorTests {
    let bytes: [UInt8]
    init() throws { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath("tiny-llama.gguf")))) }

    func error(_ data: [UInt8]) -> GGUFError? {
        do {
            _ = try GGUFFile(bytes: data, name: "bad.gguf")
            return nil
        } catch let e as GGUFError {
            return e
        } catch {
            return nil
        }
    }

    /// Offset of the first occurrence of `text` in the file.
    func offset(of text: String) -> Int {
        let needle = Array(text.utf8)
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }!
    }

    @Test func badMagicAndVersion() {
        var data = bytes
        data[0] = 0x47 + 1
        #expect(error(data) == .badMagic(file: "bad.gguf", found: [0x48, 0x47, 0x55, 0x46]))
        data = bytes
        data[4] = 9
        #expect(error(data) == .unsupportedVersion(file: "bad.gguf", version: 9))
        #expect("\(error([])!)".contains("bad.gguf: truncated: magic"))
    }

    @Test func everyTruncationThrows() throws {
        let file = try GGUFFile(bytes: bytes, name: "x")
        for length in stride(from: 0, to: file.dataOffset + 64, by: 5) + [bytes.count - 1] {
            let e = error(Array(bytes[..<length]))
            #expect(e != nil, "length \(length)")
        }
        guard case let .truncated(_, what, _, _)? = error(Array(bytes.dropLast())) else {
            Issue.record("expected truncated data")
            return
        }
        #expect(what == "data of tensor output_norm.weight")
    }

    @Test func unknownTensorTypeNamesTheTensor() throws {
        // Tensor info: name, n_dims u32, dims u64 x n, type u32, offset u64.
        var data = bytes
        let name = "blk.0.attn_q.weight"
        let typeAt = offset(of: name) + name.utf8.count + 4 + 2 * 8
        #expect(data[typeAt] == 12)  // Q4_K
        data[typeAt] = 77
        #expect(error(data) == .unsupportedTensorType(file: "bad.gguf", tensor: name, type: 77))
        data[typeAt] = 13  // Q5_K: parsed, but not dequantized
        let file = try GGUFFile(bytes: data, name: "bad.gguf")
        #expect(throws: GGUFError.unsupportedTensorType(file: "bad.gguf", tensor: name, type: 13)) {
            try file.floats(try file.tensor(name))
        }
    }

    @Test func unsupportedArchitectureAndShapeMismatch() throws {
        var data = bytes
        let at = offset(of: "llama")
        data.replaceSubrange(at..<(at + 5), with: Array("gemma".utf8))
        let gemma = try GGUFFile(bytes: data, name: "bad.gguf")
        #expect(throws: GGUFError.unsupportedArchitecture(file: "bad.gguf", architecture: "gemma")) { try gemma.modelConfig() }
        let file = try GGUFFile(bytes: bytes, name: "bad.gguf")
        var config = try file.modelConfig()
        config.intermediateSize = 64
        #expect(throws: GGUFError.shapeMismatch(file: "bad.gguf", tensor: "blk.0.ffn_up.weight", expected: [64, 256], found: [128, 256])) {
            try file.huggingFaceTensor("model.layers.0.mlp.up_proj.weight", config: config)
        }
        #expect(throws: GGUFError.shapeMismatch(file: "bad.gguf", tensor: "blk.0.ffn_gate.weight", expected: [64, 256], found: [128, 256])) {
            try file.checkTensors(config: config)
        }
        config.intermediateSize = 128
        try file.checkTensors(config: config)
        config.numHiddenLayers = 2
        #expect(throws: GGUFError.missingTensor(file: "bad.gguf", tensor: "blk.1.attn_norm.weight")) { try file.checkTensors(config: config) }
        #expect(throws: GGUFError.missingTensor(file: "bad.gguf", tensor: "output.weight")) {
            try file.huggingFaceTensor("lm_head.weight", config: config)
        }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        let file = try GGUFFile(bytes: bytes, name: "x")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var failures = 0
        for _ in 0..<600 {
            var data = bytes
            for _ in 0..<(1 + next() % 4) { data[next() % file.dataOffset] = UInt8(truncatingIfNeeded: next()) }
            do {
                let f = try GGUFFile(bytes: data, name: "fuzz")
                _ = try? f.modelConfig()
                _ = try? f.tokenizerFields()
                for t in f.tensors.prefix(3) { _ = try? f.floats(t, rows: 0..<1) }
            } catch is GGUFError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
