// The Hugging Face config: every key that changes the math is decoded or refused with a message
// naming the key and its value; encoding writes the keys back; sizes are bounded before anything
// is allocated; the scaled RoPE frequencies follow transformers' formulas.

import Foundation
import Kernels
import Testing
import Transformer

/// A small valid config.json of the given model type, with `extra` keys merged in (JSON fragments).
func configJSON(_ extra: [String: String] = [:], modelType: String = "llama") -> Data {
    var fields: [String: String] = [
        "model_type": "\"\(modelType)\"", "vocab_size": "32", "hidden_size": "64", "intermediate_size": "96",
        "num_hidden_layers": "2", "num_attention_heads": "4", "num_key_value_heads": "2",
        "max_position_embeddings": "256", "rms_norm_eps": "1e-06", "rope_theta": "10000.0",
    ]
    for (k, v) in extra { fields[k] = v }
    let body = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
    return Data("{\(body)}".utf8)
}

func decodeConfig(_ data: Data) throws -> TransformerConfig {
    try JSONDecoder().decode(TransformerConfig.self, from: data)
}

@Suite("Model config")
struct ConfigTests {
    @Test func decodesTheSupportedArchitectures() throws {
        let llama = try decodeConfig(configJSON())
        #expect(llama.modelType == .llama && !llama.qkvBias && !llama.outputBias && llama.ropeScaling == nil)
        #expect(llama.normEpsilon == 1e-6)

        let qwen = try decodeConfig(configJSON(["use_sliding_window": "false", "sliding_window": "4096",
                                                 "tie_word_embeddings": "true"], modelType: "qwen2"))
        #expect(qwen.modelType == .qwen2 && qwen.qkvBias && !qwen.outputBias && qwen.tieEmbeddings)
        let layout = ParameterLayout(config: qwen)
        #expect(layout.tensor(named: "model.layers.1.self_attn.q_proj.bias")?.shape == [64])
        #expect(layout.tensor(named: "model.layers.1.self_attn.k_proj.bias")?.shape == [32])
        #expect(layout.tensor(named: "model.layers.1.self_attn.v_proj.bias")?.decays == false)
        #expect(layout.tensor(named: "model.layers.1.self_attn.o_proj.bias") == nil)

        let biased = try decodeConfig(configJSON(["attention_bias": "true"]))
        #expect(biased.qkvBias && biased.outputBias)
        #expect(ParameterLayout(config: biased).tensor(named: "model.layers.0.self_attn.o_proj.bias")?.shape == [64])

        let mistral = try decodeConfig(configJSON(["sliding_window": "null"], modelType: "mistral"))
        #expect(mistral.modelType == .mistral && !mistral.qkvBias)
        // A window at least as long as the context never applies.
        _ = try decodeConfig(configJSON(["sliding_window": "256"], modelType: "mistral"))

        let headDim = try decodeConfig(configJSON(["head_dim": "32"]))
        #expect(headDim.headDim == 32 && headDim.queryWidth == 128 && headDim.keyValueWidth == 64)
        #expect(ParameterLayout(config: headDim).tensor(named: "model.layers.0.self_attn.o_proj.weight")?.shape == [64, 128])
    }

    @Test func decodesRopeScalingInBothSpellings() throws {
        let llama3 = """
            {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
             "original_max_position_embeddings": 8192}
            """
        let expected = RoPEScaling.llama3(factor: 32, lowFrequencyFactor: 1, highFrequencyFactor: 4,
                                          originalMaxPositions: 8192)
        #expect(try decodeConfig(configJSON(["rope_scaling": llama3])).ropeScaling == expected)
        // transformers 5.x: rope_parameters, with rope_theta inside.
        let v5 = llama3.replacingOccurrences(of: "}", with: ", \"rope_theta\": 500000.0}")
        let config = try decodeConfig(configJSON(["rope_parameters": v5]))
        #expect(config.ropeScaling == expected && config.ropeTheta == 500_000)
        #expect(try decodeConfig(configJSON(["rope_scaling": "{\"type\": \"linear\", \"factor\": 2}"])).ropeScaling
                == .linear(factor: 2))
        #expect(try decodeConfig(configJSON(["rope_parameters": "{\"rope_type\": \"default\", \"rope_theta\": 1000000}"]))
                .ropeScaling == nil)
    }

    /// Each unsupported value is refused, and the message names the key and the value.
    @Test(arguments: [
        (["model_type": "\"gemma\""], "model_type", "gemma"),
        (["hidden_act": "\"gelu\""], "hidden_act", "gelu"),
        (["hidden_activation": "\"gelu_pytorch_tanh\""], "hidden_activation", "gelu_pytorch_tanh"),
        (["rope_scaling": "{\"rope_type\": \"yarn\", \"factor\": 4}"], "rope_type", "yarn"),
        (["rope_scaling": "{\"type\": \"dynamic\", \"factor\": 4}"], "rope_type", "dynamic"),
        (["rope_parameters": "{\"rope_type\": \"longrope\", \"rope_theta\": 10000}"], "rope_type", "longrope"),
        (["rope_scaling": "{\"rope_type\": \"llama3\", \"factor\": 8}"], "low_freq_factor", "llama3"),
        (["mlp_bias": "true"], "mlp_bias", "true"),
        (["attention_dropout": "0.1"], "attention_dropout", "0.1"),
        (["partial_rotary_factor": "0.5"], "partial_rotary_factor", "0.5"),
        (["layer_types": "[\"full_attention\", \"sliding_attention\"]"], "layer_types", "sliding_attention"),
        (["head_dim": "7"], "head_dim", "7"),
        (["num_key_value_heads": "3"], "num_key_value_heads", "3"),
    ] as [([String: String], String, String)])
    func refusesUnsupportedKeys(extra: [String: String], key: String, value: String) throws {
        try expectRefusal(configJSON(extra), key: key, value: value)
    }

    @Test func refusesSlidingWindowsInUse() throws {
        try expectRefusal(configJSON(["use_sliding_window": "true", "sliding_window": "128"], modelType: "qwen2"),
                          key: "use_sliding_window", value: "128")
        try expectRefusal(configJSON(["sliding_window": "4096", "max_position_embeddings": "32768"], modelType: "mistral"),
                          key: "sliding_window", value: "4096")
        // Mistral's default window applies when the key is absent from transformers' defaults only
        // if written; our reader requires it explicit, and a missing key means none.
        _ = try decodeConfig(configJSON([:], modelType: "mistral"))
    }

    func expectRefusal(_ json: Data, key: String, value: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        do {
            let config = try decodeConfig(json)
            try config.validate()
            Issue.record("expected \(key) \(value) to be refused", sourceLocation: sourceLocation)
        } catch let error as TransformerError {
            guard case .invalidConfig = error else {
                Issue.record("expected invalidConfig, got \(error)", sourceLocation: sourceLocation)
                return
            }
            let message = "\(error)"
            #expect(message.contains(key) && message.contains(value), "message \(message) should name \(key) and \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Configs far beyond this machine's memory are refused before any allocation (issue 18).
    @Test(arguments: ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers"])
    func refusesSizesBeyondMemory(key: String) throws {
        let json = configJSON([key: "\(1 << 40)"].merging(key == "hidden_size" ? ["head_dim": "16"] : [:]) { a, _ in a })
        let config = try decodeConfig(json)
        do {
            _ = try TransformerModel(config: config)
            Issue.record("a config with \(key) 2^40 should be refused")
        } catch let error as TransformerError {
            #expect("\(error)".contains("memory") || "\(error)".contains("overflows"), "\(error)")
            #expect("\(error)".contains(key), "the message should name \(key): \(error)")
        }
        // Huge overflowing products are refused too, not trapped.
        let overflow = try decodeConfig(configJSON(["vocab_size": "\(Int.max / 2)", "hidden_size": "\(Int.max / 2)",
                                                    "head_dim": "16"]))
        #expect(throws: TransformerError.self) { try overflow.validate() }
    }

    /// A config with 2^40 positions is fine: nothing is sized by max_position_embeddings.
    @Test func hugePositionCountsAllocateNothingUpFront() throws {
        let config = try decodeConfig(configJSON(["max_position_embeddings": "\(1 << 40)"]))
        let model = try TransformerModel(config: config)
        #expect(model.ropePositions == 0)
        let decoder = IncrementalDecoder(model: model, slots: 2)
        try decoder.step(tokens: [1, 2], slots: [0, 1])
        #expect(model.ropePositions <= 64 && decoder.cache.capacity <= 64)
    }

    /// Encoding writes every key back: decoding gives the same config, and the JSON carries what
    /// transformers needs (model_type qwen2, rope_scaling, attention_bias, head_dim).
    @Test func encodingRoundTrips() throws {
        let configs = [
            try decodeConfig(configJSON(["tie_word_embeddings": "true"], modelType: "qwen2")),
            try decodeConfig(configJSON(["attention_bias": "true", "head_dim": "32",
                                         "rope_scaling": "{\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 1, \"high_freq_factor\": 4, \"original_max_position_embeddings\": 64}"])),
            try decodeConfig(configJSON(["rope_scaling": "{\"rope_type\": \"linear\", \"factor\": 2.5}"])),
            try decodeConfig(configJSON([:], modelType: "mistral")),
            TransformerConfig.reference,
        ]
        for config in configs {
            let data = try JSONEncoder().encode(config)
            #expect(try decodeConfig(data) == config)
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            #expect(object["model_type"] as? String == config.modelType.rawValue)
            #expect(object["head_dim"] as? Int == config.headDim)
            #expect(object["hidden_act"] as? String == "silu")
            if config.modelType == .qwen2 {
                #expect(object["use_sliding_window"] as? Bool == false)
                #expect((object["architectures"] as? [String]) == ["Qwen2ForCausalLM"])
            }
            if config.ropeScaling != nil { #expect(object["rope_scaling"] is [String: Any]) }
        }
    }

    /// ropeInverseFrequencies against transformers' formulas, written out in Double.
    @Test func scaledRopeFrequenciesFollowTransformers() {
        let D = 16, theta: Double = 10_000
        let plain = (0..<(D / 2)).map { i in 1 / pow(theta, Double(2 * i) / Double(D)) }
        let linear = ropeInverseFrequencies(headDim: D, theta: Float(theta), scaling: .linear(factor: 4))
        for i in 0..<(D / 2) { #expect(abs(Double(linear[i]) - plain[i] / 4) <= 1e-6 * plain[i]) }

        let factor = 8.0, low = 1.0, high = 4.0, old = 64.0
        let ours = ropeInverseFrequencies(
            headDim: D, theta: Float(theta),
            scaling: .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalMaxPositions: 64))
        var regimes = Set<String>()
        for i in 0..<(D / 2) {
            let wavelength = 2 * Double.pi / plain[i]
            let expected: Double
            if wavelength < old / high {
                expected = plain[i]; regimes.insert("high")
            } else if wavelength > old / low {
                expected = plain[i] / factor; regimes.insert("low")
            } else {
                let smooth = (old / wavelength - low) / (high - low)
                expected = (1 - smooth) * plain[i] / factor + smooth * plain[i]; regimes.insert("medium")
            }
            #expect(abs(Double(ours[i]) - expected) <= 1e-5 * expected, "frequency \(i)")
        }
        #expect(regimes == ["high", "medium", "low"])
    }
}
