// Chat messages to a prompt. A small adapter until model bundles carry chat formats: the lead can
// swap `render` for the bundle's own chat rendering in one line.

import InferenceProtocol
import Training

/// Turns chat messages into the prompt text the model continues.
public enum ChatPrompt {
    /// The prompt for `messages` in `format`.
    /// - `.paper`: the last user message is the problem (the paper's raw format has no roles).
    /// - Throws: ``ServeError`` (400) when there is no user message.
    public static func render(_ messages: [ChatMessage], format: PromptFormat) throws -> String {
        guard let problem = messages.last(where: { $0.role == "user" })?.content else {
            throw ServeError.badRequest("messages has no message with role \"user\"", param: "messages")
        }
        return format.prompt(problem: problem)
    }
}
