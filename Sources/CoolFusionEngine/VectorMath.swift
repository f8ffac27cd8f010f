import CoolFusionKernels
import Foundation

/// Row-wise helpers of the forward pass that are too light to need SIMD intrinsics.
enum VectorMath {
    /// out = x / rms(x) · weight, with rms(x) = sqrt(mean(x²) + ε). All [count].
    ///
    /// Rounds as ggml's rms_norm does: each square in Float, summed in Double; the mean rounded to
    /// Float; ε added, square root and reciprocal in Float; x · scale, then · weight.
    @inline(__always)
    static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, epsilon: Float,
                        into out: UnsafeMutablePointer<Float>) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i] * x[i]) }
        let mean = Float(sum / Double(count))
        let scale = 1 / (mean + epsilon).squareRoot()
        for i in 0..<count { out[i] = x[i] * scale * weight[i] }
    }

    /// log p(token) under the softmax of `logits` [count], without modifying them (`LogitStatistics`:
    /// one kernel for this, greedy decoding and a gate's confidence, so a token's log-probability is
    /// the same number whichever of them computed it).
    static func logProbability(of token: Int, logits: UnsafePointer<Float>, count: Int) -> Float {
        LogitStatistics(UnsafeBufferPointer(start: logits, count: count)).logProbability(ofLogit: logits[token])
    }

    /// Index of the largest value (the first one on ties, as llama.cpp's greedy sampler; 0 when no
    /// value is a number), in one vectorized read (`LogitStatistics.greedyToken`).
    static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        LogitStatistics.greedyToken(UnsafeBufferPointer(start: x, count: count)) ?? 0
    }
}
