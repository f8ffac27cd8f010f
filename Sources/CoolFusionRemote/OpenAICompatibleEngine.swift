import CoolFusion
import CoolFusionTokenizers

/// An OpenAI-compatible serving engine that can score prompt tokens (vLLM, SGLang, or our own
/// worker's `/v1/completions`), used as a source model with a tokenizer given locally (a GGUF with the
/// model's vocabulary). Requirements on the engine: `/v1/completions` accepting token-id prompts,
/// `echo` with `logprobs` (prompt log-probabilities), and vLLM's `return_tokens_as_token_ids`.
public struct OpenAICompatibleEngine: Sendable {
    /// Name used in traces and errors.
    public let name: String
    /// The `model` field sent to the engine.
    public let remoteModel: String
    public let package: TokenizerPackage
    public let splitter: PackagedWordSplitter
    public let contextLength: Int
    public let client: WorkerClient

    public var tokenizer: Tokenizer { splitter.tokenizer }

    struct ModelCard: Decodable {
        var id: String
        var maxModelLen: Int?
    }

    struct ModelCards: Decodable {
        var data: [ModelCard]
    }

    /// Looks the model up in the engine's `/v1/models` (the first one unless `model` names one) and
    /// takes its context length from vLLM's `max_model_len` (else `contextLength`, else 4096).
    public static func connect(url: String, package: TokenizerPackage, model: String? = nil, name: String? = nil,
                               contextLength: Int? = nil, timeout: Duration = .seconds(60)) async throws -> OpenAICompatibleEngine {
        var client = WorkerClient(baseURL: url, workerName: name ?? model ?? url, timeout: timeout)
        let cards = try await client.call(.GET, "/v1/models", Optional<WorkerAPI.Open>.none, as: ModelCards.self,
                                          operation: "model list")
        guard let card = model.map({ wanted in cards.data.first { $0.id == wanted } }) ?? cards.data.first else {
            throw RemoteModelError.unsupported(worker: client.workerName, url: client.baseURL,
                                               what: "it serves no model named \(model ?? "(any)")")
        }
        let display = name ?? card.id
        client.workerName = display
        let splitter: PackagedWordSplitter
        do { splitter = try PackagedWordSplitter(package: package) } catch {
            throw RemoteModelError.unsupported(worker: display, url: client.baseURL, what: "its tokenizer does not load: \(error)")
        }
        return OpenAICompatibleEngine(name: display, remoteModel: card.id, package: package, splitter: splitter,
                                      contextLength: contextLength ?? card.maxModelLen ?? 4096, client: client)
    }

    public func makeSourceModel() -> any SourceModel {
        OpenAICompatibleSourceModel(engine: self)
    }
}
