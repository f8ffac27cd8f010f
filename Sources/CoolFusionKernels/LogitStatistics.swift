import CCoolFusionKernels
import Foundation

/// What decoding asks of a row of next-token logits, from three vectorized reads of it (`cf_logit_summary_f32`):
/// the greedy token, the log-probability of any token, and how sure the distribution is (top-1 and
/// top-2 log-probabilities, entropy). Asking these one loop at a time with libm's exp cost about
/// 5 ms per token over Gemma-3's 262k vocabulary, a quarter of its decode step.
///
/// With `m` the largest logit and `Z = Σ exp(l − m)` (ggml's exp, sums in double):
/// `log p(t) = l_t − m − log Z`, `log p(top) = −log Z`, `log p(second) = (l₂ − m) − log Z` and
/// `H = log Z − Σ p·(l − m)`.
public struct LogitStatistics: Sendable, Equatable {
    /// The largest logit, and the first index holding it (nil when no logit is a number).
    public let maximum: Float
    public let greedyToken: Int?
    /// The largest logit at any index but `greedyToken` (−∞ if none).
    public let second: Float
    /// Σ exp(l − maximum), and Σ exp(l − maximum)·(l − maximum).
    public let sum: Double
    public let weightedSum: Double

    public init(_ logits: UnsafeBufferPointer<Float>, implementation: KernelImplementation = .simd) {
        var summary = cf_logit_summary()
        if let base = logits.baseAddress {
            cf_logit_summary_f32(base, Int64(logits.count), &summary, implementation.cFlag)
        } else {
            summary.max = -.infinity
            summary.second = -.infinity
            summary.argmax = -1
        }
        maximum = summary.max
        greedyToken = summary.argmax >= 0 ? Int(summary.argmax) : nil
        second = summary.second
        sum = summary.sum
        weightedSum = summary.weighted
    }

    /// The first index of the largest of `logits` (the greedy token), nil when none is a number:
    /// one vectorized read, for decoding loops that need no log-probability.
    public static func greedyToken(_ logits: UnsafeBufferPointer<Float>, implementation: KernelImplementation = .simd) -> Int? {
        guard let base = logits.baseAddress else { return nil }
        let index = cf_argmax_f32(base, Int64(logits.count), implementation.cFlag)
        return index >= 0 ? Int(index) : nil
    }

    /// log Z: the log of the softmax's normalizer after subtracting the maximum.
    public var logPartition: Double { log(sum) }

    /// log p(token) for a token whose logit is `logit`.
    public func logProbability(ofLogit logit: Float) -> Float { logit - maximum - Float(logPartition) }

    /// Log-probability of the most likely token (nil when no logit is finite).
    public var topLogProbability: Float? { maximum.isFinite ? Float(-logPartition) : nil }

    /// Log-probability of the runner-up (nil when there is none).
    public var secondLogProbability: Float? {
        maximum.isFinite && second.isFinite ? Float(Double(second - maximum) - logPartition) : nil
    }

    /// Entropy of the distribution in nats (nil when no logit is finite).
    public var entropy: Float? { maximum.isFinite ? Float(max(0, logPartition - weightedSum / sum)) : nil }
}
