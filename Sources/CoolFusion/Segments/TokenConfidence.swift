/// How sure a model was at one generation step, read off its next-token distribution: the signals a
/// gate can use to decide whether the model's segment needs the other models (docs/SELECTION.md).
///
/// All values are natural logs. Backends that return only a few top log-probabilities (OpenAI-style
/// engines) leave `entropy` nil; one that returns only the chosen token leaves `secondLogProb` nil too.
public struct TokenConfidence: Sendable, Equatable, Codable {
    /// log p of the most probable token.
    public var topLogProb: Float
    /// log p of the second most probable token.
    public var secondLogProb: Float?
    /// Entropy of the whole distribution, in nats.
    public var entropy: Float?

    public init(topLogProb: Float, secondLogProb: Float? = nil, entropy: Float? = nil) {
        self.topLogProb = topLogProb
        self.secondLogProb = secondLogProb
        self.entropy = entropy
    }

    /// `log p(top) - log p(second)`: how far ahead the chosen token was (+infinity when unknown).
    public var margin: Float {
        guard let secondLogProb else { return .infinity }
        return topLogProb - secondLogProb
    }
}
