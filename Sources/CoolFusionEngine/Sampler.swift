import Foundation

/// How to pick the next token: temperature 0 is greedy; otherwise softmax(logits / temperature)
/// restricted to the `topK` most likely tokens (0 = all) and the smallest set whose probability
/// reaches `topP`, drawn with a generator seeded by `seed` (same seed, same tokens).
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }
}

/// Draws tokens from logits according to `SamplingParameters`.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var state: UInt64

    public init(_ parameters: SamplingParameters = SamplingParameters()) throws(EngineError) {
        guard parameters.temperature >= 0, parameters.temperature.isFinite else {
            throw .invalidSamplingParameter("temperature must be ≥ 0, got \(parameters.temperature)")
        }
        guard parameters.topK >= 0 else { throw .invalidSamplingParameter("top-k must be ≥ 0, got \(parameters.topK)") }
        guard parameters.topP > 0, parameters.topP <= 1 else {
            throw .invalidSamplingParameter("top-p must be in (0, 1], got \(parameters.topP)")
        }
        self.parameters = parameters
        state = parameters.seed
    }

    /// The next token for `logits` [V]. Returns nil for empty logits.
    public mutating func sample(_ logits: [Float]) -> Int32? {
        guard !logits.isEmpty else { return nil }
        if parameters.temperature == 0 {
            return logits.withUnsafeBufferPointer { Int32(VectorMath.argmax($0.baseAddress!, count: $0.count)) }
        }
        // Candidates by descending logit, cut to top-k.
        var order = Array(0..<logits.count)
        let k = parameters.topK > 0 ? min(parameters.topK, logits.count) : logits.count
        order.sort { logits[$0] > logits[$1] }
        order.removeLast(order.count - k)
        // Softmax at the temperature, then the top-p nucleus.
        let maximum = logits[order[0]]
        var weights = order.map { Double(exp((logits[$0] - maximum) / parameters.temperature)) }
        let total = weights.reduce(0, +)
        var kept = 0
        var cumulative = 0.0
        while kept < weights.count {
            weights[kept] /= total
            cumulative += weights[kept]
            kept += 1
            if cumulative >= Double(parameters.topP) { break }
        }
        let draw = nextUniform() * weights[..<kept].reduce(0, +)
        var running = 0.0
        for index in 0..<kept {
            running += weights[index]
            if draw < running { return Int32(order[index]) }
        }
        return Int32(order[kept - 1])
    }

    /// Uniform in [0, 1) from SplitMix64 (small, fast, and stable across platforms).
    private mutating func nextUniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
