import Foundation
import Testing
import Training
import Transformer

/// Bad model files give an error naming the file and the key or tensor; never a crash.
struct LoadErrorTests {
    /// The message of the error `body` throws (a failure when it throws none).
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        Issue.record("no error thrown")
        return ""
    }

    func copy(_ name: String, to folder: URL) throws -> URL {
        let target = folder.appendingPathComponent(name)
        try FileManager.default.copyItem(at: fixtureURL(name), to: target)
        return target
    }

    @Test func missingShardNamesTheIndexAndTheShard() throws {
        try withTemporaryFolder { folder in
            let model = try copy("tiny-llama", to: folder)
            try FileManager.default.removeItem(at: model.appendingPathComponent("model-00003-of-00009.safetensors"))
            let text = message { _ = try ModelBundle.load(from: model) }
            #expect(text.contains("model.safetensors.index.json") && text.contains("model-00003-of-00009.safetensors"), "\(text)")
        }
    }

    @Test func shapeMismatchNamesTheTensor() throws {
        try withTemporaryFolder { folder in
            let model = try copy("tiny-qwen2", to: folder)
            let configURL = model.appendingPathComponent("config.json")
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
            config["intermediate_size"] = 96
            try JSONSerialization.data(withJSONObject: config).write(to: configURL)
            let text = message { _ = try ModelBundle.load(from: model) }
            #expect(text.contains("mlp.gate_proj.weight") && text.contains("[128, 64]") && text.contains("model.safetensors"), "\(text)")
        }
    }

    @Test func unsupportedArchitectureNamesTheKey() throws {
        try withTemporaryFolder { folder in
            let model = try copy("tiny-llama", to: folder)
            let configURL = model.appendingPathComponent("config.json")
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
            config["model_type"] = "gpt_neox"
            try JSONSerialization.data(withJSONObject: config).write(to: configURL)
            let text = message { _ = try ModelBundle.load(from: model) }
            #expect(text.contains("config.json") && text.contains("model_type") && text.contains("gpt_neox"), "\(text)")
        }
    }

    @Test func unknownChatTemplateIsRefusedUnlessOverridden() throws {
        try withTemporaryFolder { folder in
            let model = try copy("tiny-qwen2", to: folder)
            try "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"
                .write(to: model.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
            let text = message { _ = try ModelBundle.loadTokenizer(from: model) }
            #expect(text.contains("chat_template.jinja") && text.contains("--prompt-format"), "\(text)")
            let (_, manifest) = try ModelBundle.loadTokenizer(from: model, promptFormat: .chatml)
            #expect(manifest.promptFormat == .chatml && manifest.chatTemplate?.defaultSystemPrompt == nil)
        }
    }

    @Test func badGGUFFilesNameTheFile() throws {
        try withTemporaryFolder { folder in
            let bad = folder.appendingPathComponent("model.gguf")
            try Data("NOTAGGUF and more bytes to read past the header".utf8).write(to: bad)
            let text = message { _ = try ModelBundle.load(from: bad) }
            #expect(text.contains(bad.path) && text.contains("not a GGUF file"), "\(text)")
            guard smolLM2Present else { return }
            // The first 4 MB of a real file: the metadata reads, the tensor data is cut.
            let truncated = folder.appendingPathComponent("truncated.gguf")
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: smolLM2Path))
            try handle.readData(ofLength: 4 << 20).write(to: truncated)
            let cut = message { _ = try ModelBundle.load(from: truncated) }
            #expect(cut.contains(truncated.path) && cut.contains("truncated"), "\(cut)")
        }
    }

    @Test func aFolderWithoutModelFilesSaysWhatIsMissing() throws {
        try withTemporaryFolder { folder in
            let text = message { _ = try ModelBundle.load(from: folder) }
            #expect(text.contains("bundle.json") && text.contains("tokenizer.json"), "\(text)")
        }
    }

    @Test func trainedCopyOfAHuggingFaceModelIsABundle() throws {
        // What `e2h train` writes from a real model: weights, bundle.json naming tokenizer.json, the tokenizer.
        try withTemporaryFolder { folder in
            let source = try ModelBundle.load(from: fixtureURL("tiny-llama"))
            let out = folder.appendingPathComponent("trained")
            let manifest = try source.writeTokenizer(into: out)
            try source.model.save(to: out)
            try manifest.write(to: out)
            #expect(try ModelSourceKind(of: out) == .e2h)
            let copy = try ModelBundle.load(from: out)
            #expect(copy.manifest.tokenizer == TokenizerManifest(kind: "bpe", path: "tokenizer.json"))
            #expect(copy.promptFormat == .llama3 && copy.stopTokenIDs == source.stopTokenIDs && copy.tokenizer.addsBOS)
            let ids = try copy.tokenizer.encode("Let x = 3. Then")
            #expect(ids == (try source.tokenizer.encode("Let x = 3. Then")))
            #expect(try logits(copy.model, ids).last == (try logits(source.model, ids).last))
        }
    }
}
