import CoolFusion
import CoolFusionLocal
import CoolFusionTestModels
import Testing

/// Gated fusion on the two synthetic models: its two extremes, and the followers' catch-up.
@Suite struct SyntheticGatedFusionTests {
    static let prompt = SyntheticFusionTests.prompt

    func gated(_ threshold: Double, maxTokens: Int = 16) -> FusionOptions {
        FusionOptions(method: .gated, maxTokens: maxTokens, gate: GateSettings(leader: 1, signal: .margin, threshold: threshold))
    }

    @Test("a gate that never opens consults only the leader; one that always opens is cool")
    func extremes() async throws {
        let never = try await FusionDecoder(models: try SyntheticModels.pair(), options: gated(-.infinity))
            .generate(prompt: Self.prompt)
        let alone = try await FusionDecoder(models: [try SyntheticModels.load(.sentencePiece)],
                                            options: FusionOptions(method: .single, maxTokens: 64))
            .generate(prompt: Self.prompt)
        // The leader's first segment is what it writes alone (later ones too when it generates in its
        // tokenizer's own tokens, which random weights often do not; see SyntheticFusionTests).
        let first = try #require(never.segments.first)
        #expect(!first.text.isEmpty && alone.text.hasPrefix(first.text))
        #expect(never.segments.allSatisfy { $0.candidates.count == 1 && $0.candidates[0].model == 1 })
        #expect(never.stats.fusedSegments == 0 && never.stats.tokensGenerated[0] == 0)
        #expect(never.segments.allSatisfy { $0.gate?.margin != nil && $0.gate?.entropy != nil })

        let always = try await FusionDecoder(models: try SyntheticModels.pair(), options: gated(.infinity))
            .generate(prompt: Self.prompt)
        let cool = try await FusionDecoder(models: try SyntheticModels.pair(), options: FusionOptions(maxTokens: 16))
            .generate(prompt: Self.prompt)
        #expect(always.segments.map(\.text) == cool.segments.map(\.text))
        #expect(always.segments.map(\.winner) == cool.segments.map(\.winner))
    }

    /// The threshold is taken from the leader's own margins (their median), so some segments are
    /// fused and some are not whatever the weights; every model then holds its own tokens of the text.
    @Test("between the extremes: the leader holds the fused text, a follower its own tokens of a prefix")
    func catchUp() async throws {
        let probe = try await FusionDecoder(models: try SyntheticModels.pair(), options: gated(-.infinity, maxTokens: 24))
            .generate(prompt: Self.prompt)
        let margins = probe.segments.compactMap { $0.gate?.margin }.sorted()
        try #require(margins.count >= 2, "the leader wrote \(margins.count) segments")
        let threshold = margins[margins.count / 2]

        let models = try SyntheticModels.pair()
        let result = try await FusionDecoder(models: models, options: gated(threshold, maxTokens: 24)).generate(prompt: Self.prompt)
        let fusedFlags = result.segments.compactMap { $0.gate?.fused }
        #expect(fusedFlags.count == result.segments.count)
        #expect(result.stats.fusedSegments == fusedFlags.filter { $0 }.count)
        let leaderHolds = await models[1].committedContinuation()
        #expect(leaderHolds.starts(with: result.segments.flatMap { models[1].encode($0.text) }))
        let caughtUp = try #require(result.stats.catchUpTokens)
        if caughtUp[0] > 0 {
            let held = await models[0].committedContinuation()
            #expect(held.count >= caughtUp[0])
            #expect(result.text.hasPrefix(models[0].decode(held)))
        }
    }
}
