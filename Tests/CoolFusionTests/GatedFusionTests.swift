import CoolFusion
import CoolFusionTokenizers
import Foundation
import Testing

/// Gated fusion on scripted models: the leader writes where it is sure; where it is unsure the step is a
/// full Cool-Fusion step; followers are called only then, catching up on what they missed in one commit.
@Suite struct GatedFusionTests {
    let spaceWords = ScriptedTokenizer(pieces: englishPieces)
    let hyphenWords = ScriptedTokenizer(pieces: englishPieces, extraWordStarts: "-")

    /// The leader is sure of every token but " best" (margin 0.2 nats); the follower would write
    /// " trained on data" and finds " ever" far more likely than the leader's " best".
    func models(leaderMargins: [String: Float]) -> [ScriptedHandle] {
        [
            makeScripted(.init(name: "leader", tokenizer: hyphenWords, scripts: ["LLMs are not the best data"],
                               logProbs: [" best": -3, " ever": -2], margins: leaderMargins)),
            makeScripted(.init(name: "follower", tokenizer: spaceWords, scripts: ["LLMs are not the ever best"],
                               logProbs: [" best": -4, " ever": -0.1])),
        ]
    }

    static let sure: [String: Float] = [" not": 3, " the": 3, " best": 3, " data": 3, " ever": 3, "<eog>": 3]

    func gated(threshold: Double = 1, leader: Int = 0) -> FusionOptions {
        FusionOptions(method: .gated, maxTokens: 20, gate: GateSettings(leader: leader, signal: .margin, threshold: threshold))
    }

    @Test("a leader sure of everything writes alone: no follower is opened or called")
    func confidentLeaderWritesAlone() async throws {
        let handles = models(leaderMargins: Self.sure)
        let result = try await FusionDecoder(models: handles.map(\.model), options: gated()).generate(prompt: "LLMs are")
        #expect(result.text == " not the best data")
        #expect(result.stats.fusedSegments == 0)
        #expect(result.segments.allSatisfy { $0.gate?.fused == false && $0.candidates.count == 1 })
        #expect(result.stats.catchUpTokens == [0, 0])
        let follower = handles[1].counters.value
        #expect(follower.greedy == 0 && follower.appended == 0 && follower.scoreCalls == 0)
        // The leader scores nothing either: its own segments are scored from their generation.
        #expect(handles[0].counters.value.scoreCalls == 0)
        #expect(result.stats.segmentsWon == [result.segments.count, 0])
    }

    @Test("an unsure segment is a full fusion step; the follower catches up first in one commit")
    func unsureSegmentIsFused() async throws {
        var margins = Self.sure
        margins[" best"] = 0.2
        let handles = models(leaderMargins: margins)
        let result = try await FusionDecoder(models: handles.map(\.model), options: gated()).generate(prompt: "LLMs are")
        let fused = result.segments.filter { $0.gate?.fused == true }
        let step = try #require(fused.first)
        // Before the step the leader wrote " not" and " the" alone; then both proposed.
        #expect(result.segments.prefix(2).map(\.text) == [" not", " the"])
        #expect(step.candidates.map(\.text) == [" best", " ever"])
        #expect(step.text == " ever" && step.winnerModel == 1)
        #expect(abs((step.gate?.value ?? 0) - 0.2) < 1e-6)
        #expect(result.text.hasPrefix(" not the ever"))
        // The follower's catch-up: its tokens of " not the", committed once.
        #expect(result.stats.catchUpTokens?[1] == handles[1].model.encode(" not the").count)
        // Every model ends holding its own tokenization of the whole text.
        for handle in handles {
            #expect(await handle.model.committedContinuation() == handle.model.encode(result.text))
        }
        #expect(result.text == result.segments.map(\.text).joined())
    }

    @Test("followers check the leader's segment as a draft: the same steps, their tokens taken from the check")
    func followersCheckTheLeadersSegment() async throws {
        var margins = Self.sure
        margins[" best"] = 0.2
        func run(agreeing: Bool, check: Bool) async throws -> (result: FusionResult, held: [[TokenID]]) {
            let follower = agreeing ? "LLMs are not the best data" : "LLMs are not the ever best"
            let handles = [
                makeScripted(.init(name: "leader", tokenizer: hyphenWords, scripts: ["LLMs are not the best data"],
                                   logProbs: [" best": -3, " ever": -2], margins: margins)),
                makeScripted(.init(name: "follower", tokenizer: spaceWords, scripts: [follower],
                                   logProbs: [" best": -4, " ever": -0.1])),
            ]
            var options = gated()
            options.followersCheckLeaderSegment = check
            let result = try await FusionDecoder(models: handles.map(\.model), options: options).generate(prompt: "LLMs are")
            var held: [[TokenID]] = []
            for handle in handles { held.append(await handle.model.committedContinuation()) }
            return (result, held)
        }
        for agreeing in [false, true] {
            let (checked, checkedHeld) = try await run(agreeing: agreeing, check: true)
            let (plain, plainHeld) = try await run(agreeing: agreeing, check: false)
            #expect(checkedHeld == plainHeld)
            #expect(checked.segments == plain.segments)
            #expect(checked.text == plain.text)
            #expect(plain.stats.tokensFromDraft == [0, 0])
            let fused = try #require(checked.segments.first { $0.gate?.fused == true })
            // Disagreeing at once, the check saves nothing (its first token, " ever", comes from the pass that
            // feeds the committed state either way); agreeing on " best", it also gives the token after it
            // (" data", which shows where the word ends) without a pass of its own.
            #expect(checked.stats.tokensFromDraft == [0, agreeing ? 1 : 0], "\(fused.candidates.map(\.text))")
        }
    }

    @Test("threshold above every margin fuses every step: the same output as cool")
    func alwaysFusedIsCool() async throws {
        var margins = Self.sure
        margins[" best"] = 0.2
        let gatedResult = try await FusionDecoder(models: models(leaderMargins: margins).map(\.model),
                                                  options: gated(threshold: .infinity)).generate(prompt: "LLMs are")
        let cool = try await FusionDecoder(models: models(leaderMargins: margins).map(\.model),
                                           options: FusionOptions(maxTokens: 20)).generate(prompt: "LLMs are")
        #expect(gatedResult.text == cool.text)
        #expect(gatedResult.segments.map(\.text) == cool.segments.map(\.text))
        #expect(gatedResult.stats.fusedSegments == gatedResult.segments.count)
    }

    @Test("threshold below every margin never fuses: the leader's own text")
    func neverFusedIsTheLeader() async throws {
        var margins = Self.sure
        margins[" best"] = 0.2
        let handles = models(leaderMargins: margins)
        let result = try await FusionDecoder(models: handles.map(\.model), options: gated(threshold: -.infinity))
            .generate(prompt: "LLMs are")
        let alone = try await FusionDecoder(models: [makeScripted(.init(
            name: "leader", tokenizer: hyphenWords, scripts: ["LLMs are not the best data"])).model],
            options: FusionOptions(method: .single, maxTokens: 20)).generate(prompt: "LLMs are")
        #expect(result.text == alone.text)
        #expect(result.stats.fusedSegments == 0)
    }

    @Test("a segment without confidences (a backend that reports none) is fused")
    func noConfidenceIsUnsure() async throws {
        let handles = models(leaderMargins: [:])
        let result = try await FusionDecoder(models: handles.map(\.model), options: gated()).generate(prompt: "LLMs are")
        #expect(result.stats.fusedSegments == result.segments.count)
        #expect(result.segments.allSatisfy { $0.gate?.value == nil })
    }

    @Test("the leader may be any model; an index outside the models is refused")
    func leaderChoice() async throws {
        let handles = models(leaderMargins: Self.sure)
        let followerLeads = try await FusionDecoder(models: handles.map(\.model), options: gated(leader: 1))
            .generate(prompt: "LLMs are")
        // The follower reports no confidence, so every one of its segments is fused.
        #expect(followerLeads.stats.fusedSegments == followerLeads.segments.count)
        #expect(throws: FusionError.invalidLeader(index: 2, models: 2)) {
            try FusionDecoder(models: handles.map(\.model), options: gated(leader: 2))
        }
    }

    @Test("signals read the least confident token of a segment")
    func signals() {
        let tokens = [TokenConfidence(topLogProb: log(0.9), secondLogProb: log(0.05), entropy: 0.4),
                      TokenConfidence(topLogProb: log(0.6), secondLogProb: log(0.3), entropy: 1.1)]
        #expect(abs((GateSignal.topProbability.value(of: tokens) ?? 0) - 0.6) < 1e-6)
        #expect(abs((GateSignal.margin.value(of: tokens) ?? 0) - log(2)) < 1e-6)
        #expect(abs((GateSignal.entropy.value(of: tokens) ?? 0) - 1.1) < 1e-6)
        #expect(GateSignal.margin.isUnsure(0.5, threshold: 1) && !GateSignal.margin.isUnsure(2, threshold: 1))
        #expect(GateSignal.entropy.isUnsure(2, threshold: 1) && !GateSignal.entropy.isUnsure(0.5, threshold: 1))
        // A backend that gives only the chosen token's probability has no margin or entropy.
        let bare = [TokenConfidence(topLogProb: log(0.7))]
        #expect(GateSignal.margin.value(of: bare) == nil && GateSignal.entropy.value(of: bare) == nil)
        #expect(GateSettings(signal: .margin, threshold: 1).isUnsure(bare))
    }
}
