import CoolFusion
import CoolFusionEngine
import CoolFusionGGUF
import CoolFusionLocal
import CoolFusionRemote
import CoolFusionTokenizers

/// A model loaded in this process, shared by all requests: weights, tokenizer and its package.
/// Each generation gets its own `EngineSourceModel` (its own KV cache) from `makeSourceModel()`.
public struct HostedModel: FusionMember {
    public let name: String
    public let model: Model
    public let tokenizer: Tokenizer
    public let package: TokenizerPackage
    public let splitter: PackagedWordSplitter

    /// - Parameter contextLength: caps the model's context (nil: the model's own).
    public init(path: String, name: String, contextLength: Int? = nil) throws {
        let file = try GGUFFile(path: path)
        self.name = name
        tokenizer = try Tokenizer(gguf: file)
        model = try Model(file: file, contextLength: contextLength, rounding: EngineSourceModel.rounding)
        package = TokenizerPackage.extract(from: file)
        splitter = PackagedWordSplitter(tokenizer: tokenizer, package: package)
    }

    public var contextLength: Int { model.contextLength }
    public var chatTemplateSource: String? { try? model.file.optionalString("tokenizer.chat_template") }
    public var isRemote: Bool { false }

    /// A fresh source model over the shared weights (empty cache).
    public func makeSourceModel() -> any SourceModel { makeEngineSourceModel() }

    /// The same, as its concrete type (for callers that need the engine's own operations).
    public func makeEngineSourceModel() -> EngineSourceModel {
        EngineSourceModel(name: name, tokenizer: tokenizer, model: model)
    }
}
