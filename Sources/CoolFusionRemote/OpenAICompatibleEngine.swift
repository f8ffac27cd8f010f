import CoolFusion
import CoolFusionTokenizers

/// An OpenAI-compatible serving engine that can score prompt tokens (vLLM, llama.cpp's server,
/// or our own worker's `/v1/completions`), used as a source model with a tokenizer given locally (a
/// GGUF with the model's vocabulary). Requirements on the engine: `/v1/completions` with `echo` and
/// `logprobs` (prompt log-probabilities), and either token-id prompts with vLLM's
/// `return_tokens_as_token_ids` (`PromptMode.tokenIDs`) or text prompts answered with `text_offset`
/// (`PromptMode.text`). docs/ENGINES.md says how to start each engine and what is sent.
public struct OpenAICompatibleEngine: Sendable {
    /// How prompts are sent to the engine.
    public enum PromptMode: String, Sendable, CaseIterable {
        /// Token ids, and token ids back (`return_tokens_as_token_ids`): the engine reads exactly our
        /// tokens. vLLM, our worker.
        case tokenIDs = "tokens"
        /// Text: the engine tokenizes it itself (adding BOS as its model wants); its tokens come back as
        /// text with offsets and are mapped onto ours by `EchoedText`. llama.cpp's server.
        case text
    }

    /// Name used in traces and errors.
    public let name: String
    /// The `model` field sent to the engine.
    public let remoteModel: String
    public let promptMode: PromptMode
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
    /// takes its context length from vLLM's `max_model_len` (else `contextLength`, else 4096). The
    /// member is called `name`, else the model's id reduced to a file name without `.gguf` (llama.cpp's
    /// server names its model by the file's path). Without `promptMode`, the engine is probed: token-id
    /// prompts when it scores them, else text prompts; one that scores neither is refused here, at
    /// start-up, rather than at its first request.
    public static func connect(url: String, package: TokenizerPackage, model: String? = nil, name: String? = nil,
                               contextLength: Int? = nil, timeout: Duration = .seconds(60),
                               promptMode: PromptMode? = nil) async throws -> OpenAICompatibleEngine {
        var client = WorkerClient(baseURL: url, workerName: name ?? model ?? url, timeout: timeout)
        let cards = try await client.call(.GET, "/v1/models", Optional<WorkerAPI.Open>.none, as: ModelCards.self,
                                          operation: "model list")
        guard let card = model.map({ wanted in cards.data.first { $0.id == wanted } }) ?? cards.data.first else {
            throw RemoteModelError.unsupported(worker: client.workerName, url: client.baseURL,
                                               what: "it serves no model named \(model ?? "(any)")")
        }
        let display = name ?? displayName(modelID: card.id)
        client.workerName = display
        let splitter: PackagedWordSplitter
        do { splitter = try PackagedWordSplitter(package: package) } catch {
            throw RemoteModelError.unsupported(worker: display, url: client.baseURL, what: "its tokenizer does not load: \(error)")
        }
        let mode: PromptMode
        if let promptMode {
            mode = promptMode
        } else {
            mode = try await probe(client: client, model: card.id, tokenizer: splitter.tokenizer)
        }
        return OpenAICompatibleEngine(name: display, remoteModel: card.id, promptMode: mode, package: package,
                                      splitter: splitter, contextLength: contextLength ?? card.maxModelLen ?? 4096,
                                      client: client)
    }

    /// A model id as a member name: a path (`/models/gemma-3-270m-q4_k_m.gguf`) becomes its file name
    /// without `.gguf`; any other id is kept.
    public static func displayName(modelID: String) -> String {
        var last = modelID.hasSuffix(".gguf") || modelID.hasPrefix("/") || modelID.hasPrefix(".")
            ? String(modelID.split(separator: "/").last ?? Substring(modelID)) : modelID
        if last.hasSuffix(".gguf") { last.removeLast(".gguf".count) }
        return last.isEmpty ? modelID : last
    }

    /// One echo + logprobs request in each mode, token ids first. A timeout or a lost connection is
    /// not a mode the engine lacks: it is thrown as it is.
    static func probe(client: WorkerClient, model: String, tokenizer: Tokenizer) async throws -> PromptMode {
        let text = "The sky is blue."
        let tokenProbe = OpenAIWire.CompletionRequest(
            model: model, prompt: .tokens(tokenizer.encodePrompt(text).map(Int.init)), maxTokens: 1, temperature: 0,
            echo: true, logprobs: 0, returnTokensAsTokenIds: true)
        let tokenFailure: String
        do {
            let answer = try await client.call(.POST, "/v1/completions", tokenProbe, as: OpenAIWire.CompletionResponse.self,
                                               operation: "token-id prompt probe")
            let labels = answer.choices.first?.logprobs?.tokens ?? []
            if !labels.isEmpty, labels.allSatisfy({ $0.hasPrefix("token_id:") }) { return .tokenIDs }
            tokenFailure = labels.isEmpty ? "no prompt log-probabilities" : "tokens not given as token ids"
        } catch let error as RemoteModelError {
            switch error {
            case .timedOut, .unreachable: throw error
            default: tokenFailure = error.description
            }
        }
        let textProbe = OpenAIWire.CompletionRequest(model: model, prompt: .text(text), maxTokens: 1, temperature: 0,
                                                     echo: true, logprobs: 0)
        let textFailure: String
        do {
            let answer = try await client.call(.POST, "/v1/completions", textProbe, as: OpenAIWire.CompletionResponse.self,
                                               operation: "text prompt probe")
            if let logprobs = answer.choices.first?.logprobs, let usage = answer.usage {
                do {
                    try EchoedText.checkBOSLeftOut(logprobs, usage: usage)
                    _ = try EchoedText.candidateLogProbs(logprobs, completionTokens: usage.completionTokens,
                                                         candidateScalars: " blue.".unicodeScalars.count, isFinal: false)
                    return .text
                } catch {
                    textFailure = error.reason
                }
            } else {
                textFailure = "no prompt log-probabilities or no usage"
            }
        } catch let error as RemoteModelError {
            switch error {
            case .timedOut, .unreachable: throw error
            default: textFailure = error.description
            }
        }
        throw RemoteModelError.unsupported(
            worker: client.workerName, url: client.baseURL,
            what: "it returns prompt log-probabilities (echo + logprobs) neither for token ids (\(tokenFailure)) "
                + "nor for text (\(textFailure)); see docs/ENGINES.md")
    }

    public func makeSourceModel() -> any SourceModel {
        OpenAICompatibleSourceModel(engine: self)
    }
}
