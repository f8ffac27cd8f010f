import CoolFusionEngine
import Testing

/// Fork / commit / truncate / batched scoring, checked against recomputing from scratch.
@Suite(.serialized) struct SessionTests {
    // Token ids of the golden prompts, so the tests need no tokenizer.
    static func tokens(_ alias: String, prompt index: Int) throws -> (prompt: [Int32], continuation: [Int32]) {
        let golden = try Golden.load(alias).prompts[index]
        return (golden.prompt_tokens, golden.greedy_tokens)
    }

    /// Largest |a − b| over two logit vectors.
    static func distance(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func fresh(_ model: Model, _ tokens: [Int32]) throws -> Session {
        let session = model.makeSession()
        try session.append(tokens)
        return session
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"])
    func divergingForkLeavesParentUntouched(alias: String) throws {
        let model = try TestModels.model(alias)
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
        #expect(Self.distance(parent.logits, reference.logits) < 1e-3)
        // And the fork matches its own fresh computation.
        let forkReference = try Self.fresh(model, prompt + Array(continuation.prefix(40)))
        #expect(Self.distance(fork.logits, forkReference.logits) < 1e-3)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func batchedScoringEqualsScoringEachAlone(alias: String) throws {
        let model = try TestModels.model(alias)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 3)
        let session = try Self.fresh(model, prompt)
        let candidates: [[Int32]] = [
            Array(continuation.prefix(5)), Array(continuation.dropFirst(7).prefix(3)), [continuation[10]],
            Array(continuation.prefix(12)),
        ]
        let batched = try session.score(candidates: candidates)
        #expect(batched.count == candidates.count)
        for (candidate, score) in zip(candidates, batched) {
            let alone = try session.score(candidates: [candidate])[0]
            #expect(score.logProbabilities.count == candidate.count)
            let gap = zip(score.logProbabilities, alone.logProbabilities).map { abs($0 - $1) }.max() ?? 0
            #expect(gap < 1e-3)
            #expect(Self.distance(score.logits, alone.logits) < 1e-3)
            // And against appending the candidate to a fresh session.
            let reference = try Self.fresh(model, prompt + candidate)
            #expect(Self.distance(score.logits, reference.logits) < 1e-3)
        }
        #expect(session.tokens == prompt)  // scoring commits nothing
    }

    @Test func committingACandidateEqualsRecomputing() throws {
        let alias = "qwen2.5-coder-0.5b"
        let model = try TestModels.model(alias)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 5)
        let session = try Self.fresh(model, prompt)
        let candidates: [[Int32]] = [Array(continuation.prefix(4)), Array(continuation.prefix(9))]
        let scores = try session.score(candidates: candidates)
        try session.commit(scores[1].session)
        #expect(session.tokens == prompt + candidates[1])
        let next = Array(continuation.dropFirst(9).prefix(3))
        try session.append(next)
        let reference = try Self.fresh(model, prompt + candidates[1] + next)
        #expect(Self.distance(session.logits, reference.logits) < 1e-3)
        // The other candidate's session is still valid and independent.
        try scores[0].session.append([continuation[4]])
        let otherReference = try Self.fresh(model, prompt + Array(continuation.prefix(5)))
        #expect(Self.distance(scores[0].session.logits, otherReference.logits) < 1e-3)
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"])
    func truncateEqualsRecomputing(alias: String) throws {
        let model = try TestModels.model(alias)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 2)
        let session = try Self.fresh(model, prompt + continuation)
        let shared = session.fork()   // truncating must not disturb a session sharing the blocks
        let sharedLogits = shared.logits
        try session.truncate(to: prompt.count + 5)
        let reference = try Self.fresh(model, prompt + Array(continuation.prefix(5)))
        #expect(session.tokens == reference.tokens)
        #expect(Self.distance(session.logits, reference.logits) < 1e-3)
        try session.append([continuation[0]])
        let extended = try Self.fresh(model, prompt + Array(continuation.prefix(5)) + [continuation[0]])
        #expect(Self.distance(session.logits, extended.logits) < 1e-3)
        #expect(shared.logits == sharedLogits)
        try shared.append([continuation[0]])
        let sharedReference = try Self.fresh(model, prompt + continuation + [continuation[0]])
        #expect(Self.distance(shared.logits, sharedReference.logits) < 1e-3)
        try session.truncate(to: 0)
        #expect(session.tokens.isEmpty && session.logits.isEmpty)
    }

    @Test func decodingOneByOneEqualsOneBatch() throws {
        let alias = "gemma3-270m"
        let model = try TestModels.model(alias)
        let (prompt, continuation) = try Self.tokens(alias, prompt: 0)
        let stepwise = model.makeSession()
        for token in prompt + continuation.prefix(10) { try stepwise.append([token]) }
        let batch = try Self.fresh(model, prompt + continuation.prefix(10))
        #expect(Self.distance(stepwise.logits, batch.logits) < 1e-2)
    }

    @Test func samplingIsReproducibleAndGreedyAtZeroTemperature() throws {
        let model = try TestModels.model("smollm2-135m")
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
}
