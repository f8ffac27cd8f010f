import Foundation

/// One model's assessment of one candidate (the paper's M3): its tokens' mean negative log-likelihood
/// under the model, from the model's current state.
public struct CandidateAssessment: Sendable, Equatable {
    /// Tokens the candidate has in this model's own tokenization (end-of-generation included for a final one).
    public var tokenCount: Int
    /// Sum over those tokens of -log p(token | state, preceding candidate tokens), natural log.
    public var totalNLL: Double

    public init(tokenCount: Int, totalNLL: Double) {
        self.tokenCount = tokenCount
        self.totalNLL = totalNLL
    }

    /// Builds an assessment from per-token log-probabilities.
    public init(logProbs: [Float]) {
        self.init(tokenCount: logProbs.count, totalNLL: logProbs.reduce(0.0) { $0 - Double($1) })
    }

    /// An assessment known only by its perplexity (e.g. recorded by an earlier run), as one token
    /// with that NLL: `meanNLL` and `perplexity` are exact, `tokenCount` is not the real count.
    public init(knownPerplexity perplexity: Double) {
        self.init(tokenCount: 1, totalNLL: log(perplexity))
    }

    /// Mean NLL, the log of the perplexity; nil when the candidate has no tokens for this model.
    public var meanNLL: Double? { tokenCount > 0 ? totalNLL / Double(tokenCount) : nil }

    /// `PPL_v(s_u) = exp(mean NLL)` (the paper's Eq. 2, the exponential of the mean NLL); nil without tokens.
    public var perplexity: Double? { meanNLL.map { exp($0) } }
}
