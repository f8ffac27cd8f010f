/// Why a generation stopped.
public enum StopReason: String, Sendable, Codable {
    /// The winning segment was final (its model emitted end-of-generation).
    case endOfGeneration = "end-of-generation"
    /// A stop sequence appeared in the generated text.
    case stopSequence = "stop-sequence"
    /// A model's committed continuation reached the token budget.
    case maxTokens = "max-tokens"
}
