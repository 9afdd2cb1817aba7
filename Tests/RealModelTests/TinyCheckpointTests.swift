import Foundation
import Testing
import Tokenizers
import Training
import Transformer

/// Tiny random Llama (untied, f32, 9 shards) and Qwen2 (tied, biases, bf16) checkpoints written by
/// `transformers` (scripts/make_model_fixtures.py), loaded as Hugging Face folders.
struct TinyCheckpointTests {
    static let models = ["tiny-llama", "tiny-qwen2"]

    @Test(arguments: models) func loadsAsHuggingFaceFolder(name: String) throws {
        let url = fixtureURL(name)
        #expect(try ModelSourceKind(of: url) == .huggingFace)
        let bundle = try ModelBundle.load(from: url)
        let llama = name == "tiny-llama"
        #expect(bundle.model.config.modelType == (llama ? .llama : .qwen2))
        #expect(bundle.model.config.tieEmbeddings == !llama)
        #expect(bundle.promptFormat == (llama ? .llama3 : .chatml))
        #expect(bundle.tokenizer.addsBOS == llama)
        let endOfTurn = (bundle.tokenizer as! ByteLevelBPE).id(of: llama ? "<|eot_id|>" : "<|im_end|>")!
        #expect(bundle.stopTokenIDs.contains(endOfTurn) && bundle.stopTokenIDs.contains(bundle.tokenizer.eosID))
        #expect(bundle.chatTemplate?.defaultSystemPrompt == (llama ? nil : "You are a tiny test model."))
    }

    @Test(arguments: models) func idsLogitsAndGreedyMatchTransformers(name: String) throws {
        let bundle = try ModelBundle.load(from: fixtureURL(name))
        let reference = try fixtureJSON("\(name)/reference.json")
        let chatPrompt = reference["chat_prompt"] as! String
        for case let c as [String: Any] in reference["cases"] as! [Any] {
            let text = c["text"] as! String, ids = c["ids"] as! [Int]
            // Plain texts get the tokenizer's BOS; the chat prompt is our rendering of the same turn.
            let rendered = text == chatPrompt
                ? bundle.chatTemplate!.render([ChatMessage(role: "user", content: "Let x = 3.")]) : text
            if text == chatPrompt { #expect(text.hasSuffix(rendered)) }
            let encoded = try bundle.tokenizer.encodeSequence(prompt: rendered, completion: "", appendEOS: false).tokens.map(Int.init)
            #expect(encoded == ids, "\(name): \(text.debugDescription)")

            let expected = (c["logits"] as! [[Double]])
            let found = try logits(bundle.model, ids)
            let scale = expected.joined().map(abs).max()!
            var worst = 0.0
            for (row, reference) in zip(found, expected) {
                for (a, b) in zip(row, reference) { worst = max(worst, abs(Double(a) - b)) }
            }
            #expect(worst <= 1e-4 * max(scale, 1), "\(name): logits differ by \(worst) (scale \(scale))")
            #expect(try greedy(bundle, ids, count: 16) == c["greedy"] as! [Int], "\(name): \(text.debugDescription)")
        }
    }

    @Test func promptOverrideAndPaperFormat() throws {
        let bundle = try ModelBundle.load(from: fixtureURL("tiny-qwen2"), promptFormat: .paper)
        #expect(bundle.promptFormat == .paper)
        #expect(bundle.prompt(problem: "1+1?") == "# Question\n\n1+1?\n\n# Solution\n\n")
        #expect(bundle.chatTemplate?.format == .chatml)  // --chat still has the model's template
    }
}
