import CoolFusion

/// Request and response bodies of the OpenAI-compatible endpoints, as served by `coolfusion serve`
/// and `coolfusion worker` and as spoken to vLLM and llama.cpp's server by `OpenAICompatibleSourceModel`.
/// Keys are snake_case on the wire (`WireCoding`). Unknown request fields are ignored; known fields
/// of the wrong type are rejected by decoding.
public enum OpenAIWire {
    /// `prompt`: a string, a list of token ids, or a one-element list of strings.
    public enum Prompt: Codable, Sendable, Equatable {
        case text(String)
        case tokens([Int])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .text(text); return }
            if let tokens = try? container.decode([Int].self) { self = .tokens(tokens); return }
            if let texts = try? container.decode([String].self), texts.count == 1 { self = .text(texts[0]); return }
            throw DecodingError.typeMismatch(Prompt.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a string, a list of token ids, or a list of one string"))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .tokens(let tokens): try container.encode(tokens)
            }
        }
    }

    /// `stop`: a string or a list of strings.
    public struct Stop: Codable, Sendable, Equatable {
        public var sequences: [String]
        public init(_ sequences: [String]) { self.sequences = sequences }
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) { sequences = [one]; return }
            sequences = try container.decode([String].self)
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(sequences)
        }
    }

    public struct CompletionRequest: Codable, Sendable {
        public var model: String?
        public var prompt: Prompt
        public var maxTokens: Int?
        public var temperature: Double?
        public var topP: Double?
        public var seed: Int?
        public var stop: Stop?
        public var stream: Bool?
        public var echo: Bool?
        /// Number of top alternatives per token to return; presence asks for log-probabilities.
        public var logprobs: Int?
        public var n: Int?
        /// vLLM extension: `tokens` in log-probabilities are `token_id:N` strings.
        public var returnTokensAsTokenIds: Bool?
        /// CoolFusion extension: the request's task, to select with that task's calibrated weights.
        public var task: String?
        /// CoolFusion extensions: the fusion method and selection rule of this request (default: the server's).
        public var method: String?
        public var selection: String?
        /// CoolFusion extensions for `gated`: the leader (a model's name), the confidence signal and the
        /// threshold of this request (default: the server's gate, or the task's).
        public var leader: String?
        public var gateSignal: String?
        public var gateThreshold: Double?

        public init(model: String? = nil, prompt: Prompt, maxTokens: Int? = nil, temperature: Double? = nil,
                    stop: Stop? = nil, echo: Bool? = nil, logprobs: Int? = nil, returnTokensAsTokenIds: Bool? = nil,
                    stream: Bool? = nil, task: String? = nil) {
            self.stream = stream
            self.task = task
            self.model = model
            self.prompt = prompt
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.stop = stop
            self.echo = echo
            self.logprobs = logprobs
            self.returnTokensAsTokenIds = returnTokensAsTokenIds
        }
    }

    /// Per-token log-probabilities in the legacy completions shape (vLLM's `echo` puts the prompt's
    /// tokens first, the first one with a null log-probability).
    public struct Logprobs: Codable, Sendable, Equatable {
        public var textOffset: [Int]
        public var tokenLogprobs: [Double?]
        public var tokens: [String]
        public var topLogprobs: [[String: Double]?]

        public init(textOffset: [Int] = [], tokenLogprobs: [Double?] = [], tokens: [String] = [],
                    topLogprobs: [[String: Double]?] = []) {
            self.textOffset = textOffset
            self.tokenLogprobs = tokenLogprobs
            self.tokens = tokens
            self.topLogprobs = topLogprobs
        }
    }

    public struct CompletionChoice: Codable, Sendable {
        public var index: Int
        public var text: String
        public var logprobs: Logprobs?
        public var finishReason: String?
        public init(index: Int = 0, text: String, logprobs: Logprobs? = nil, finishReason: String?) {
            self.index = index
            self.text = text
            self.logprobs = logprobs
            self.finishReason = finishReason
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int
        public init(promptTokens: Int, completionTokens: Int) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.totalTokens = promptTokens + completionTokens
        }
    }

    /// What every answer shares (a completion, a chat completion, or one streamed chunk of either)
    /// around its kind's choices.
    public struct Envelope<Choice: Codable & Sendable>: Codable, Sendable {
        public var id: String
        /// `text_completion`, `chat.completion` or `chat.completion.chunk`.
        public var object: String
        public var created: Int
        public var model: String
        public var choices: [Choice]
        /// In a whole answer and in a stream's last event; nil in the other events.
        public var usage: Usage?
        public var coolFusion: CoolFusionInfo?

        public init(id: String, object: String, created: Int, model: String, choices: [Choice], usage: Usage?,
                    coolFusion: CoolFusionInfo? = nil) {
            self.id = id
            self.object = object
            self.created = created
            self.model = model
            self.choices = choices
            self.usage = usage
            self.coolFusion = coolFusion
        }
    }

    /// A completion, whole or as one streamed event (both are `text_completion` objects).
    public typealias CompletionResponse = Envelope<CompletionChoice>
    /// A whole chat completion.
    public typealias ChatResponse = Envelope<ChatChoice>
    /// One server-sent event of a streamed chat completion (`chat.completion.chunk`).
    public typealias ChatChunk = Envelope<ChunkChoice>

    // MARK: Chat

    /// `content`: a string or a list of parts of which the `text` ones are joined.
    public struct MessageContent: Codable, Sendable, Equatable {
        public var text: String
        public init(_ text: String) { self.text = text }
        struct Part: Codable { var type: String; var text: String? }
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { text = ""; return }
            if let text = try? container.decode(String.self) { self.text = text; return }
            let parts = try container.decode([Part].self)
            text = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }
    }

    public struct ChatMessage: Codable, Sendable, Equatable {
        public var role: String
        public var content: MessageContent
        public init(role: String, content: String) {
            self.role = role
            self.content = MessageContent(content)
        }
    }

    public struct ChatRequest: Codable, Sendable {
        public var model: String?
        public var messages: [ChatMessage]
        public var maxTokens: Int?
        public var maxCompletionTokens: Int?
        public var temperature: Double?
        public var topP: Double?
        public var seed: Int?
        public var stop: Stop?
        public var stream: Bool?
        public var n: Int?
        /// CoolFusion extension: the request's task, to select with that task's calibrated weights.
        public var task: String?
        /// CoolFusion extensions: the fusion method and selection rule of this request (default: the server's).
        public var method: String?
        public var selection: String?
        /// CoolFusion extensions for `gated`: the leader (a model's name), the confidence signal and the
        /// threshold of this request (default: the server's gate, or the task's).
        public var leader: String?
        public var gateSignal: String?
        public var gateThreshold: Double?
    }

    public struct AssistantMessage: Codable, Sendable {
        public var role: String
        public var content: String
        public init(content: String) {
            role = "assistant"
            self.content = content
        }
    }

    public struct ChatChoice: Codable, Sendable {
        public var index: Int
        public var message: AssistantMessage
        public var finishReason: String
        public init(index: Int, message: AssistantMessage, finishReason: String) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }
    }

    public struct Delta: Codable, Sendable {
        public var role: String?
        public var content: String?
        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public struct ChunkChoice: Codable, Sendable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?
        public init(index: Int, delta: Delta, finishReason: String?) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }
    }

    /// The fusion's own part of an answer: the method, the models and what each step chose.
    public struct CoolFusionInfo: Codable, Sendable {
        public var method: String
        public var models: [String]
        /// Committed segments so far (one per event when streaming, all of them at the end).
        public var segments: [FusionSegment]?
        public var stats: FusionStats?
        /// Each model's own token counts (`usage` counts the first model's tokens).
        public var promptTokensPerModel: [Int]?
        /// Workers dropped after failing (`--drop-failed-workers`), with the reason.
        public var droppedModels: [String]?
        public var warnings: [String]?
        /// For gated fusion: the leader (an index into `models`), signal and threshold it ran with.
        public var gate: GateSettings?

        public init(method: String, models: [String], segments: [FusionSegment]? = nil, stats: FusionStats? = nil,
                    promptTokensPerModel: [Int]? = nil, droppedModels: [String]? = nil, warnings: [String]? = nil,
                    gate: GateSettings? = nil) {
            self.method = method
            self.models = models
            self.segments = segments
            self.stats = stats
            self.promptTokensPerModel = promptTokensPerModel
            self.droppedModels = droppedModels
            self.warnings = warnings
            self.gate = gate
        }
    }

    public struct ModelList: Codable, Sendable {
        public struct Entry: Codable, Sendable {
            public var id: String
            public var object: String
            public var created: Int
            public var ownedBy: String
            public init(id: String, object: String, created: Int, ownedBy: String) {
                self.id = id
                self.object = object
                self.created = created
                self.ownedBy = ownedBy
            }
        }
        public var object: String
        public var data: [Entry]
        public init(object: String, data: [Entry]) {
            self.object = object
            self.data = data
        }
    }
}

extension OpenAIWire.Envelope where Choice == OpenAIWire.CompletionChoice {
    public init(id: String, created: Int, model: String, choices: [OpenAIWire.CompletionChoice], usage: OpenAIWire.Usage?,
                coolFusion: OpenAIWire.CoolFusionInfo? = nil) {
        self.init(id: id, object: "text_completion", created: created, model: model, choices: choices, usage: usage,
                  coolFusion: coolFusion)
    }
}
