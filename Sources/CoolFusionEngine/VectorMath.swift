import Foundation

/// Element-wise kernels of the forward pass that are too light to need SIMD intrinsics:
/// the compiler auto-vectorizes these loops well enough next to the matrix products.
enum VectorMath {
    /// out = x / rms(x) · weight, with rms(x) = sqrt(mean(x²) + ε). All [count].
    @inline(__always)
    static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, epsilon: Float,
                        into out: UnsafeMutablePointer<Float>) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i]) * Double(x[i]) }
        let scale = Float(1 / (sum / Double(count) + Double(epsilon)).squareRoot())
        for i in 0..<count { out[i] = x[i] * scale * weight[i] }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var i = 0
        while i + 4 <= count {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]
            s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < count { s0 += a[i] * b[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// y += a·x over [count].
    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += a * x[i] }
    }

    /// SiLU(x) = x·σ(x).
    @inline(__always) static func silu(_ x: Float) -> Float { x / (1 + Foundation.exp(-x)) }

    /// GELU, tanh approximation (what Gemma and llama.cpp use).
    @inline(__always) static func geluTanh(_ x: Float) -> Float {
        let c: Float = 0.797_884_56  // √(2/π)
        return 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044_715 * x * x * x)))
    }

    /// In-place log-softmax over [count]; returns nothing, leaves log-probabilities in `x`.
    static func logSoftmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count where x[i] > maximum { maximum = x[i] }
        var sum: Double = 0
        for i in 0..<count { sum += Double(Foundation.exp(x[i] - maximum)) }
        let logSum = maximum + Float(Foundation.log(sum))
        for i in 0..<count { x[i] -= logSum }
    }

    /// log p(token) under the softmax of `logits` [count], without modifying them.
    static func logProbability(of token: Int, logits: UnsafePointer<Float>, count: Int) -> Float {
        var maximum = -Float.infinity
        for i in 0..<count where logits[i] > maximum { maximum = logits[i] }
        var sum: Double = 0
        for i in 0..<count { sum += Double(Foundation.exp(logits[i] - maximum)) }
        return logits[token] - maximum - Float(Foundation.log(sum))
    }

    /// Index of the largest value (the first one on ties, as llama.cpp's greedy sampler).
    static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for i in 1..<max(1, count) where x[i] > x[best] { best = i }
        return best
    }
}
