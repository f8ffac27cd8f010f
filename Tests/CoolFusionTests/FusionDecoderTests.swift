import CoolFusion
import Foundation
import Testing

/// The Cool-Fusion loop on scripted models (docs/ARCHITECTURE.md, "The fusion loop", steps 2–4; paper §2.3–2.4).
@Suite struct FusionDecoderTests {
    let spaceWords = ScriptedTokenizer(pieces: englishPieces)
    let hyphenWords = ScriptedTokenizer(pieces: englishPieces, extraWordStarts: "-")

    /// The paper's Fig. 1: LLaMA writes " not", Phi writes " trained"; the PPLs are the figure's.
    func paperModels() -> [ScriptedHandle] {
        [
            makeScripted(.init(name: "llama", tokenizer: hyphenWords, scripts: ["LLMs are not the best"],
                               logProbs: [" not": -Float(log(16.6)), " trained": -Float(log(29.5))])),
            makeScripted(.init(name: "phi", tokenizer: spaceWords, scripts: ["LLMs are trained on data"],
                               logProbs: [" not": -Float(log(15.3)), " trained": -Float(log(9.3))])),
        ]
    }

    @Test("Fig. 1: both candidates scored by both models, lowest mean PPL wins")
    func paperFigureOne() async throws {
        let handles = paperModels()
        let decoder = try FusionDecoder(models: handles.map(\.model), options: FusionOptions(maxTokens: 1))
        let result = try await decoder.generate(prompt: "LLMs are")
        let step = try #require(result.segments.first)
        #expect(step.candidates.map(\.text) == [" not", " trained"])
        #expect(step.winner == 0)
        #expect(step.text == " not")
        let matrix = step.candidates.map { $0.ppl.map { $0 ?? .nan } }
        let expected = [[16.6, 15.3], [29.5, 9.3]]
        for (row, expectedRow) in zip(matrix, expected) {
            for (value, want) in zip(row, expectedRow) { #expect(abs(value - want) < 1e-3) }
        }
        #expect(abs((step.candidates[0].score ?? 0) - 15.95) < 1e-3)
        #expect(result.stats.stopReason == .maxTokens)
    }

    @Test("text is the joined segments; every model commits its own tokenization of them")
    func committedTokensMatchText() async throws {
        let handles = paperModels()
        let decoder = try FusionDecoder(models: handles.map(\.model), options: FusionOptions(maxTokens: 50))
        let result = try await decoder.generate(prompt: "LLMs are")
        #expect(result.text == result.segments.map(\.text).joined())
        #expect(result.text == " not the best")
        #expect(result.stats.stopReason == .endOfGeneration)
        for handle in handles {
            let committed = await handle.model.committedContinuation()
            #expect(committed == handle.model.encode(result.text))
        }
        #expect(result.stats.committedTokens == [3, 3])
        #expect(result.stats.segmentsWon.reduce(0, +) == result.segments.count)
    }

    @Test("identical candidates are assessed once; a model's own candidate costs no model call")
    func identicalCandidatesDeduplicated() async throws {
        let same = ["LLMs are not the best"]
        let handles = [
            makeScripted(.init(name: "a", tokenizer: spaceWords, scripts: same)),
            makeScripted(.init(name: "b", tokenizer: hyphenWords, scripts: same)),
            makeScripted(.init(name: "c", tokenizer: spaceWords, scripts: ["LLMs are trained on data"])),
        ]
        let decoder = try FusionDecoder(models: handles.map(\.model), options: FusionOptions(maxTokens: 1))
        let result = try await decoder.generate(prompt: "LLMs are")
        let step = try #require(result.segments.first)
        #expect(step.candidates.map(\.text) == [" not", " not", " trained"])
        #expect(step.candidates[0].ppl == step.candidates[1].ppl)
        // Distinct candidates: " not" and " trained". Each model scores only the one it did not write.
        #expect(handles.map { $0.counters.value.scoredCandidates } == [1, 1, 1])
        #expect(handles.map { $0.counters.value.scoreCalls } == [1, 1, 1])
    }

    @Test("ties go to the lower model index")
    func tiesGoToLowerModel() async throws {
        let handles = [
            makeScripted(.init(name: "a", tokenizer: spaceWords, scripts: ["LLMs are trained on data"])),
            makeScripted(.init(name: "b", tokenizer: spaceWords, scripts: ["LLMs are not the best"])),
        ]
        let decoder = try FusionDecoder(models: handles.map(\.model), options: FusionOptions(maxTokens: 1))
        let result = try await decoder.generate(prompt: "LLMs are")
        #expect(result.segments.first?.winner == 0)
        #expect(result.text == " trained")
    }

    @Test("tokens generated past the cut are reused, never regenerated nor re-fed")
    func reusedTokensNotRegenerated() async throws {
        let handle = makeScripted(.init(name: "a", tokenizer: spaceWords, scripts: ["LLMs are not the best ever"]))
        let decoder = try FusionDecoder(models: [handle.model], options: FusionOptions(maxTokens: 100))
        let result = try await decoder.generate(prompt: "LLMs are")
        #expect(result.text == " not the best ever")
        #expect(result.segments.map(\.text) == [" not", " the", " best", " ever"])
        // Four tokens and one end-of-generation: five greedy steps in all.
        #expect(handle.counters.value.greedy == 5)
        #expect(await handle.model.greedySteps == 5)
        #expect(result.stats.tokensGenerated == [5])
        #expect(result.stats.tokensReused == [3])
        // Each step after the first starts from the token kept from the previous step.
        #expect(result.segments.dropFirst().allSatisfy { $0.candidates[0].tokensReused == 1 })
        // Prompt (2 tokens) + 4 generated tokens, each fed exactly once; nothing scored.
        #expect(handle.counters.value.appended == 6)
        #expect(handle.counters.value.scoredCandidates == 0)
    }

    @Test("a losing model drops its extra tokens and continues from the winner's state")
    func loserContinuesFromWinner() async throws {
        let handles = paperModels()
        let decoder = try FusionDecoder(models: handles.map(\.model), options: FusionOptions(maxTokens: 50))
        let result = try await decoder.generate(prompt: "LLMs are")
        // phi lost step 1 (" trained"); afterwards it is off its script and proposes to end.
        #expect(result.segments[1].candidates[1] .final)
        #expect(result.segments[1].candidates[1].text == "")
        #expect(result.text == " not the best")
    }

    @Test("a model that generated a non-canonical tokenization is scored and commits its canonical tokens")
    func nonCanonicalGeneration() async throws {
        // The generation tokenizer knows no pieces, so " not" is generated byte by byte, while the
        // model's tokenizer has a " not" token.
        // Both scripts end after " not", so the run is one step however many tokens it takes.
        var spec = ScriptedModelSpec(name: "a", tokenizer: spaceWords, scripts: ["LLMs are not"])
        spec.generationTokenizer = ScriptedTokenizer(pieces: [])
        let handle = makeScripted(spec)
        let other = makeScripted(.init(name: "b", tokenizer: hyphenWords, scripts: ["LLMs are not"]))
        let decoder = try FusionDecoder(models: [handle.model, other.model], options: FusionOptions(maxTokens: 50))
        let result = try await decoder.generate(prompt: "LLMs are")
        #expect(result.text == " not")
        #expect(await handle.model.committedContinuation() == spaceWords.encodeContinuation(" not"))
        #expect(spaceWords.encodeContinuation(" not").count == 1)
        // Its own candidate could not be reused, so it was scored like any other.
        #expect(handle.counters.value.scoredCandidates == 1)
        #expect(other.counters.value.scoredCandidates == 0)
    }

    @Test("cool-align: segments end at the generating model's own first word boundary")
    func coolAlign() async throws {
        let handles = [
            makeScripted(.init(name: "a", tokenizer: hyphenWords, scripts: ["Q: Multi-tasking is fun"])),
            makeScripted(.init(name: "b", tokenizer: spaceWords, scripts: ["Q: Multi-tasking is fun"])),
        ]
        let decoder = try FusionDecoder(models: handles.map(\.model),
                                        options: FusionOptions(method: .coolAlign, maxTokens: 50))
        let result = try await decoder.generate(prompt: "Q: ")
        #expect(result.method == .coolAlign)
        #expect(result.segments[0].candidates.map(\.text) == ["Multi", "Multi-tasking"])
    }

    @Test("with one model, cool gives exactly the single output")
    func coolWithOneModelEqualsSingle() async throws {
        for script in ["LLMs are not the best ever", "LLMs are Multi-tasking is fun\n Yes No"] {
            let cool = try await FusionDecoder(
                models: [makeScripted(.init(name: "a", tokenizer: hyphenWords, scripts: [script])).model],
                options: FusionOptions(method: .cool, maxTokens: 100)).generate(prompt: "LLMs are")
            let single = try await FusionDecoder(
                models: [makeScripted(.init(name: "a", tokenizer: hyphenWords, scripts: [script])).model],
                options: FusionOptions(method: .single, maxTokens: 100)).generate(prompt: "LLMs are")
            #expect(cool.text == single.text)
            #expect(cool.text == String(script.dropFirst("LLMs are".count)))
        }
    }

    @Test("a stop sequence ends the text where it starts, also across segments")
    func stopSequence() async throws {
        let handle = makeScripted(.init(name: "a", tokenizer: spaceWords, scripts: ["LLMs are not the best ever"]))
        let decoder = try FusionDecoder(models: [handle.model],
                                        options: FusionOptions(maxTokens: 100, stopSequences: ["e best"]))
        let result = try await decoder.generate(prompt: "LLMs are")
        #expect(result.text == " not th")
        #expect(result.text == result.segments.map(\.text).joined())
        #expect(result.stats.stopReason == .stopSequence)
        // The segment after the one the stop begins in (" best") is dropped, and not counted as won.
        #expect(result.segments.map(\.text) == [" not", " th"])
        #expect(result.stats.segments == 2 && result.stats.segmentsWon == [2])
        // T1 stops where the stop sequence is complete: " ever", which a word boundary after " best"
        // would need, is never generated (the segment " best" that completed it is dropped with it).
        #expect(result.stats.tokensGenerated == [3])
    }

    @Test("the budget is a hard cap: the last segment shrinks to the tokens left, even mid-word")
    func tokenBudget() async throws {
        // "Multi-tasking" is 3 tokens for both models; with 2 left the segment is cut inside it.
        func handles() -> [ScriptedHandle] {
            [
                makeScripted(.init(name: "a", tokenizer: hyphenWords, scripts: ["Q: Multi-tasking is fun"])),
                makeScripted(.init(name: "b", tokenizer: spaceWords, scripts: ["Q: Multi-tasking is fun"])),
            ]
        }
        for budget in [2, 3, 4] {
            let decoder = try FusionDecoder(models: handles().map(\.model), options: FusionOptions(maxTokens: budget))
            let result = try await decoder.generate(prompt: "Q: ")
            #expect("Multi-tasking is fun".hasPrefix(result.text))
            #expect(hyphenWords.encodeContinuation(result.text).count == budget)
            #expect(result.stats.stopReason == .maxTokens)
            #expect(result.stats.committedTokens == [budget, budget])
            if budget == 2 { #expect(result.text.count < "Multi-tasking".count) }
            if budget == 3 { #expect(result.text == "Multi-tasking") }
        }
    }

    @Test("runs are deterministic, concurrent or not")
    func deterministic() async throws {
        var outputs: [[FusionSegment]] = []
        for concurrent in [true, true, false] {
            let decoder = try FusionDecoder(models: paperModels().map(\.model),
                                            options: FusionOptions(maxTokens: 50, concurrent: concurrent))
            outputs.append(try await decoder.generate(prompt: "LLMs are").segments)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
    }

    @Test("rerank: whole answers, lowest mean PPL wins; cool+rerank adds Cool's answer")
    func rerank() async throws {
        let logProbs: [String: Float] = [" trained": -0.1, " on": -0.1, " data": -0.1, " not": -3, " the": -3, " best": -3]
        func models() -> [ScriptedModel] {
            [
                makeScripted(.init(name: "a", tokenizer: spaceWords, scripts: ["LLMs are not the best"], logProbs: logProbs)).model,
                makeScripted(.init(name: "b", tokenizer: spaceWords, scripts: ["LLMs are trained on data"], logProbs: logProbs)).model,
            ]
        }
        let rerank = try await FusionDecoder(models: models(), options: FusionOptions(method: .rerank, maxTokens: 20))
            .generate(prompt: "LLMs are")
        #expect(rerank.segments.count == 1)
        #expect(rerank.segments[0].candidates.map(\.text) == [" not the best", " trained on data"])
        #expect(rerank.segments[0].winner == 1)
        #expect(rerank.text == " trained on data")

        let both = try await FusionDecoder(models: models(), options: FusionOptions(method: .coolPlusRerank, maxTokens: 20))
            .generate(prompt: "LLMs are")
        #expect(both.segments[0].candidates.count == 3)
        // Cool's own answer competes last, with no model.
        #expect(both.segments[0].candidates[2].model == nil)
        #expect(both.text == both.segments.map(\.text).joined())
    }

    @Test("rerank over answers written earlier picks exactly what rerank picks, without generating")
    func rerankReusingAnswers() async throws {
        let logProbs: [String: Float] = [" trained": -0.1, " on": -0.1, " data": -0.1, " not": -3, " the": -3, " best": -3]
        let scripts = ["LLMs are not the best", "LLMs are trained on data"]
        func handles() -> [ScriptedHandle] {
            scripts.enumerated().map { index, script in
                makeScripted(.init(name: "m\(index)", tokenizer: spaceWords, scripts: [script], logProbs: logProbs))
            }
        }
        for method in [FusionMethod.rerank, .coolPlusRerank] {
            let options = FusionOptions(method: method, maxTokens: 20)
            let full = try await FusionDecoder(models: handles().map(\.model), options: options).generate(prompt: "LLMs are")
            // The answers the single and cool methods write for the same prompt.
            var answers: [GeneratedAnswer] = []
            for handle in handles() {
                let single = try await FusionDecoder(models: [handle.model], options: FusionOptions(method: .single, maxTokens: 20))
                    .generate(prompt: "LLMs are")
                answers.append(GeneratedAnswer(text: single.text, endedByModel: single.stats.stopReason == .endOfGeneration,
                                               tokenCount: single.stats.tokensGenerated[0]))
            }
            let cool = try await FusionDecoder(models: handles().map(\.model), options: FusionOptions(maxTokens: 20))
                .generate(prompt: "LLMs are")
            let reusing = handles()
            let reused = try await FusionDecoder(models: reusing.map(\.model), options: options).rerank(
                prompt: "LLMs are",
                reusing: RerankInputs(answers: answers, cool: GeneratedAnswer(
                    text: cool.text, endedByModel: cool.stats.stopReason == .endOfGeneration,
                    tokenCount: cool.stats.tokensGenerated.reduce(0, +))))
            #expect(reused.text == full.text)
            #expect(reused.segments[0].winner == full.segments[0].winner)
            #expect(reused.segments[0].candidates.map(\.text) == full.segments[0].candidates.map(\.text))
            #expect(reused.segments[0].candidates.map(\.ppl) == full.segments[0].candidates.map(\.ppl))
            #expect(reused.stats.stopReason == full.stats.stopReason)
            // Nothing was generated: the models only scored.
            #expect(reusing.allSatisfy { $0.counters.value.greedy == 0 })
        }
        let twoModels = handles().map(\.model)
        await #expect(throws: FusionError.reusedAnswersMismatch(answers: 1, models: 2)) {
            try await FusionDecoder(models: twoModels, options: FusionOptions(method: .rerank))
                .rerank(prompt: "LLMs are", reusing: RerankInputs(answers: [GeneratedAnswer(text: "x", endedByModel: true, tokenCount: 1)]))
        }
        await #expect(throws: FusionError.reuseNeedsRerank(method: "cool")) {
            try await FusionDecoder(models: twoModels).rerank(prompt: "LLMs are", reusing: RerankInputs(answers: []))
        }
    }

    @Test("invalid settings are typed errors")
    func invalidSettings() throws {
        let models = paperModels().map(\.model)
        #expect(throws: FusionError.noModels) { try FusionDecoder(models: []) }
        #expect(throws: FusionError.singleNeedsOneModel(count: 2)) {
            try FusionDecoder(models: models, options: FusionOptions(method: .single))
        }
        #expect(throws: FusionError.invalidTokenCap(0)) {
            try FusionDecoder(models: models, options: FusionOptions(segmentTokenCap: 0))
        }
    }

    @Test("--json shape: text, method, models, segments with winner and candidates, stats")
    func jsonShape() async throws {
        let decoder = try FusionDecoder(models: paperModels().map(\.model), options: FusionOptions(maxTokens: 50))
        let result = try await decoder.generate(prompt: "LLMs are")
        let data = try JSONEncoder().encode(result)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["text", "method", "models", "segments", "stats"])
        #expect(object["method"] as? String == "cool")
        #expect(object["models"] as? [String] == ["llama", "phi"])
        let segments = try #require(object["segments"] as? [[String: Any]])
        #expect(segments.first?["winner"] as? Int == 0)
        let candidate = try #require((segments.first?["candidates"] as? [[String: Any]])?.first)
        #expect(candidate["model"] as? Int == 0)
        #expect((candidate["ppl"] as? [Any])?.count == 2)
        let decoded = try JSONDecoder().decode(FusionResult.self, from: data)
        #expect(decoded == result)
    }
}
