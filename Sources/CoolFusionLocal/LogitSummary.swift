import CoolFusion
import CoolFusionEngine
import Foundation

/// How sure a model is of its next token, from its logits: what gated fusion's gate reads.
enum LogitSummary {
    /// Top-1 and top-2 log-probabilities and the entropy (nats) of the softmax of a row of logits,
    /// from its `LogitStatistics`; nil when no logit is a finite number.
    static func confidence(_ statistics: LogitStatistics) -> TokenConfidence? {
        guard let top = statistics.topLogProbability, let entropy = statistics.entropy else { return nil }
        return TokenConfidence(topLogProb: top, secondLogProb: statistics.secondLogProbability, entropy: entropy)
    }
}
