import Foundation

/// The result of scoring one candidate continuation from a session's state.
public struct CandidateScore {
    /// The candidate's tokens.
    public let tokens: [Int32]
    /// log p(token k | state, tokens before k), one per token, natural log.
    public let logProbabilities: [Float]
    /// Next-token logits [V] after the candidate's last token.
    public let logits: [Float]
    /// A session positioned after the candidate; `commit` it into its parent to adopt it without
    /// recomputing anything. It shares the parent's cached prefix.
    public let session: Session

    /// Sum of the log-probabilities.
    public var totalLogProbability: Float { logProbabilities.reduce(0, +) }

    /// exp(mean negative log-likelihood) of the candidate's tokens.
    public var perplexity: Double {
        guard !logProbabilities.isEmpty else { return 1 }
        return exp(-Double(totalLogProbability) / Double(logProbabilities.count))
    }
}
