import Foundation
import Testing
import Training

struct ChatTemplateTests {
    static let smolLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    @Test func chatMLWithDefaultSystemPrompt() throws {
        let t = try ChatTemplate.recognise(Self.smolLM2, file: "f", field: "chat_template")
        #expect(t.format == .chatml)
        #expect(t.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        #expect(t.render([ChatMessage(role: "user", content: "What is 2+2?")]) ==
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n")
        // A system message of the conversation replaces the default.
        #expect(t.render([ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "U")], addGenerationPrompt: false)
            == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n")
    }

    @Test func qwenStyleEscapedNewlines() throws {
        // tokenizer_config.json keeps `\n` escaped inside Jinja string literals.
        let source = #"{% if messages[0]['role'] == 'system' %}{{ '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{% else %}{{ '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}{% endif %}"#
        let t = try ChatTemplate.recognise(source, file: "f", field: "chat_template")
        #expect(t.defaultSystemPrompt == "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
    }

    @Test func llama3AndLlama31() throws {
        let plain = try ChatTemplate.recognise("{{ bos_token }}<|start_header_id|>{{ role }}<|end_header_id|>\n\n{{ content }}<|eot_id|>", file: "f", field: "t")
        #expect(plain.format == .llama3 && plain.systemPreamble == nil)
        #expect(plain.render([ChatMessage(role: "user", content: " hi ")]) ==
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        let dated = try ChatTemplate.recognise(#"{%- set date_string = "26 Jul 2024" %}<|start_header_id|>system<|end_header_id|>Cutting Knowledge Date: December 2023<|eot_id|>"#, file: "f", field: "t")
        #expect(dated.render([ChatMessage(role: "user", content: "hi")], addGenerationPrompt: false) ==
            "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
    }

    @Test func unknownTemplateIsRefusedNamingTheFieldAndTheFlag() {
        do {
            _ = try ChatTemplate.recognise("{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}", file: "/m/tokenizer_config.json", field: "chat_template")
            Issue.record("accepted an unknown template")
        } catch let error as ModelBundleError {
            #expect(error.file == "/m/tokenizer_config.json" && error.field == "chat_template")
            #expect(error.message.contains("--prompt-format"))
        } catch { Issue.record("\(error)") }
    }

    @Test func mathPromptAndCompletion() {
        let t = ChatTemplate(format: .chatml)
        #expect(t.prompt(problem: "1+1?") == "<|im_start|>user\n1+1?\n\(ChatTemplate.mathInstruction)<|im_end|>\n<|im_start|>assistant\n")
        #expect(t.completion(steps: ["a", "b"], answer: "2") == "a\n\nb\n\nThe final answer is $\\boxed{2}$.")
        #expect(PromptFormat.paper.prompt(problem: "x") == "# Question\n\nx\n\n# Solution\n\n")
    }
}
