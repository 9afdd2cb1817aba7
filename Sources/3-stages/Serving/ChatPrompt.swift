// Chat messages to a prompt: the model's chat template (ChatML, Llama 3) where it has one; for the
// paper's raw format, which has no roles, the last user message is the problem.

import InferenceProtocol
import Training

/// Turns chat messages into the prompt text the model continues.
public enum ChatPrompt {
    /// The prompt for `messages` in `format`, rendered by `template` for a chat format.
    /// - `.paper`: the last user message is the problem (the paper's raw format has no roles).
    /// - Throws: ``ServeError`` (400) when there is no user message.
    public static func render(_ messages: [InferenceProtocol.ChatMessage], format: PromptFormat,
                              template: ChatTemplate? = nil) throws -> String {
        guard let problem = messages.last(where: { $0.role == "user" })?.content else {
            throw ServeError.badRequest("messages has no message with role \"user\"", param: "messages")
        }
        if format != .paper, let template {
            return template.render(messages.map { Training.ChatMessage(role: $0.role, content: $0.content) },
                                   addGenerationPrompt: true)
        }
        return format.prompt(problem: problem)
    }
}
