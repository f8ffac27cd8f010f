import CoolFusionEngine
import Foundation
import Testing

/// Replays llama.cpp's greedy continuations and log-probabilities (Golden/*.json) on our engine.
@Suite(.serialized) struct GoldenParityTests {
    /// Greedy decoding, one token at a time: the first 32 tokens must equal llama.cpp's on ≥ 90% of prompts.
    @Test(arguments: TestModels.aliases + TestModels.optionalAliases)
    func greedyContinuationMatchesLlamaCpp(alias: String) throws {
        let golden = try Golden.load(alias)
        let model = try TestModels.model(alias)
        var matching = 0, differing: [Int] = []
        for (index, prompt) in golden.prompts.enumerated() {
            let session = model.makeSession()
            try session.append(prompt.prompt_tokens)
            var generated: [Int32] = []
            for _ in 0..<32 {
                let token = try #require(session.greedyToken())
                generated.append(token)
                try session.append([token])
            }
            if generated == Array(prompt.greedy_tokens.prefix(32)) { matching += 1 } else { differing.append(index) }
        }
        let fraction = Double(matching) / Double(golden.prompts.count)
        print("[parity] \(alias): greedy 32 tokens match on \(matching)/\(golden.prompts.count) prompts; differ: \(differing)")
        #expect(fraction >= 0.9, "\(alias): only \(matching)/\(golden.prompts.count) prompts match")
    }

    /// Teacher-forced log-probabilities of llama.cpp's continuation (batched scoring) and of the prompt
    /// (batched prefill): mean |Δ| ≤ 0.05 nats.
    @Test(arguments: TestModels.aliases + TestModels.optionalAliases)
    func teacherForcedLogProbabilitiesMatchLlamaCpp(alias: String) throws {
        let golden = try Golden.load(alias)
        let model = try TestModels.model(alias)
        var continuationError: [Float] = []
        var promptError: [Float] = []
        for prompt in golden.prompts {
            let session = model.makeSession()
            try session.append([prompt.prompt_tokens[0]])
            let promptScores = try session.score(Array(prompt.prompt_tokens.dropFirst()))
            promptError += zip(promptScores, prompt.prompt_logprobs).map { abs($0 - $1) }
            try session.append(Array(prompt.prompt_tokens.dropFirst()))
            let scores = try session.score(prompt.greedy_tokens)
            continuationError += zip(scores, prompt.greedy_logprobs).map { abs($0 - $1) }
        }
        let meanContinuation = continuationError.reduce(0, +) / Float(continuationError.count)
        let meanPrompt = promptError.reduce(0, +) / Float(promptError.count)
        print("[parity] \(alias): mean |Δ logprob| continuation \(meanContinuation), prompt \(meanPrompt), max \(continuationError.max() ?? 0)")
        #expect(meanContinuation <= 0.05)
        // Prompt tokens are far less likely than greedy ones, so the same logit noise moves their
        // log-probabilities more; this is a looser sanity bound, not the bar.
        #expect(meanPrompt <= 0.1)
    }

    /// A 710-token prompt: past token 512, Gemma-3's sliding-window layers must drop the earliest
    /// keys (llama.cpp masks keys 512 or more positions back). Teacher-forced log-probabilities of
    /// the prompt (one batched pass) agree with llama.cpp's before and after the window fills.
    @Test func gemmaSlidingWindowMatchesLlamaCpp() throws {
        let golden = try Golden.load("gemma3-270m-long")
        let prompt = try #require(golden.prompts.first)
        let model = try TestModels.model("gemma3-270m")
        #expect(model.hyperparameters.slidingWindow == 512)
        #expect(prompt.prompt_tokens.count > 600)
        let session = model.makeSession()
        try session.append([prompt.prompt_tokens[0]])
        let scores = try session.score(Array(prompt.prompt_tokens.dropFirst()))
        let errors = zip(scores, prompt.prompt_logprobs).map { abs($0 - $1) }
        // errors[k] is the log-prob of the token at position k + 1; past the window from 512 on.
        let inside = errors[..<511], beyond = errors[511...]
        let meanInside = inside.reduce(0, +) / Float(inside.count)
        let meanBeyond = beyond.reduce(0, +) / Float(beyond.count)
        print("[parity] gemma3-270m long prompt: mean |Δ logprob| positions < 512: \(meanInside), ≥ 512: \(meanBeyond)")
        #expect(meanInside <= 0.1)
        #expect(meanBeyond <= 0.1)
    }
}
