import Datasets
import Experiment
import Foundation
import InferenceClient
import InferenceProtocol
import Testing
import Training

func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try Data(contentsOf: url)
}

/// Response bodies as vLLM and llama.cpp's server send them (REFERENCE.md section 3), read by the client.
@Suite("Recorded server responses")
struct ResponseParsingTests {
    @Test func vLLMCompletionWithLogprobArrays() throws {
        let response = try JSONDecoder().decode(CompletionResponse.self, from: try fixture("vllm_completion"))
        #expect(response.choices.count == 3)
        let first = response.choices[0]
        let logprobs = try #require(first.logprobs)
        #expect(logprobs.shape == .arrays)
        #expect(logprobs.tokens.count == 12 && logprobs.tokenLogprobs.count == 12)
        #expect(logprobs.tokenLogprobs[3] == -1.25)
        #expect(first.stopReason == .token(151643))
        #expect(first.tokenIDs?.count == 12)
        #expect(response.choices[1].stopReason == .text("\n\n# Answer"))
        #expect(response.choices[1].logprobs?.tokenLogprobs == [nil])
        #expect(response.choices[2].logprobs == nil && response.choices[2].finishReason == "length")
        #expect(response.usage == Usage(promptTokens: 30, completionTokens: 21))

        // As samples: a stop token is "eos", a stop string "stop", a length stop "length".
        let records = response.choices.enumerated().map {
            remoteSampleRecord(problemID: "p", sampleIndex: $0, choice: $1, answerLineStop: true, recordTokens: true)
        }
        #expect(records.map(\.finishReason) == ["eos", "stop", "length"])
        #expect(records[0].answer == "5" && records[0].steps == ["2 + 3 = 5"])
        #expect(records[0].tokenIDs?.last == 151643)
        #expect(records[0].logprobs?.count == 12)
        #expect(records[1].logprobs == nil)  // a null log-prob: none rather than a made-up number
    }

    @Test func llamaCppCompletionWithTheContentList() throws {
        let response = try JSONDecoder().decode(CompletionResponse.self, from: try fixture("llamacpp_completion"))
        let choice = try #require(response.choices.first)
        let logprobs = try #require(choice.logprobs)
        #expect(logprobs.shape == .content)
        #expect(logprobs.tokens == ["4", " +", " "])
        #expect(logprobs.tokenIDs == [19, 489, 220])
        #expect(logprobs.tokenLogprobs == [-0.25, -0.01, -0.5])
        #expect(choice.stopReason == nil)
        // llama.cpp does not know the paper's answer line: the client cuts the text there.
        let record = remoteSampleRecord(problemID: "p", sampleIndex: 0, choice: choice, answerLineStop: true, recordTokens: true)
        #expect(record.output == "4 + 4 = 8\n\n# Answer\n\n8")
        #expect(record.answer == "8" && record.finishReason == "stop")
        #expect(record.tokenIDs == [19, 489, 220])
        let uncut = remoteSampleRecord(problemID: "p", sampleIndex: 0, choice: choice, answerLineStop: false, recordTokens: false)
        #expect(uncut.output.hasSuffix("more text") && uncut.tokenIDs == nil && uncut.logprobs == nil)
    }

    @Test(arguments: [("vllm_error", "maximum context length is 4096"), ("openai_error", "n must be at most 8"),
                      ("llamacpp_error", "Loading model")])
    func errorBodiesInEveryShape(name: String, message: String) throws {
        #expect(OpenAIClient.errorMessage(try fixture(name)).contains(message))
    }

    @Test func errorBodiesThatAreNotJSONAreShownAsText() {
        #expect(OpenAIClient.errorMessage(Data("Bad Gateway".utf8)) == "Bad Gateway")
    }

    @Test func qwenPoolingRowsBecomeLogitsOfClassOne() throws {
        let response = try JSONDecoder().decode(PoolingResponse.self, from: try fixture("vllm_pooling_qwen"))
        let logits = try PRMStyle.qwen.logits(rows: response.data[0].data)
        let expected = [log(0.9 / 0.1), log(0.25 / 0.75), log(0.999999 / 0.000001)]
        for (got, want) in zip(logits, expected) { #expect(abs(Double(got) - want) < 1e-5) }
    }

    @Test func mathShepherdPoolingRowsBecomeLogitsOfThePlusToken() throws {
        let response = try JSONDecoder().decode(PoolingResponse.self, from: try fixture("vllm_pooling_shepherd"))
        #expect(response.data.count == 2)
        let logits = try PRMStyle.mathShepherd.logits(rows: response.data[0].data)
        #expect(abs(Double(logits[0]) - log(0.8 / 0.2)) < 1e-5)
        #expect(abs(Double(logits[1]) - log(0.3 / 0.7)) < 1e-5)
        #expect(try PRMStyle.mathShepherd.logits(rows: response.data[1].data) == [0])
    }

    @Test func probabilitiesOfZeroGiveFiniteScores() throws {
        let logits = try PRMStyle.qwen.logits(rows: [[1, 0], [0, 1], [0.3]])
        #expect(logits.allSatisfy { $0.isFinite })
        #expect(logits[0] < -60 && logits[1] > 60)
        #expect(abs(Double(logits[2]) - log(0.3 / 0.7)) < 1e-5)
        #expect(throws: ClientError.self) { try PRMStyle.qwen.logits(rows: [[]]) }
    }

    @Test func prmInputsMarkEveryStep() {
        let qwen = PRMStyle.qwen.input(problem: "1+1?", steps: ["a", "b"], paperText: "")
        #expect(qwen.components(separatedBy: "<extra_0>").count - 1 == 2)
        #expect(qwen.contains("<|im_start|>user\n1+1?<|im_end|>"))
        #expect(qwen.contains("<|im_start|>assistant\na<extra_0>b<extra_0><|im_end|>"))
        let shepherd = PRMStyle.mathShepherd.input(problem: "1+1?", steps: ["a", "b ки"], paperText: "")
        #expect(shepherd == "1+1? a ки\nb  ки")
        #expect(PRMStyle.e2h.input(problem: "q", steps: ["a"], paperText: "whole") == "whole")
    }

    @Test func requestsEncodeTheFieldsServersRead() throws {
        let request = CompletionRequest(model: "m", prompt: .texts(["hi"]), maxTokens: 5, n: 2, temperature: 0.5, topP: 0.9,
                                        topK: 20, seed: -3, stop: ["\n\n"], logprobs: 1, returnTokenIDs: true)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? [String: Any])
        #expect(object["prompt"] as? String == "hi")
        #expect(object["max_tokens"] as? Int == 5)
        #expect(object["top_k"] as? Int == 20)
        #expect(object["seed"] as? Int == -3)
        #expect(object["stop"] as? [String] == ["\n\n"])
        #expect(object["return_token_ids"] as? Bool == true)
        #expect(object["best_of"] == nil)  // rejected by current vLLM
    }
}
