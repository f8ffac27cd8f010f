import CoolFusionEngine
import CoolFusionTestModels
import Testing

/// `Session.check(draft:after:)`, one pass over committed tokens and a draft, against feeding the same
/// tokens one at a time: in batch-invariant rounding every row must be the same to the last bit, so a
/// follower that takes its tokens from the check writes exactly what it would have written alone.
@Suite(.serialized) struct DraftCheckTests {
    /// The check after `committed`, and the same computed token by token on a fresh session.
    static func compare(_ alias: String, prompt: [Int32], committed: [Int32], draft: [Int32]) throws {
        // A model of its own (not the shared one other suites may be running), so its pass counter
        // counts this test's passes only.
        let model = try Model(path: try TestModels.path(alias), threads: 2, rounding: .batchInvariant)
        let session = try SessionTests.fresh(model, prompt)
        var inspected: [Int: [Float]] = [:]
        let before = model.passCounter.value
        let check = try session.check(draft: draft, after: committed) { i, logits, _ in inspected[i] = Array(logits) }
        // One pass for everything when it fits one (a long committed text has its head fed first).
        let fits = committed.count + draft.count <= 256
        let work = model.passCounter.value.since(before)
        #expect(work.passes == (fits ? 1 : 2) && work.rows == committed.count + draft.count, "\(work)")

        // The session holds the committed tokens, with the distribution after them.
        let reference = try SessionTests.fresh(model, prompt + committed)
        #expect(session.tokens == prompt + committed)
        #expect(session.logits == reference.logits)
        // Each prediction is the greedy token after that prefix of the draft.
        #expect(check.predictions.count == draft.count + 1)
        #expect(inspected.keys.sorted() == Array(0...draft.count))
        let stepwise = reference.fork()
        for i in 0...draft.count {
            #expect(check.predictions[i].id == stepwise.greedyToken(), "prediction \(i)")
            #expect(check.predictions[i].logProbability == (try stepwise.logProbability(of: check.predictions[i].id)))
            #expect(inspected[i] == stepwise.logits, "logits \(i)")
            if i < draft.count { try stepwise.append([draft[i]]) }
        }
        // The draft's log-probs are its score, and its session the state after it.
        let scored = try reference.score(candidates: [draft])[0]
        #expect(check.draft.logProbabilities == scored.logProbabilities)
        #expect(check.draft.session.tokens == prompt + committed + draft)
        #expect(check.draft.session.logits == stepwise.logits)
        // Adopting it and going on equals computing from scratch.
        try session.commit(check.draft.session)
        try session.append([draft[0]])
        let onward = try SessionTests.fresh(model, prompt + committed + draft + [draft[0]])
        #expect(session.logits == onward.logits)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"] + TestModels.synthetic)
    func checkEqualsTokenByToken(alias: String) throws {
        let (prompt, continuation) = try SessionTests.tokens(alias, prompt: 2)
        // Committed text and a draft the model agrees with (its own greedy continuation).
        try Self.compare(alias, prompt: prompt, committed: Array(continuation.prefix(6)),
                         draft: Array(continuation.dropFirst(6).prefix(5)))
        // No committed text to feed, and a draft the model does not write (another prompt's tokens).
        let other = try SessionTests.tokens(alias, prompt: 0).continuation
        try Self.compare(alias, prompt: prompt, committed: [], draft: Array(other.prefix(4)))
    }

    @Test func committedTextLongerThanOnePass() throws {
        let alias = "smollm2-135m"
        let (prompt, continuation) = try SessionTests.tokens(alias, prompt: 1)
        // 300 committed tokens: the head is appended first, the rest shares the draft's pass.
        let committed = Array(repeating: continuation, count: 300 / continuation.count + 1).flatMap { $0 }.prefix(300)
        try Self.compare(alias, prompt: prompt, committed: Array(committed), draft: Array(continuation.prefix(3)))
    }

    @Test func refusesWhatItCannotCheck() throws {
        let model = try TestModels.model("smollm2-135m", rounding: .batchInvariant)
        #expect(throws: EngineError.self) { try model.makeSession().check(draft: [1, 2], after: []) }
        let session = try SessionTests.fresh(model, [1, 2, 3])
        #expect(throws: EngineError.self) { try session.check(draft: [], after: [4]) }
        #expect(throws: EngineError.self) { try session.check(draft: [Int32](repeating: 5, count: 300), after: []) }
        #expect(throws: EngineError.self) { try session.check(draft: [Int32(model.vocabularySize)], after: []) }
        #expect(session.tokens == [1, 2, 3])
    }
}
