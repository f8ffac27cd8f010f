import CoolFusion
import CoolFusionModelStore
import CoolFusionTokenizers
import Testing
import CoolFusionLocal
import CoolFusionTestSupport

/// The fusion on the real default models, 2 and 3 at a time (run in release mode:
/// `swift test -c release --filter RealModelFusionTests`). Generations are short because the tests
/// check invariants, not quality.
@Suite(.serialized, .enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
struct RealModelFusionTests {
    static let prompt = "Question: What is the capital of France?\nAnswer:"
    /// A prompt every default model continues for many tokens (SmolLM2 ends the question prompt at once).
    static let openPrompt = "The capital of France is"

    /// Every pair of default models, and all three.
    static let combinations: [[String]] = [
        ["smollm2-135m", "gemma3-270m"],
        ["smollm2-135m", "qwen2.5-coder-0.5b"],
        ["gemma3-270m", "qwen2.5-coder-0.5b"],
        ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"],
    ]

    @Test("segments end at complete word boundaries of every tokenizer; text and committed tokens agree",
          arguments: combinations)
    func invariants(aliases: [String]) async throws {
        let models = try aliases.map(RealModels.load)
        let decoder = try FusionDecoder(models: models, options: FusionOptions(maxTokens: 10))
        let result = try await decoder.generate(prompt: Self.prompt)
        #expect(!result.segments.isEmpty)
        #expect(result.text == result.segments.map(\.text).joined())

        let tokenizers = models.map(\.tokenizer.tokenizer)
        var offset = 0
        for segment in result.segments.dropLast() {
            offset += segment.text.utf8.count
            // A complete boundary of every tokenizer: the end of a word that is followed by another.
            for (index, tokenizer) in tokenizers.enumerated() {
                let ends = tokenizer.words(result.text).dropLast().map(\.upperBound)
                #expect(ends.contains(offset), "\(aliases[index]): no word ends at \(offset) in \(result.text.debugDescription)")
                // Additivity, the property that makes it a boundary.
                let bytes = Array(result.text.utf8)
                let left = String(decoding: bytes[..<offset], as: UTF8.self)
                let right = String(decoding: bytes[offset...], as: UTF8.self)
                #expect(tokenizer.encode(left) + tokenizer.encode(right) == tokenizer.encode(result.text))
            }
        }
        // Each model committed exactly its own tokenization of the output.
        for model in models {
            let committed = await model.committedContinuation()
            #expect(committed == model.encode(result.text), "\(model.name)")
        }
        #expect(result.stats.committedTokens.contains { $0 >= 10 } || result.stats.stopReason != .maxTokens)
        #expect(result.stats.unalignedCandidates == 0)
    }

    @Test("same inputs give the same output, concurrent or sequential")
    func deterministic() async throws {
        let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
        var runs: [[FusionSegment]] = []
        for concurrent in [true, false] {
            let decoder = try FusionDecoder(models: try aliases.map(RealModels.load),
                                            options: FusionOptions(maxTokens: 6, concurrent: concurrent))
            runs.append(try await decoder.generate(prompt: Self.prompt).segments)
        }
        #expect(runs[0] == runs[1])
    }

    @Test("with one model, cool gives that model's single output",
          arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func oneModelCoolIsSingle(alias: String) async throws {
        let model = try RealModels.load(alias)
        let cool = try await FusionDecoder(models: [model], options: FusionOptions(method: .cool, maxTokens: 12))
            .generate(prompt: Self.openPrompt)
        // Cool commits whole segments, so it can pass the budget inside a word: give single the same length.
        let length = cool.stats.stopReason == .endOfGeneration ? 64 : cool.stats.committedTokens[0]
        let single = try await FusionDecoder(models: [model], options: FusionOptions(method: .single, maxTokens: length))
            .generate(prompt: Self.openPrompt)
        #expect(cool.text == single.text)
        #expect(cool.stats.committedTokens[0] == single.stats.committedTokens[0])
        // Nothing generated twice: beyond the output, cool only generated what followed its last cut.
        #expect(cool.stats.tokensGenerated[0] <= cool.stats.committedTokens[0] + 1 + FusionOptions().segmentTokenCap)
        #expect(cool.segments.count > 2)
        #expect(cool.stats.tokensReused[0] > 0)
    }

    /// Gated fusion at its two extremes, on the real models: a gate that never opens gives the leader's
    /// own greedy text and never runs a follower; a gate that always opens gives exactly `cool`.
    @Test("gated: never fused is the leader alone, always fused is cool")
    func gatedExtremes() async throws {
        let aliases = ["smollm2-135m", "qwen2.5-coder-0.5b"]
        let models = try aliases.map(RealModels.load)
        func gated(_ threshold: Double) -> FusionOptions {
            FusionOptions(method: .gated, maxTokens: 16, gate: GateSettings(leader: 1, signal: .margin, threshold: threshold))
        }
        let never = try await FusionDecoder(models: models, options: gated(-.infinity)).generate(prompt: Self.openPrompt)
        let alone = try await FusionDecoder(models: [models[1]], options: FusionOptions(method: .single, maxTokens: 64))
            .generate(prompt: Self.openPrompt)
        #expect(alone.text.hasPrefix(never.text) && !never.text.isEmpty)
        #expect(never.stats.fusedSegments == 0 && never.stats.tokensGenerated[0] == 0)
        // The leader's engine reports its confidence in every token of every segment.
        #expect(never.segments.allSatisfy { $0.gate?.margin != nil && $0.gate?.entropy != nil })

        let always = try await FusionDecoder(models: models, options: gated(.infinity)).generate(prompt: Self.openPrompt)
        let cool = try await FusionDecoder(models: models, options: FusionOptions(maxTokens: 16)).generate(prompt: Self.openPrompt)
        #expect(always.segments.map(\.text) == cool.segments.map(\.text))
        #expect(always.segments.map(\.winner) == cool.segments.map(\.winner))
    }

    /// T1 stops where a stop sequence is complete instead of running on to the next shared word
    /// boundary: with a gate that never opens, gated fusion generates exactly the tokens the leader
    /// alone generates; in `cool` every candidate that holds the stop sequence was cut there.
    @Test("a stop sequence ends T1: a shut gate generates what the leader alone does, cool candidates end at it")
    func stopSequenceEndsT1() async throws {
        let aliases = ["smollm2-135m", "qwen2.5-coder-0.5b"]
        let models = try aliases.map(RealModels.load)
        let stops = ["\n"]
        let shut = FusionOptions(method: .gated, maxTokens: 32, stopSequences: stops,
                                 gate: GateSettings(leader: 1, signal: .margin, threshold: -.infinity))
        let never = try await FusionDecoder(models: models, options: shut).generate(prompt: Self.prompt)
        let alone = try await FusionDecoder(models: [models[1]], options: FusionOptions(method: .single, maxTokens: 32, stopSequences: stops))
            .generate(prompt: Self.prompt)
        #expect(alone.stats.stopReason == .stopSequence, "\(alone.text)")
        #expect(never.text == alone.text && never.stats.stopReason == .stopSequence)
        #expect(never.stats.tokensGenerated == [0, alone.stats.tokensGenerated[0]])

        let cool = try await FusionDecoder(models: models, options: FusionOptions(maxTokens: 32, stopSequences: stops))
            .generate(prompt: Self.prompt)
        #expect(cool.stats.stopReason == .stopSequence)
        for candidate in cool.segments.flatMap(\.candidates) where candidate.text.contains("\n") {
            #expect(candidate.alignment == .stopSequence, "\(candidate.text)")
        }
    }

    /// A gate between the extremes: followers catch up on the text they missed, and every model ends
    /// holding exactly its own tokenization of the fused text.
    @Test("gated: catch-up leaves every model with its own tokens of the text")
    func gatedCatchUp() async throws {
        let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
        let models = try aliases.map(RealModels.load)
        let options = FusionOptions(method: .gated, maxTokens: 24,
                                    gate: GateSettings(leader: 2, signal: .margin, threshold: 2.5))
        let result = try await FusionDecoder(models: models, options: options).generate(prompt: Self.prompt + " Paris is")
        let fused = result.stats.fusedSegments ?? 0
        #expect(fused > 0 && fused < result.segments.count, "fused \(fused) of \(result.segments.count)")
        #expect(await models[2].committedContinuation() == models[2].encode(result.text))
        // A follower holds the text up to the end of the last step it took part in: its own tokens of
        // a prefix that ends at a shared word boundary, hence a prefix of its tokens of the whole text.
        let caughtUp = try #require(result.stats.catchUpTokens)
        for index in 0..<2 where caughtUp[index] > 0 {
            let held = await models[index].committedContinuation()
            #expect(held.count >= caughtUp[index] && models[index].encode(result.text).starts(with: held))
        }
    }

    /// Followers in a fused step check the leader's segment as a draft: where their own greedy tokens
    /// agree with it, the tokens come from the pass that also feeds them the text they missed. The rows of
    /// that pass are exactly the rows of token-by-token generation, so everything — proposals, scores,
    /// winners, committed tokens — must be identical with the check and without.
    @Test("gated: followers checking the leader's segment as a draft change nothing but the passes")
    func draftCheckChangesNothing() async throws {
        let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
        func run(check: Bool) async throws -> (FusionResult, [[TokenID]]) {
            let models = try aliases.map(RealModels.load)
            let options = FusionOptions(method: .gated, maxTokens: 32,
                                        gate: GateSettings(leader: 2, signal: .margin, threshold: 2.5),
                                        followersCheckLeaderSegment: check)
            let result = try await FusionDecoder(models: models, options: options).generate(prompt: Self.openPrompt)
            var held: [[TokenID]] = []
            for model in models { held.append(await model.committedContinuation()) }
            return (result, held)
        }
        let (checked, checkedHeld) = try await run(check: true)
        let (plain, plainHeld) = try await run(check: false)
        #expect(checked.text == plain.text)
        #expect(checked.segments.count == plain.segments.count)
        for (a, b) in zip(checked.segments, plain.segments) {
            #expect(a.text == b.text && a.winner == b.winner && a.gate == b.gate)
            #expect(a.candidates.map(\.text) == b.candidates.map(\.text))
            #expect(a.candidates.map(\.ppl) == b.candidates.map(\.ppl), "scores of \(a.candidates.map(\.text))")
            #expect(a.candidates.map(\.score) == b.candidates.map(\.score))
            #expect(a.candidates.map(\.tokensGenerated) == b.candidates.map(\.tokensGenerated))
        }
        #expect(checkedHeld == plainHeld)
        #expect(checked.stats.tokensGenerated == plain.stats.tokensGenerated)
        let fused = checked.stats.fusedSegments ?? 0
        #expect(fused > 0, "no fused step: nothing was checked")
        // The followers took tokens from their checks; the leader never checks anything.
        let fromDraft = try #require(checked.stats.tokensFromDraft)
        #expect(fromDraft[2] == 0 && fromDraft[0] + fromDraft[1] > 0, "\(fromDraft), \(fused) fused")
        #expect(checked.segments == plain.segments)
        #expect(plain.stats.tokensFromDraft == [0, 0, 0])
    }

    /// A gated follower reads its prompt only when first consulted, in the pass that feeds it the text
    /// it missed and checks the leader's draft: one pass fewer than reading the prompt on its own, and
    /// the same generation, since every row is computed as in any other pass. Without the check the
    /// pass is saved only where there is missed text to read with the prompt (the first token's
    /// distribution needs the prompt's pass either way).
    @Test("a follower reads its prompt in its first consultation's pass", arguments: [true, false])
    func followersReadThePromptWithTheTextTheyMissed(check: Bool) async throws {
        let aliases = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]
        func run(promptReadFirst: Bool) async throws -> (result: FusionResult, passes: [Int]) {
            let models = try aliases.map(RealModels.load)
            if promptReadFirst {
                for follower in models.prefix(2) {
                    try await follower.open(prompt: Self.openPrompt)
                    try await follower.prefill()
                }
            }
            let options = FusionOptions(method: .gated, maxTokens: 32,
                                        gate: GateSettings(leader: 2, signal: .margin, threshold: 2.5),
                                        followersCheckLeaderSegment: check)
            let result = try await FusionDecoder(models: models, options: options).generate(prompt: Self.openPrompt)
            var passes: [Int] = []
            for model in models { passes.append(await model.work().passes) }
            return (result, passes)
        }
        let lazy = try await run(promptReadFirst: false)
        let eager = try await run(promptReadFirst: true)
        #expect((lazy.result.stats.fusedSegments ?? 0) > 0, "no fused step: no follower was consulted")
        #expect(lazy.result.segments == eager.result.segments)
        #expect(lazy.result.stats.tokensGenerated == eager.result.stats.tokensGenerated)
        #expect(lazy.result.stats.tokensFromDraft == eager.result.stats.tokensFromDraft)
        let firstFused = try #require(lazy.result.segments.firstIndex { $0.gate?.fused == true })
        let saved = check || firstFused > 0 ? 1 : 0
        #expect(lazy.passes == [eager.passes[0] - saved, eager.passes[1] - saved, eager.passes[2]],
                "passes lazy \(lazy.passes), prompt read first \(eager.passes), first fused segment \(firstFused)")
    }
}

/// The default models, if present (never fetched by the tests).
enum RealModels {
    /// Loads a default model, fetching it on first use: a fresh machine runs these tests too.
    static func load(_ alias: String) throws -> EngineSourceModel {
        try EngineSourceModel.load(path: try ModelStore().resolve(alias), name: alias)
    }
}
