import CoolFusion
import CoolFusionRemote
import CoolFusionTokenizers

/// One source model of the served fusion, wherever it runs: in this process, behind a
/// `coolfusion worker`, or in an OpenAI-compatible engine. Loaded once; `makeSourceModel()` gives a
/// fresh per-generation model (its own cache or remote session).
public struct FusionMember: Sendable {
    public enum Backend: Sendable {
        case local(HostedModel)
        case worker(RemoteWorker)
        case engine(OpenAICompatibleEngine)
    }

    public let backend: Backend
    public let chatTemplate: ChatTemplate
    /// Set when the model falls back to the plain chat format.
    public let templateWarning: String?

    public init(_ backend: Backend) {
        self.backend = backend
        let template: String?
        switch backend {
        case .local(let hosted): template = hosted.chatTemplate
        case .worker(let worker): template = worker.package.chatTemplate()
        case .engine(let engine): template = engine.package.chatTemplate()
        }
        let detected = ChatTemplate.detect(template, modelName: Self.name(of: backend))
        chatTemplate = detected.template
        templateWarning = detected.warning
    }

    public var name: String { Self.name(of: backend) }

    static func name(of backend: Backend) -> String {
        switch backend {
        case .local(let hosted): return hosted.name
        case .worker(let worker): return worker.name
        case .engine(let engine): return engine.name
        }
    }

    public var splitter: PackagedWordSplitter {
        switch backend {
        case .local(let hosted): return hosted.splitter
        case .worker(let worker): return worker.splitter
        case .engine(let engine): return engine.splitter
        }
    }

    public var tokenizer: Tokenizer { splitter.tokenizer }

    public var contextLength: Int {
        switch backend {
        case .local(let hosted): return hosted.contextLength
        case .worker(let worker): return worker.info.contextLength
        case .engine(let engine): return engine.contextLength
        }
    }

    /// Whether the model lives behind HTTP (and so may fail independently of this process).
    public var isRemote: Bool {
        if case .local = backend { return false }
        return true
    }

    /// Prompt tokens as the model will see them (BOS included when it wants one, chat markup parsed).
    public func promptTokenCount(_ prompt: String) -> Int {
        let vocabulary = tokenizer.vocabulary
        return (vocabulary.addBOS && vocabulary.bosID != nil ? 1 : 0) + tokenizer.encode(prompt, parseSpecial: true).count
    }

    public func makeSourceModel() -> any SourceModel {
        switch backend {
        case .local(let hosted): return hosted.makeSourceModel()
        case .worker(let worker): return worker.makeSourceModel()
        case .engine(let engine): return engine.makeSourceModel()
        }
    }
}
