import Foundation
import CoolFusionEngine
import CoolFusionTestModels
import Testing

/// Fork / commit / truncate / batched scoring, checked against recomputing from scratch; on default
/// models, and on the synthetic models (which a debug build runs in seconds). In batch-invariant
/// rounding a row is computed the same in any pass (alone, in a prefill, among candidates), so the
/// logits must equal the recomputed ones to the last bit.
@Suite(.serialized) struct SessionTests {
    // Token ids of the golden prompts, so the tests need no tokenizer (the synthetic models have none).
    static func tokens(_ alias: String, prompt index: Int) throws -> (prompt: [Int32], continuation: [Int32]) {
        if let synthetic = SyntheticModel(rawValue: alias) { return try SyntheticTokens.tokens(synthetic, prompt: index) }
        let golden = try Golden.load(alias).prompts[index]
        return (golden.prompt_tokens, golden.greedy_tokens)
    }

    static func fresh(_ model: Model, _ tokens: [Int32]) throws -> Session {
        let session = model.makeSession()
        try session.append(tokens)
        return session
    }

    /// Largest |Δ log p| over the ten most likely tokens of `a`.
    static func logProbabilityGap(_ a: [Float], _ b: [Float]) -> Float {
        func logSoftmax(_ x: [Float]) -> [Float] {
            let m = x.max() ?? 0
            let total = x.reduce(0.0) { $0 + exp(Double($1 - m)) }
            return x.map { $0 - m - Float(log(total)) }
        }
        let (la, lb) = (logSoftmax(a), logSoftmax(b))
        let top = la.indices.sorted { la[$0] > la[$1] }.prefix(10)
        return top.map { abs(la[$0] - lb[$0]) }.max() ?? 0
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"] + TestModels.synthetic)
    func divergingForkLeavesParentUntouched(alias: String) throws {
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 1)
        let parent = try Self.fresh(model, prompt)
        let parentLogits = parent.logits
        let fork = parent.fork()
        try fork.append(Array(continuation.prefix(40)))   // crosses a 32-position block boundary
        #expect(parent.tokens == prompt)
        #expect(parent.logits == parentLogits)
        // The parent's cache is intact: extending it gives what a fresh computation gives.
        let other: Int32 = continuation[0] == 11 ? 12 : 11
        try parent.append([other, other])
        let reference = try Self.fresh(model, prompt + [other, other])
        #expect(parent.logits == reference.logits)
        // And the fork matches its own fresh computation.
        let forkReference = try Self.fresh(model, prompt + Array(continuation.prefix(40)))
        #expect(fork.logits == forkReference.logits)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"] + TestModels.synthetic)
    func batchedScoringEqualsScoringEachAlone(alias: String) throws {
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 3)
        let session = try Self.fresh(model, prompt)
        let candidates: [[Int32]] = [
            Array(continuation.prefix(1)), Array(continuation.prefix(5)), Array(continuation.dropFirst(7).prefix(3)), Array(continuation.dropFirst(10).prefix(2)),
            Array(continuation.prefix(12)),
        ]
        let batched = try session.score(candidates: candidates)
        #expect(batched.count == candidates.count)
        for (candidate, score) in zip(candidates, batched) {
            let alone = try session.score(candidates: [candidate])[0]
            #expect(score.logProbabilities.count == candidate.count)
            #expect(score.logProbabilities == alone.logProbabilities)
            #expect(score.logits == alone.logits)
            // And against appending the candidate to a fresh session.
            let reference = try Self.fresh(model, prompt + candidate)
            #expect(score.logits == reference.logits)
        }
        #expect(session.tokens == prompt)  // scoring commits nothing
    }

    @Test func committingACandidateEqualsRecomputing() throws {
        let alias = "qwen2.5-coder-0.5b"
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 5)
        let session = try Self.fresh(model, prompt)
        let candidates: [[Int32]] = [Array(continuation.prefix(4)), Array(continuation.prefix(9))]
        let scores = try session.score(candidates: candidates)
        try session.commit(scores[1].session)
        #expect(session.tokens == prompt + candidates[1])
        let next = Array(continuation.dropFirst(9).prefix(3))
        try session.append(next)
        let reference = try Self.fresh(model, prompt + candidates[1] + next)
        #expect(session.logits == reference.logits)
        // The other candidate's session is still valid and independent.
        try scores[0].session.append([continuation[4]])
        let otherReference = try Self.fresh(model, prompt + Array(continuation.prefix(5)))
        #expect(scores[0].session.logits == otherReference.logits)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"] + TestModels.synthetic)
    func truncateEqualsRecomputing(alias: String) throws {
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 2)
        let session = try Self.fresh(model, prompt + continuation)
        let shared = session.fork()   // truncating must not disturb a session sharing the blocks
        let sharedLogits = shared.logits
        try session.truncate(to: prompt.count + 5)   // re-runs the new last token alone
        let reference = try Self.fresh(model, prompt + Array(continuation.prefix(5)))
        #expect(session.tokens == reference.tokens)
        #expect(session.logits == reference.logits)
        try session.append([continuation[0]])
        let extended = try Self.fresh(model, prompt + Array(continuation.prefix(5)))
        try extended.append([continuation[0]])
        #expect(session.logits == extended.logits)
        #expect(shared.logits == sharedLogits)
        try shared.append([continuation[0]])
        let sharedReference = try Self.fresh(model, prompt + continuation + [continuation[0]])
        #expect(shared.logits == sharedReference.logits)
        try session.truncate(to: 0)
        #expect(session.tokens.isEmpty && session.logits.isEmpty)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"] + TestModels.synthetic)
    func replaceEqualsRecomputing(alias: String) throws {
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 2)
        let (otherPrompt, _) = try Self.tokens(alias, prompt: 3)
        let session = try Self.fresh(model, prompt + continuation)
        let shared = session.fork()   // replacing must not disturb a session sharing the blocks
        let sharedLogits = shared.logits
        let keep = prompt.count / 2
        let newTokens = Array(otherPrompt.suffix(8))
        try session.replace(from: keep, with: newTokens)
        let reference = try Self.fresh(model, Array(prompt.prefix(keep)))
        try reference.append(newTokens)
        #expect(session.tokens == reference.tokens)
        #expect(session.logits == reference.logits)
        #expect(shared.logits == sharedLogits && shared.tokens == prompt + continuation)

        // Bad requests change nothing.
        let before = (session.tokens, session.logits)
        #expect(throws: EngineError.self) { try session.replace(from: session.count + 1, with: newTokens) }
        #expect(throws: EngineError.self) { try session.replace(from: 1, with: []) }
        #expect(throws: EngineError.self) {
            try session.replace(from: 1, with: [Int32](repeating: newTokens[0], count: model.contextLength))
        }
        #expect(throws: EngineError.self) { try session.replace(from: 1, with: [Int32(model.vocabularySize)]) }
        #expect(session.tokens == before.0 && session.logits == before.1)

        // From 0: a fresh session.
        try session.replace(from: 0, with: prompt)
        #expect(session.logits == (try Self.fresh(model, prompt).logits))
    }

    @Test func decodingOneByOneEqualsOneBatch() throws {
        let alias = "gemma3-270m"
        let model = try TestModels.model(alias, rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 0)
        let stepwise = model.makeSession()
        for token in prompt + continuation.prefix(10) { try stepwise.append([token]) }
        let batch = try Self.fresh(model, prompt + continuation.prefix(10))
        #expect(stepwise.logits == batch.logits)
        // In llama.cpp's rounding a one-token step attends (and multiplies) in its decode order and
        // a batch in its prefill order: they agree only to that rounding, not bit for bit.
        let llama = try TestModels.model(alias, rounding: .llamaCpp)
        let llamaStepwise = llama.makeSession()
        for token in prompt + continuation.prefix(10) { try llamaStepwise.append([token]) }
        let llamaBatch = try Self.fresh(llama, prompt + continuation.prefix(10))
        #expect(llamaStepwise.greedyToken() == llamaBatch.greedyToken())
        let gap = Self.logProbabilityGap(llamaBatch.logits, llamaStepwise.logits)
        print("[session] llama.cpp rounding, decode vs batch: top-10 |Δ log p| \(gap)")
        #expect(gap < 0.5)
    }

    @Test func samplingIsReproducibleAndGreedyAtZeroTemperature() throws {
        let model = try TestModels.model("smollm2-135m", rounding: .batchInvariant)
        let (prompt, _) = try Self.tokens("smollm2-135m", prompt: 0)
        let session = try Self.fresh(model, prompt)
        var greedy = try Sampler(SamplingParameters(temperature: 0))
        #expect(greedy.sample(session.logits) == session.greedyToken())
        let parameters = SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, seed: 42)
        var a = try Sampler(parameters), b = try Sampler(parameters)
        let drawsA = (0..<20).map { _ in a.sample(session.logits) }
        let drawsB = (0..<20).map { _ in b.sample(session.logits) }
        #expect(drawsA == drawsB)
        // top-k 1 is greedy whatever the temperature.
        var topOne = try Sampler(SamplingParameters(temperature: 1.5, topK: 1, seed: 7))
        #expect(topOne.sample(session.logits) == session.greedyToken())
    }

    /// More tokens than one scoring pass takes (1024): a long candidate is scored piece by piece
    /// and several candidates in groups, with the same log-probabilities as appending token batches.
    @Test func scoringBeyondOnePass() throws {
        let model = try TestModels.model("smollm2-135m", rounding: .batchInvariant)
        let (prompt, continuation) = try Self.tokens("smollm2-135m", prompt: 0)
        let long = Array(repeatElement(continuation, count: 1100 / continuation.count + 1).joined().prefix(1100))
        let session = try Self.fresh(model, prompt)
        let scored = try session.score(long)
        #expect(scored.count == 1100)
        #expect(scored.allSatisfy { $0.isFinite && $0 <= 0 })
        // The last token's log-probability, recomputed by appending everything before it.
        let reference = try Self.fresh(model, prompt + long.dropLast())
        #expect(try reference.logProbability(of: long[long.count - 1]) == scored[scored.count - 1])
        // Two 600-token candidates (1200 in total) score as each alone.
        let pair = try session.score(candidates: [Array(long.prefix(600)), Array(long.suffix(600))])
        #expect(pair[0].logProbabilities == Array(scored.prefix(600)))
        let alone = try session.score(Array(long.suffix(600)))
        #expect(pair[1].logProbabilities == alone)
        #expect(pair[1].session.count == prompt.count + 600)
    }
}
