import CoolFusion
import CoolFusionEngine
import CoolFusionModelStore
import CoolFusionTokenizers
import Testing
import CoolFusionLocal
import CoolFusionTestSupport

/// The engine adapter's economies must not change any number: scoring (also from a checkpoint) is
/// the engine's own batched scoring, adopting the winner gives the state the engine's scored session
/// has, and single-token candidates scored from the logits alone agree with it too.
@Suite(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
struct EngineSessionTests {
    @Test func scoringIsTheEnginesBatchedScoringAndTheWinnersStateIsAdopted() throws {
        let path = try ModelStore().resolve("smollm2-135m")
        let tokenizer = try Tokenizer(path: path)
        let model = try Model(path: path)
        let prompt = tokenizer.encode("The capital of France is")
        let candidates = [" Paris", " a city in Europe", " not"].map { tokenizer.encode($0) }
        #expect(candidates.map(\.count).contains(1) && candidates.map(\.count).contains { $0 > 1 })

        let reference = model.makeSession()
        try reference.append(prompt)
        let full = try reference.score(candidates: candidates)

        // Directly at the committed state.
        let direct = EngineSession(model: model)
        try direct.append(prompt)
        // From a checkpoint, with tokens fed past the committed state (as after T1).
        let fedPast = EngineSession(model: model)
        try fedPast.append(prompt)
        fedPast.checkpoint()
        try fedPast.append(tokenizer.encode(" the"))

        for session in [direct, fedPast] {
            let logProbs = try session.score(candidates, afterPrefixOf: prompt.count)
            #expect(logProbs == full.map(\.logProbabilities))
            #expect(try session.adoptScored(1))
            #expect(session.tokenCount == prompt.count + candidates[1].count)
            #expect(session.tokens == prompt + candidates[1])
            let next = try session.greedyNext()
            #expect(next.token == full[1].session.greedyToken())
            #expect(next.logProb == (try full[1].session.logProbability(of: next.token)))
        }
    }

    /// When every candidate is one token no pass runs at scoring, nor at adoption: the session keeps
    /// the committed state and the winner's token is fed with the next pass, which gives the state
    /// appending it gives.
    @Test func singleTokenCandidatesAreComputedOnlyWhenTheyWin() throws {
        let path = try ModelStore().resolve("smollm2-135m")
        let tokenizer = try Tokenizer(path: path)
        let model = try Model(path: path, rounding: EngineSourceModel.rounding)
        let prompt = tokenizer.encode("The capital of France is")
        let candidates = [" Paris", " not", " a"].map { tokenizer.encode($0) }
        #expect(candidates.allSatisfy { $0.count == 1 })
        let reference = model.makeSession()
        try reference.append(prompt)
        let session = EngineSession(model: model)
        try session.append(prompt)
        let before = model.passCounter.value
        let logProbs = try session.score(candidates, afterPrefixOf: prompt.count)
        #expect(logProbs == (try candidates.map { [try reference.logProbability(of: $0[0])] }))
        #expect(try session.adoptScored(2) == false)
        #expect(session.tokens == prompt)
        #expect(model.passCounter.value == before, "scoring and adopting one-token candidates ran a pass")
        try session.append(candidates[2])
        let work = model.passCounter.value.since(before)
        #expect(work.passes == 1 && work.rows == 1 && work.outputRows == 1, "\(work)")
        #expect(work.seconds > 0 && work.outputSeconds > 0 && work.outputSeconds < work.seconds, "\(work)")
        try reference.append(candidates[2])
        let next = try session.greedyNext()
        #expect(next.token == reference.greedyToken())
        #expect(next.logProb == (try reference.logProbability(of: next.token)))
    }

    /// More candidate tokens than one engine pass takes (the engine splits them) score exactly as each
    /// candidate alone, in the fusion's batch-invariant rounding.
    @Test func candidatesBeyondOnePassScoreAsAlone() throws {
        let path = try ModelStore().resolve("smollm2-135m")
        let tokenizer = try Tokenizer(path: path)
        let model = try Model(path: path, rounding: EngineSourceModel.rounding)
        let prompt = tokenizer.encode("Numbers:")
        let counting = tokenizer.encode((1...400).map { " \($0)," }.joined())
        let candidates = [Array(counting.prefix(600)), [counting[0]], Array(counting.dropFirst(3).prefix(500))]
        #expect(candidates.map(\.count).reduce(0, +) > 1024)
        let together = EngineSession(model: model)
        try together.append(prompt)
        let all = try together.score(candidates, afterPrefixOf: prompt.count)
        for (index, candidate) in candidates.enumerated() {
            let alone = EngineSession(model: model)
            try alone.append(prompt)
            #expect(try alone.score([candidate], afterPrefixOf: prompt.count)[0] == all[index])
        }
    }
}
