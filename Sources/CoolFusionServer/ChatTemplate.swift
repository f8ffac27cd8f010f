import CoolFusionRemote
import Foundation

/// How one source model formats a conversation: the chat families in use, recognised from the text of
/// the model's GGUF `tokenizer.chat_template` (we do not run Jinja; each family's layout is built in).
///
/// A model without a template, or with one we do not recognise, gets `plain`:
///
///     {system}\n\n            (only if there is a system message)
///     User: {user}\n\n
///     Assistant: {assistant}\n\n
///     ...
///     Assistant:
///
/// and generation also stops at `\nUser:` (such a model has no end-of-turn token to stop at).
/// BOS is never written here: the model's tokenizer adds it when the model wants one.
public enum ChatTemplate: Sendable, Equatable {
    /// `<|im_start|>role\n…<|im_end|>\n` (Qwen, SmolLM). Some templates insert a default system
    /// message when the conversation has none; it is read from the template text.
    case chatML(defaultSystem: String?)
    /// `<start_of_turn>user\n…<end_of_turn>\n<start_of_turn>model\n`; a system message is put before the
    /// first user message.
    case gemma
    /// `<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>`.
    case llama3
    /// `<|role|>\n…<|end|>\n` … `<|assistant|>\n`.
    case phi3
    /// `[INST] … [/INST]` with a system message put before the first user message; answers end in `</s>`.
    case mistral
    /// The documented fallback above.
    case plain

    /// The family of a template text, and a warning when it falls back to `plain`.
    public static func detect(_ template: String?, modelName: String) -> (template: ChatTemplate, warning: String?) {
        guard let template, !template.isEmpty else {
            return (.plain, "model \(modelName) has no chat template; using the plain 'User:/Assistant:' format")
        }
        if template.contains("<|im_start|>") { return (.chatML(defaultSystem: defaultChatMLSystem(template)), nil) }
        if template.contains("<start_of_turn>") { return (.gemma, nil) }
        if template.contains("<|start_header_id|>") { return (.llama3, nil) }
        if template.contains("<|assistant|>") && template.contains("<|end|>") { return (.phi3, nil) }
        if template.contains("[INST]") { return (.mistral, nil) }
        return (.plain, "model \(modelName) has a chat template of an unknown family; using the plain 'User:/Assistant:' format")
    }

    /// The literal default system message of a ChatML template (`'<|im_start|>system\nYou are …<|im_end|>'`
    /// written as one string literal), if it has one.
    static func defaultChatMLSystem(_ template: String) -> String? {
        let pattern = #"<\|im_start\|>system(?:\\n|\n)([^'"<{}+]+)<\|im_end\|>"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: template, range: NSRange(template.startIndex..., in: template)),
              let range = Range(match.range(at: 1), in: template) else { return nil }
        return String(template[range]).replacingOccurrences(of: "\\n", with: "\n")
    }

    /// The family's name as startup logs print it.
    public var displayName: String {
        switch self {
        case .chatML: "ChatML"
        case .gemma: "Gemma"
        case .llama3: "Llama 3"
        case .phi3: "Phi-3"
        case .mistral: "Mistral"
        case .plain: "plain 'User:/Assistant:'"
        }
    }

    /// Stop sequences the format needs besides the model's end-of-turn token.
    public var stopSequences: [String] {
        self == .plain ? ["\nUser:"] : []
    }

    /// The prompt for `messages`, ending where the assistant's answer begins.
    public func render(_ messages: [OpenAIWire.ChatMessage]) -> String {
        switch self {
        case .chatML(let defaultSystem):
            var out = ""
            if messages.first?.role != "system", let defaultSystem {
                out += "<|im_start|>system\n\(defaultSystem)<|im_end|>\n"
            }
            for message in messages { out += "<|im_start|>\(message.role)\n\(message.content.text)<|im_end|>\n" }
            return out + "<|im_start|>assistant\n"
        case .gemma:
            var out = ""
            for (role, text) in Self.systemFolded(messages) {
                out += "<start_of_turn>\(role == "assistant" ? "model" : role)\n\(text)<end_of_turn>\n"
            }
            return out + "<start_of_turn>model\n"
        case .llama3:
            var out = ""
            for message in messages {
                out += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n\(message.content.text)<|eot_id|>"
            }
            return out + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        case .phi3:
            var out = ""
            for message in messages { out += "<|\(message.role)|>\n\(message.content.text)<|end|>\n" }
            return out + "<|assistant|>\n"
        case .mistral:
            var out = ""
            for (role, text) in Self.systemFolded(messages) {
                out += role == "assistant" ? "\(text)</s>" : "[INST] \(text) [/INST]"
            }
            return out
        case .plain:
            var out = ""
            for message in messages {
                switch message.role {
                case "system": out += "\(message.content.text)\n\n"
                case "assistant": out += "Assistant: \(message.content.text)\n\n"
                default: out += "User: \(message.content.text)\n\n"
                }
            }
            return out + "Assistant:"
        }
    }

    /// Messages with system text moved into the first user message (for formats without a system role).
    static func systemFolded(_ messages: [OpenAIWire.ChatMessage]) -> [(role: String, text: String)] {
        var system: [String] = []
        var out: [(role: String, text: String)] = []
        for message in messages {
            if message.role == "system" {
                system.append(message.content.text)
            } else if message.role == "user", !system.isEmpty {
                out.append(("user", system.joined(separator: "\n\n") + "\n\n" + message.content.text))
                system = []
            } else {
                out.append((message.role, message.content.text))
            }
        }
        if !system.isEmpty { out.insert(("user", system.joined(separator: "\n\n")), at: 0) }
        return out
    }
}
