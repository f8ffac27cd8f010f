/// How source models pick the tokens of their proposals (T1): temperature 0 is greedy (the paper's
/// setting and the default); otherwise each token is drawn from softmax(logits / temperature), cut to
/// the smallest set of most likely tokens whose probability reaches `topP`, with a generator seeded by
/// `seed`. Assessment (M3) and selection are unchanged: candidates are always scored with the
/// models' true log-probabilities.
public struct TokenSampling: Sendable, Equatable, Hashable {
    public var temperature: Double
    public var topP: Double
    public var seed: UInt64

    /// Greedy decoding: what every method did before sampling existed.
    public static let greedy = TokenSampling()

    public init(temperature: Double = 0, topP: Double = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }

    /// Whether tokens are chosen greedily (no generator is consulted).
    public var isGreedy: Bool { temperature == 0 }

    /// Checks the ranges: temperature finite in [0, 2] (OpenAI's range), top-p in (0, 1].
    public func validate() throws(SamplingError) {
        guard temperature.isFinite, (0...Self.maximumTemperature).contains(temperature) else {
            throw .invalidTemperature(temperature)
        }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw .invalidTopP(topP) }
    }

    public static let maximumTemperature = 2.0

    /// The settings of model `index` of a fusion: the same temperature and top-p, with a seed of its
    /// own derived from this one, so every model draws from an independent stream and the result does
    /// not depend on which model ran first.
    public func forModel(_ index: Int) -> TokenSampling {
        var copy = self
        // One SplitMix64 step over the seed and the index: nearby seeds and indices give unrelated streams.
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: index + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        copy.seed = z ^ (z >> 31)
        return copy
    }
}
