import CoolFusion
import CoolFusionLocal
import CoolFusionModelStore
import CoolFusionTestSupport
import Testing

/// Opening a prompt reuses the state the model already holds for its longest shared prefix. Whatever
/// was held, the prompt's state must be exactly a fresh prefill's: the same candidate scores to the
/// last bit and the same greedy answer. (When one-token passes attended in llama.cpp's decode
/// order, re-running only the last prompt token rounded differently from a prefill and flipped
/// near-tied answers in evaluations depending on the column that ran before.)
@Suite(.serialized, .enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
struct PromptReuseTests {
    @Test(arguments: ["smollm2-135m", "gemma3-270m"])
    func aPromptsStateDoesNotDependOnWhatTheModelHeld(alias: String) async throws {
        let path = try ModelStore().resolve(alias)
        let prompt = "Question: Is a whale a fish?\nAnswer: No\n\nQuestion: Is a robin a bird?\nAnswer:"
        let candidates = [Candidate(text: " Yes"), Candidate(text: " No"), Candidate(text: " It is a bird")]

        func state(of model: EngineSourceModel) async throws -> (scores: [Double?], answer: String) {
            try await model.open(prompt: prompt)
            let scores = try await model.assess(candidates).map(\.perplexity)
            try await model.open(prompt: prompt)
            let answer = try await model.nextSegment(
                rule: SegmentBoundaryRule(splitters: [model.wordSplitter], ownIndex: 0), tokenCap: 8).candidate.text
            return (scores, answer)
        }
        let fresh = try await state(of: try EngineSourceModel.load(path: path, name: alias))

        // Held before: the prompt and a generated answer (the same prompt again: eval's next column),
        // a longer prompt that starts with it, a prompt that shares all but the last few tokens, the
        // prompt without its last character (Gemma-3: the last token, ":") and an answer to it.
        let before = [prompt, prompt + " Yes\n\nQuestion: Is a bat a bird?\nAnswer:",
                      String(prompt.dropLast(8)) + " a fish?\nAnswer:", String(prompt.dropLast())]
        for held in before {
            let reused = try await reopened(after: held, path: path, alias: alias, state: state(of:))
            #expect(reused.scores == fresh.scores, "held: \(held.debugDescription)")
            #expect(reused.answer == fresh.answer, "held: \(held.debugDescription)")
        }
    }

    private func reopened(after held: String, path: String, alias: String,
                       state: (EngineSourceModel) async throws -> (scores: [Double?], answer: String)) async throws
        -> (scores: [Double?], answer: String) {
        let model = try EngineSourceModel.load(path: path, name: alias)
        try await model.open(prompt: held)
        _ = try await model.nextSegment(rule: SegmentBoundaryRule(splitters: [model.wordSplitter], ownIndex: 0), tokenCap: 8)
        return try await state(model)
    }
}
