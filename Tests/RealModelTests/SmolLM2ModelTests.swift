import Foundation
import Testing
import Tokenizers
import Training
import Transformer

/// SmolLM2-135M-Instruct (GGUF, scripts/fetch-models.sh) against `transformers` loading the same
/// file (scripts/make_model_fixtures.py writes Fixtures/smollm2.json). Skipped without the model
/// unless E2H_REQUIRE_MODELS=1, which makes the missing file a failure.
@Suite(.enabled(if: smolLM2Present || modelsRequired,
                "SmolLM2 GGUF not found at the cache path: run scripts/fetch-models.sh (E2H_REQUIRE_MODELS=1 makes this fail)"),
       .serialized)
struct SmolLM2ModelTests {
    static let bundle: ModelBundle? = try? ModelBundle.load(from: URL(fileURLWithPath: smolLM2Path))

    func load() throws -> ModelBundle? {
        guard smolLM2Present else {
            Issue.record("E2H_REQUIRE_MODELS=1 but \(smolLM2Path) is missing: run scripts/fetch-models.sh")
            return nil
        }
        guard let bundle = Self.bundle else { return try ModelBundle.load(from: URL(fileURLWithPath: smolLM2Path)) }
        return bundle
    }

    var cases: [[String: Any]] { get throws { try fixtureJSON("smollm2.json")["cases"] as! [[String: Any]] } }

    @Test func bundleFromTheGGUF() throws {
        guard let bundle = try load() else { return }
        #expect(bundle.promptFormat == .chatml && !bundle.tokenizer.addsBOS)
        #expect(bundle.chatTemplate?.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        #expect(bundle.stopTokenIDs.contains(2))  // <|im_end|>, also the EOS
        #expect(bundle.model.config.layerCount == 30 && bundle.model.config.tieEmbeddings)
    }

    @Test func chatPromptIdsMatchTransformers() throws {
        guard let bundle = try load() else { return }
        for c in try cases where !(c["question"] as! String).isEmpty {
            let text = bundle.chatTemplate!.render([ChatMessage(role: "user", content: c["question"] as! String)])
            #expect(text == c["text"] as! String)
            #expect(try bundle.tokenizer.encodeSequence(prompt: text, completion: "", appendEOS: false).tokens.map(Int.init) == c["ids"] as! [Int])
        }
    }

    @Test func topTenLogitsMatchTransformers() throws {
        guard let bundle = try load() else { return }
        for c in try cases {
            let row = try logits(bundle.model, c["ids"] as! [Int]).last!
            let expectedIDs = c["top_ids"] as! [Int], expected = c["top_logits"] as! [Double]
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(10)
            #expect(top.first == expectedIDs.first, "\(c["question"]!)")
            #expect(Set(top.prefix(5)) == Set(expectedIDs.prefix(5)))
            let worst = zip(expectedIDs, expected).map { abs(Double(row[$0]) - $1) }.max()!
            #expect(worst < 2e-3 * max(1, expected.map(abs).max()!), "\(c["question"]!): top-10 logits differ by \(worst)")
        }
    }

    @Test func greedyContinuationsMatchTransformers() throws {
        guard let bundle = try load() else { return }
        for c in try cases {
            // Chat turns stop at the bundle's stop ids (<|im_end|>); the raw text runs 64 tokens.
            let chat = !(c["question"] as! String).isEmpty
            let found = try greedy(bundle, c["ids"] as! [Int], count: 64, stops: chat ? bundle.stopTokenIDs : [])
            #expect(found == c["greedy"] as! [Int], "\(c["question"]!): \(bundle.tokenizer.decode(found, stopAtEOS: false).debugDescription)")
        }
    }
}
