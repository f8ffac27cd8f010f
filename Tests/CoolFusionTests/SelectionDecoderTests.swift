import CoolFusion
import Foundation
import Testing

/// The selection rules inside the fusion loop: the decoder passes who proposed each candidate, and
/// the trace shows the rule's scores. Scripted models replay the veto case of docs/SELECTION.md.
@Suite struct SelectionDecoderTests {
    let words = ScriptedTokenizer(pieces: englishPieces)

    /// SmolLM2-like "a" proposes " No", "b" and "c" propose " Yes", with the perplexities measured on the real models (docs/SELECTION.md).
    func vetoModels() -> [ScriptedModel] {
        func logProbs(no: Double, yes: Double) -> [String: Float] { [" No": -Float(log(no)), " Yes": -Float(log(yes))] }
        return [
            makeScripted(.init(name: "a", tokenizer: words, scripts: ["LLMs are No data"], logProbs: logProbs(no: 1.25, yes: 6.06))).model,
            makeScripted(.init(name: "b", tokenizer: words, scripts: ["LLMs are Yes data"], logProbs: logProbs(no: 2.47, yes: 1.71))).model,
            makeScripted(.init(name: "c", tokenizer: words, scripts: ["LLMs are Yes data"], logProbs: logProbs(no: 2.02, yes: 1.98))).model,
        ]
    }

    func firstStep(_ rule: any SelectionRule, method: FusionMethod = .cool) async throws -> FusionSegment {
        let decoder = try FusionDecoder(models: vetoModels(), options: FusionOptions(method: method, maxTokens: 1, selection: rule))
        let result = try await decoder.generate(prompt: "LLMs are")
        return try #require(result.segments.first)
    }

    @Test("paper: the confident single model wins the step")
    func paperRule() async throws {
        let step = try await firstStep(MeanSelection.paper)
        #expect(step.candidates.map(\.text) == [" No", " Yes", " Yes"])
        #expect(step.text == " No" && step.winner == 0)
        #expect(abs((step.candidates[0].score ?? 0) - 1.9133) < 1e-3)
        #expect(abs((step.candidates[1].score ?? 0) - 3.25) < 1e-3)
    }

    @Test("majority, vote and median: the two agreeing models win the step", arguments: ["majority", "vote", "median", "majority+vote"])
    func agreeingModelsWin(name: String) async throws {
        let step = try await firstStep(try SelectionRules.make(name))
        #expect(step.text == " Yes")
        #expect(step.winner == 1, "the first model that proposed the winner")
    }

    @Test("vote's trace scores are rank sums")
    func voteTrace() async throws {
        let step = try await firstStep(RankVoteSelection())
        #expect(step.candidates.map(\.score) == [2, 1, 1])
    }

    @Test("rerank uses the rule too")
    func rerankRule() async throws {
        let paper = try await firstStep(MeanSelection.paper, method: .rerank)
        let majority = try await firstStep(MajoritySelection(), method: .rerank)
        #expect(paper.text.hasPrefix(" No"))
        #expect(majority.text.hasPrefix(" Yes"))
    }

    @Test("a rule's weights are checked against the models")
    func weightsChecked() throws {
        #expect(throws: FusionError.weightsMismatch(weights: 2, models: 3)) {
            try FusionDecoder(models: vetoModels(), options: FusionOptions(selection: RankVoteSelection(weights: [1, 1])))
        }
    }
}
