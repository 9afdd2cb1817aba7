// How a problem and a solution become text for a model: the paper's raw format, or a chat format
// (ChatML as SmolLM2 and Qwen2 use it, Llama 3's headers) recognised from the model's chat
// template. Full Jinja is not interpreted: a template is recognised by its markers and rendered by
// the code below; any other template is refused (docs/models.md lists what is recognised).

import Datasets
import Foundation

/// How a problem and a solution are laid out as text for the model.
public enum PromptFormat: String, Codable, Sendable, CaseIterable {
    /// The paper's raw format: `# Question\n\n{problem}\n\n# Solution\n\n{steps}\n\n# Answer\n\n{answer}`
    /// (PAPER.md, "Text format"); generation ends after the answer line.
    case paper
    /// ChatML: `<|im_start|>{role}\n{content}<|im_end|>\n` per message (SmolLM2, Qwen2).
    case chatml
    /// Llama 3: `<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>` per message.
    case llama3

    /// The prompt of a problem (chat formats: a user turn with ``ChatTemplate/mathInstruction``,
    /// no system prompt of the model's own; use ``ChatTemplate`` for that).
    public func prompt(problem: String) -> String {
        switch self {
        case .paper: SolutionFormat.prompt(problem: problem)
        case .chatml, .llama3: ChatTemplate(format: self).prompt(problem: problem)
        }
    }

    /// The completion of a worked solution.
    public func completion(steps: [String], answer: String) -> String {
        switch self {
        case .paper: SolutionFormat.completion(steps: steps, answer: answer)
        case .chatml, .llama3: ChatTemplate(format: self).completion(steps: steps, answer: answer)
        }
    }
}

/// One message of a conversation: the input of ``ChatTemplate/render(_:addGenerationPrompt:)``.
/// The HTTP wire type is `InferenceProtocol.ChatMessage` (lenient decoding, no engine dependency);
/// `e2h serve` converts in `Serving/ChatPrompt.swift`.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// "system", "user" or "assistant" (any role is rendered as given).
    public var role: String
    /// The text.
    public var content: String

    public init(role: String, content: String) { self.role = role; self.content = content }
}

/// A chat template the engine renders itself: the family and what the model's Jinja template adds
/// on its own (a default system prompt, Llama 3.1's date lines).
public struct ChatTemplate: Codable, Sendable, Equatable {
    /// `.chatml` or `.llama3`.
    public var format: PromptFormat
    /// The system message the template inserts when the conversation has none (SmolLM2: "You are
    /// a helpful AI assistant named SmolLM, ..."; Qwen2: "You are a helpful assistant."), or nil.
    public var defaultSystemPrompt: String?
    /// Text that starts every system message (Llama 3.1+: "Cutting Knowledge Date: ...\nToday
    /// Date: ...\n\n"); with it a system turn is always written.
    public var systemPreamble: String?

    enum CodingKeys: String, CodingKey {
        case format
        case defaultSystemPrompt = "default_system_prompt"
        case systemPreamble = "system_preamble"
    }

    /// The user-turn instruction of a math problem (as Qwen2.5-Math and most MATH evaluations use).
    public static let mathInstruction = "Please reason step by step, and put your final answer within \\boxed{}."

    public init(format: PromptFormat, defaultSystemPrompt: String? = nil, systemPreamble: String? = nil) {
        precondition(format != .paper, "ChatTemplate is for chat formats")
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
        self.systemPreamble = systemPreamble
    }

    /// The special token that ends a turn; with the EOS it ends a generation.
    public var endOfTurnToken: String { format == .llama3 ? "<|eot_id|>" : "<|im_end|>" }

    /// The conversation as the model's template writes it, after the BOS (the tokenizer adds the
    /// BOS where the model has one: ``Tokenizer/addsBOS``); with `addGenerationPrompt` the header
    /// of the assistant's turn follows.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var messages = messages
        if messages.first?.role != "system" {
            if let system = defaultSystemPrompt { messages.insert(ChatMessage(role: "system", content: system), at: 0) }
            else if systemPreamble != nil { messages.insert(ChatMessage(role: "system", content: ""), at: 0) }
        }
        var text = ""
        for (i, message) in messages.enumerated() {
            switch format {
            case .chatml:
                text += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
            case .llama3, .paper:
                var content = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
                if i == 0, message.role == "system", let preamble = systemPreamble { content = preamble + content }
                text += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n\(content)<|eot_id|>"
            }
        }
        if addGenerationPrompt {
            text += format == .chatml ? "<|im_start|>assistant\n" : "<|start_header_id|>assistant<|end_header_id|>\n\n"
        }
        return text
    }

    /// The prompt of a math problem: a user turn with the problem and ``mathInstruction``.
    public func prompt(problem: String) -> String {
        render([ChatMessage(role: "user", content: problem + "\n" + Self.mathInstruction)])
    }

    /// A worked solution as an assistant turn's text: the steps separated by blank lines, then the
    /// boxed answer (the tokenizer's EOS, which is the end-of-turn token of chat models, follows).
    public func completion(steps: [String], answer: String) -> String {
        (steps + ["The final answer is $\\boxed{\(answer)}$."]).joined(separator: "\n\n")
    }

    /// Recognises a Jinja chat template by its markers: `<|im_start|>` / `<|im_end|>` (ChatML),
    /// `<|start_header_id|>` / `<|eot_id|>` (Llama 3). The default system prompt is the literal
    /// system turn the template writes when the conversation has none.
    /// - Throws: ``ModelBundleError`` naming `file` and `field` for any other template.
    public static func recognise(_ source: String, file: String, field: String) throws -> ChatTemplate {
        if source.contains("<|im_start|>"), source.contains("<|im_end|>") {
            let system = firstMatch(#"<\|im_start\|>system(?:\\n|\n)([^'"+{}]+?)<\|im_end\|>"#, in: source)
            return ChatTemplate(format: .chatml, defaultSystemPrompt: system.map(unescape))
        }
        if source.contains("<|start_header_id|>"), source.contains("<|end_header_id|>"), source.contains("<|eot_id|>") {
            var preamble: String?
            if source.contains("Cutting Knowledge Date:") {
                let knowledge = firstMatch(#"Cutting Knowledge Date: ([A-Za-z]+ [0-9]{4})"#, in: source) ?? "December 2023"
                let today = firstMatch(#"date_string = "([^"]+)""#, in: source) ?? "26 Jul 2024"
                preamble = "Cutting Knowledge Date: \(knowledge)\nToday Date: \(today)\n\n"
            }
            return ChatTemplate(format: .llama3, systemPreamble: preamble)
        }
        let start = source.prefix(80).replacingOccurrences(of: "\n", with: "\\n")
        throw ModelBundleError(file: file, field: field, message:
            "the chat template (\"\(start)...\") is not one e2h recognises (ChatML with <|im_start|>/<|im_end|>, Llama 3 with "
            + "<|start_header_id|>/<|eot_id|>); pass --prompt-format paper, chatml or llama3 to choose one (docs/models.md)")
    }

    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    /// A Jinja string literal's `\n` escapes as newlines.
    private static func unescape(_ text: String) -> String { text.replacingOccurrences(of: "\\n", with: "\n") }
}
