import CoolFusion

/// What the harness asks of a generator: a prompt, where to stop, a budget, and the method.
public struct GenerationRequest: Sendable, Equatable {
    public var prompt: String
    public var stopSequences: [String]
    public var maxTokens: Int
    public var method: MethodSpec
    /// What other columns already generated for the same item (same prompt, stops and budget), by
    /// column id, so a method built on them (rerank on the singles' answers) need not redo them.
    public var earlier: [String: Generation]
    /// The item's subset (task) in a mixed benchmark, for methods whose weights depend on it.
    public var subset: String?

    public init(prompt: String, stopSequences: [String], maxTokens: Int, method: MethodSpec,
                earlier: [String: Generation] = [:], subset: String? = nil) {
        self.prompt = prompt
        self.stopSequences = stopSequences
        self.maxTokens = maxTokens
        self.method = method
        self.earlier = earlier
        self.subset = subset
    }
}

/// What a generator returns for one request.
public struct Generation: Sendable, Equatable {
    /// The output text (stop sequence and what follows removed).
    public var text: String
    /// Tokens of the output in each model's own tokenization, by model name (models that
    /// took part in producing it).
    public var outputTokens: [String: Int]
    /// Greedy decoding steps spent, over all models (the cost of the method).
    public var generatedTokens: Int
    /// Seconds spent generating (scoring the output's perplexities excluded).
    public var seconds: Double
    /// Every model's perplexity of the output given the prompt, by model name; a model that
    /// cannot score it (no tokens) is absent.
    public var perplexities: [String: Double]
    /// Why generation stopped (`end-of-generation`, `stop-sequence`, `max-tokens`).
    public var stopReason: String
    /// For step-by-step methods: the segments of the output and, for `gated`, how many were fused.
    public var segments: Int?
    public var fusedSegments: Int?
    /// For `gated`: what the gate saw at each segment (the leader's confidence under every signal).
    public var gate: [GateTrace]?
    /// The weight bytes every model streamed generating it (forward passes times the bytes a pass
    /// reads), the same span as `seconds`; nil where not measured (remote models, scripted generators).
    public var weightBytes: Double?

    public init(text: String, outputTokens: [String: Int], generatedTokens: Int, seconds: Double,
                perplexities: [String: Double], stopReason: String, segments: Int? = nil, fusedSegments: Int? = nil,
                gate: [GateTrace]? = nil, weightBytes: Double? = nil) {
        self.text = text
        self.outputTokens = outputTokens
        self.generatedTokens = generatedTokens
        self.seconds = seconds
        self.perplexities = perplexities
        self.stopReason = stopReason
        self.segments = segments
        self.fusedSegments = fusedSegments
        self.gate = gate
        self.weightBytes = weightBytes
    }

    /// The generation a results-file line recorded.
    public init(record: EvalRecord) {
        self.init(text: record.output, outputTokens: record.outputTokens, generatedTokens: record.generatedTokens,
                  seconds: record.seconds, perplexities: record.perplexities, stopReason: record.stopReason,
                  segments: record.segments, fusedSegments: record.fusedSegments, gate: record.gate,
                  weightBytes: record.weightBytes)
    }
}

/// Something that answers prompts with a method over a fixed list of models: the fusion decoder
/// over real models (`FusionEvalGenerator`), or a scripted one in tests.
public protocol EvalGenerator: Sendable {
    /// The models, in order; `single` columns name one of them.
    var modelNames: [String] { get }
    /// Rejects methods or options it cannot run, before any item is generated.
    func validate(_ method: MethodSpec) throws
    /// Reads `prompt` into every model before an item's columns run (untimed), so every column starts
    /// from the same state and its seconds do not depend on its place among the columns.
    func readPrompt(_ prompt: String) async throws
    func generate(_ request: GenerationRequest) async throws -> Generation
}

extension EvalGenerator {
    /// Generators without a prompt cache have nothing to read ahead.
    public func readPrompt(_ prompt: String) async throws {}
}
