import CoolFusion
import CoolFusionLocal
import CoolFusionTestModels
import Testing

/// Sampled proposals on the two synthetic models: the seed fixes the text, temperature 0 is the greedy
/// decoder exactly, models draw from streams of their own (so running them one after another changes
/// nothing), and a sampled candidate is assessed with the model's true log-probabilities.
@Suite struct SyntheticSamplingTests {
    static let prompt = "Question: What is two plus three?\nAnswer:"

    static func fuse(_ sampling: TokenSampling, method: FusionMethod = .cool, concurrent: Bool = true,
                     models: [EngineSourceModel]? = nil) async throws -> FusionResult {
        let models = try models ?? SyntheticModels.pair()
        let options = FusionOptions(method: method, maxTokens: 16, concurrent: concurrent, sampling: sampling)
        return try await FusionDecoder(models: models, options: options).generate(prompt: prompt)
    }

    @Test("the same seed gives the same text and the same trace, however the models are scheduled")
    func sameSeedSameText() async throws {
        // Seed 2 at temperature 2 draws tokens greedy decoding would not (checked below), so the
        // comparison is of sampled text.
        let sampling = TokenSampling(temperature: 2, seed: 2)
        let first = try await Self.fuse(sampling)
        #expect(first.text != (try await Self.fuse(.greedy)).text)
        let second = try await Self.fuse(sampling)
        let sequential = try await Self.fuse(sampling, concurrent: false)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.segments == second.segments)
        #expect(first.text == sequential.text)
    }

    @Test("different seeds give different text (seeds 1 and 2 at temperature 2, checked on these models)")
    func differentSeedsDiffer() async throws {
        let one = try await Self.fuse(TokenSampling(temperature: 2, seed: 1))
        let two = try await Self.fuse(TokenSampling(temperature: 2, seed: 2))
        #expect(one.text != two.text)
    }

    @Test("temperature 0 is the greedy decoder's output exactly, whatever the seed and top-p",
          arguments: [FusionMethod.cool, .gated, .rerank])
    func temperatureZeroIsGreedy(method: FusionMethod) async throws {
        let greedy = try await Self.fuse(.greedy, method: method)
        let zero = try await Self.fuse(TokenSampling(temperature: 0, topP: 0.5, seed: 1234), method: method)
        #expect(zero.text == greedy.text)
        #expect(zero.segments == greedy.segments)
    }

    @Test("a sampled first segment is assessed as scoring its text afresh would (the model's own log-probs)")
    func sampledCandidatesKeepTheModelsLogProbs() async throws {
        let result = try await Self.fuse(TokenSampling(temperature: 1.5, seed: 9))
        let first = try #require(result.segments.first)
        let fresh = try SyntheticModels.pair()
        for candidate in first.candidates {
            for (index, model) in fresh.enumerated() {
                try await model.open(prompt: Self.prompt)
                let assessed = try await model.assess([Candidate(text: candidate.text, isFinal: candidate.final)])
                let expected = try #require(assessed.first?.perplexity)
                let recorded = try #require(candidate.ppl[index])
                #expect(abs(recorded - expected) <= 1e-6 * expected,
                        "\(model.name) on \(candidate.text.debugDescription) proposed by \(candidate.model.map(String.init) ?? "-")")
            }
        }
    }

    @Test("settings out of range are refused before any model runs, naming the setting")
    func outOfRangeIsRefused() throws {
        let models = try SyntheticModels.pair()
        for (sampling, expected) in [
            (TokenSampling(temperature: -1), SamplingError.invalidTemperature(-1)),
            (TokenSampling(temperature: .nan), SamplingError.invalidTemperature(.nan)),
            (TokenSampling(temperature: 1, topP: 0), SamplingError.invalidTopP(0)),
            (TokenSampling(temperature: 1, topP: 1.01), SamplingError.invalidTopP(1.01)),
        ] {
            #expect {
                _ = try FusionDecoder(models: models, options: FusionOptions(sampling: sampling))
            } throws: { error in
                (error as? SamplingError)?.description == expected.description
            }
        }
    }
}
