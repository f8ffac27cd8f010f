import CoolFusion
import CoolFusionRemote
import CoolFusionTokenizers

/// One source model the server fuses, wherever it runs: loaded in this process (`HostedModel`),
/// behind a `coolfusion worker` (`RemoteWorker`), in an OpenAI-compatible engine
/// (`OpenAICompatibleEngine`), or a backend of one's own. Loaded once; `makeSourceModel()` gives a
/// fresh model for each generation (its own cache or remote session).
///
/// A member of one's own needs only a `SourceModel` per generation and a tokenizer package (the
/// GGUF's vocabulary, `TokenizerPackage.extract(from:)`), which workers need to split text into this
/// model's words.
public protocol FusionMember: Sendable {
    /// The name in traces, `/v1/models`, `/health` and calibration files.
    var name: String { get }
    /// This model's word splitter, with the tokenizer package it comes from.
    var splitter: PackagedWordSplitter { get }
    /// The most tokens a generation may hold (prompt and continuation).
    var contextLength: Int { get }
    /// The model's chat template as its GGUF file has it (`tokenizer.chat_template`), if any.
    var chatTemplateSource: String? { get }
    /// Whether the model lives behind HTTP (and so may fail independently of this process).
    var isRemote: Bool { get }
    /// A fresh source model for one generation.
    func makeSourceModel() -> any SourceModel
    /// Whether the member answers, for a member that can fail on its own (a worker); nil for one that
    /// cannot (a model in this process).
    var reachability: WorkerHealth? { get }
}

extension FusionMember {
    public var reachability: WorkerHealth? { nil }

    public var tokenizer: Tokenizer { splitter.tokenizer }

    /// Prompt tokens as the model will see them (BOS included when it wants one, chat markup parsed).
    public func promptTokenCount(_ prompt: String) -> Int { tokenizer.promptTokenCount(prompt) }

    /// The chat format the server writes conversations in for this model, and a warning when it falls
    /// back to the plain `User:/Assistant:` format.
    public var chatFormat: (template: ChatTemplate, warning: String?) {
        ChatTemplate.detect(chatTemplateSource, modelName: name)
    }
}

extension RemoteWorker: FusionMember {
    public var contextLength: Int { info.contextLength }
    public var chatTemplateSource: String? { package.chatTemplate() }
    public var isRemote: Bool { true }
    public var reachability: WorkerHealth? { health }
}

extension OpenAICompatibleEngine: FusionMember {
    public var chatTemplateSource: String? { package.chatTemplate() }
    public var isRemote: Bool { true }
}
