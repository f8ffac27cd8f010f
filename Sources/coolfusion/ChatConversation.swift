import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import Foundation

/// The state of a `coolfusion chat` session: the messages so far, the method and rule the next turn
/// uses, and what the last turn did (for `/trace` and `/prompt`). Each model reads the conversation in
/// its own chat template, as `serve` renders it.
struct ChatConversation {
    let models: [any SourceModel]
    let templates: [ChatTemplate]
    var messages: [OpenAIWire.ChatMessage] = []
    var options: FusionOptions
    /// Each model's prompt of the last turn, in model order.
    var lastPrompts: [String] = []
    var lastResult: FusionResult?

    /// Each model's prompt for the conversation with `user` added, ending where the answer begins.
    func prompts(adding user: String) -> [String] {
        let next = messages + [OpenAIWire.ChatMessage(role: "user", content: user)]
        return templates.map { $0.render(next) }
    }

    /// The stop sequences of the templates (the plain layout's `\nUser:`), each once.
    var stops: [String] {
        var stops: [String] = []
        for template in templates { for stop in template.stopSequences where !stops.contains(stop) { stops.append(stop) } }
        return stops
    }

    /// A decoder for the next turn with the current settings (throws when they do not fit the models,
    /// e.g. `single` with several models).
    func decoder() throws -> FusionDecoder {
        var options = options
        options.stopSequences = stops
        return try FusionDecoder(models: models, options: options)
    }

    /// Records a finished turn: the user's message and the answer become part of the conversation.
    mutating func record(user: String, prompts: [String], result: FusionResult) {
        messages.append(OpenAIWire.ChatMessage(role: "user", content: user))
        // The answer without the spaces and line breaks models put around it: the next turn's
        // template supplies its own layout.
        messages.append(OpenAIWire.ChatMessage(role: "assistant",
                                               content: result.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        lastPrompts = prompts
        lastResult = result
    }

    mutating func reset() {
        messages = []
        lastPrompts = []
        lastResult = nil
    }
}
