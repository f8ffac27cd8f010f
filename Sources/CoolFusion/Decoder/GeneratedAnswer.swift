/// A complete answer written by one model alone (greedy), for the `single` and `rerank` methods.
public struct GeneratedAnswer: Sendable {
    /// The answer text (stop sequence and everything after it removed).
    public var text: String
    /// True when the model ended it with end-of-generation.
    public var endedByModel: Bool
    /// How many of the model's own tokens the answer took (end-of-generation excluded).
    public var tokenCount: Int

    public init(text: String, endedByModel: Bool, tokenCount: Int) {
        self.text = text
        self.endedByModel = endedByModel
        self.tokenCount = tokenCount
    }
}
