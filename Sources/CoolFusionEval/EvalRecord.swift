import CoolFusion

/// One line of a method's results file: everything about one item under one method.
public struct EvalRecord: Sendable, Equatable, Codable {
    public var dataset: String
    public var task: EvalTask
    /// The column id (`MethodSpec.id`): a model name for a single model, else the method.
    public var method: String
    public var itemID: String
    public var subset: String?
    public var prompt: String
    public var output: String
    public var references: [String]
    /// The answer each metric extracted (absent: none found).
    public var extracted: [String: String]
    /// Score per metric, 0...1.
    public var scores: [String: Double]
    /// The primary metric's score is 1.
    public var correct: Bool
    public var outputTokens: [String: Int]
    public var generatedTokens: Int
    public var seconds: Double
    /// Each model's perplexity of the output given the prompt.
    public var perplexities: [String: Double]
    public var stopReason: String
    /// Segments of the output (step-by-step methods) and, for `gated`, how many were fused.
    public var segments: Int?
    public var fusedSegments: Int?
    /// For `gated`: the gate's view of each segment (fused or not, the leader's signals).
    public var gate: [GateTrace]?
    /// The weight bytes every model streamed generating the output (`Generation.weightBytes`).
    public var weightBytes: Double?

    enum CodingKeys: String, CodingKey {
        case dataset, task, method, subset, prompt, output, references, extracted, scores, correct, seconds,
             perplexities
        case itemID = "item_id"
        case outputTokens = "output_tokens"
        case generatedTokens = "generated_tokens"
        case stopReason = "stop_reason"
        case segments
        case fusedSegments = "fused_segments"
        case gate
        case weightBytes = "weight_bytes"
    }

    public init(dataset: String, task: EvalTask, method: String, item: EvalItem, prompt: String,
                generation: Generation, score: ItemScore, primaryMetric: String) {
        self.dataset = dataset
        self.task = task
        self.method = method
        self.itemID = item.id
        self.subset = item.subset
        self.prompt = prompt
        self.output = generation.text
        self.references = item.answers
        self.extracted = score.extracted
        self.scores = score.scores
        self.correct = (score.scores[primaryMetric] ?? 0) >= 1
        self.outputTokens = generation.outputTokens
        self.generatedTokens = generation.generatedTokens
        self.seconds = generation.seconds
        self.perplexities = generation.perplexities
        self.stopReason = generation.stopReason
        self.segments = generation.segments
        self.fusedSegments = generation.fusedSegments
        self.gate = generation.gate
        self.weightBytes = generation.weightBytes
    }

    /// The mean over models of their perplexities of the output (the paper's Eq. 3 score of the
    /// whole output); nil if no model could score it.
    public var meanPerplexity: Double? {
        perplexities.isEmpty ? nil : perplexities.values.reduce(0, +) / Double(perplexities.count)
    }
}
