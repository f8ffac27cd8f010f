import CoolFusion
import CoolFusionLocal
import CoolFusionTestModels
import Testing

/// The fusion decoder on two tiny models with different tokenizers (byte-level BPE and SentencePiece),
/// written at test time: the paper's loop, its bookkeeping and its baselines run in seconds in a debug
/// build. The models' weights are random, so only behaviour is checked, never the text's quality.
@Suite struct SyntheticFusionTests {
    static let prompt = "Question: What is two plus three?\nAnswer:"

    @Test("cool: segments end at additive word boundaries of both tokenizers; every model holds its own tokens of them")
    func coolInvariants() async throws {
        let models = try SyntheticModels.pair()
        let result = try await FusionDecoder(models: models, options: FusionOptions(maxTokens: 24))
            .generate(prompt: Self.prompt)
        #expect(!result.segments.isEmpty)
        #expect(result.text == result.segments.map(\.text).joined())
        #expect(result.models == SyntheticModel.allCases.map(\.name))

        var offset = 0
        for segment in result.segments.dropLast() {
            offset += segment.text.utf8.count
            let winner = try #require(segment.candidates.indices.contains(segment.winner) ? segment.candidates[segment.winner] : nil)
            guard winner.alignment == .aligned else { continue }
            for model in models {
                let ends = model.words(result.text).dropLast().map(\.upperBound)
                #expect(ends.contains(offset), "\(model.name): no word ends at \(offset) in \(result.text.debugDescription)")
                let bytes = Array(result.text.utf8)
                let left = String(decoding: bytes[..<offset], as: UTF8.self)
                let right = String(decoding: bytes[offset...], as: UTF8.self)
                #expect(model.encode(left) + model.encode(right) == model.encode(result.text), "\(model.name) at \(offset)")
            }
        }
        // M4: each model appended its own tokenization of every winner (and, after a final winner,
        // possibly its end-of-generation token).
        for model in models {
            let committed = await model.committedContinuation()
            let expected = result.segments.flatMap { model.encode($0.text) }
            if result.stats.stopReason == .endOfGeneration {
                #expect(committed.starts(with: expected) && committed.count <= expected.count + 1, "\(model.name)")
            } else {
                #expect(committed == expected, "\(model.name)")
            }
        }
        #expect(result.stats.committedTokens.contains { $0 >= 24 } || result.stats.stopReason != .maxTokens)
    }

    @Test("the paper's rule: the winner has the lowest mean perplexity of the matrix every model scored")
    func paperSelection() async throws {
        let result = try await FusionDecoder(models: try SyntheticModels.pair(), options: FusionOptions(maxTokens: 16))
            .generate(prompt: Self.prompt)
        for segment in result.segments {
            for candidate in segment.candidates {
                let ppl = candidate.ppl.compactMap { $0 }
                #expect(ppl.count == 2 && ppl.allSatisfy { $0.isFinite && $0 >= 1 })
                let mean = ppl.reduce(0, +) / Double(ppl.count)
                #expect(abs((candidate.score ?? .infinity) - mean) <= 1e-9 * mean)
            }
            let scores = segment.candidates.map { $0.score ?? .infinity }
            #expect(scores[segment.winner] == scores.min())
            #expect(segment.text == segment.candidates[segment.winner].text || segment.candidates[segment.winner].text
                .hasPrefix(segment.text))
        }
    }

    @Test("another rule changes only the choice: vote's winner has the lowest rank sum")
    func voteSelection() async throws {
        let options = FusionOptions(maxTokens: 16, selection: try SelectionRules.make("vote"))
        let result = try await FusionDecoder(models: try SyntheticModels.pair(), options: options).generate(prompt: Self.prompt)
        for segment in result.segments where segment.candidates.count > 1 {
            // Each model ranks the candidates by its perplexity (the candidates it finds better, plus
            // half of those it finds as good); the rank sums are the trace's scores.
            var sums = [Double](repeating: 0, count: segment.candidates.count)
            for model in 0..<2 {
                let column = segment.candidates.map { $0.ppl[model] ?? .infinity }
                for (index, value) in column.enumerated() {
                    let better = column.filter { $0 < value }.count
                    let equal = column.filter { $0 == value }.count - 1
                    sums[index] += Double(better) + 0.5 * Double(equal)
                }
            }
            #expect(segment.candidates.map { $0.score ?? .infinity } == sums)
            #expect(sums[segment.winner] == sums.min())
        }
    }

    @Test("same output concurrent or sequential")
    func deterministic() async throws {
        var runs: [[FusionSegment]] = []
        for concurrent in [true, false] {
            let decoder = try FusionDecoder(models: try SyntheticModels.pair(),
                                            options: FusionOptions(maxTokens: 16, concurrent: concurrent))
            runs.append(try await decoder.generate(prompt: Self.prompt).segments)
        }
        #expect(runs[0] == runs[1])
    }

    /// With one model, the first segment is what the model writes alone. Later ones are too only when
    /// the model generated each segment in its tokenizer's own tokens: cool commits those, and random
    /// weights often generate others (`▁t` `h` `e` for `▁the`); the real-model suite checks the whole text.
    @Test("with one model, cool starts as that model's single output", arguments: SyntheticModel.allCases)
    func oneModelCoolStartsAsSingle(kind: SyntheticModel) async throws {
        let cool = try await FusionDecoder(models: [try SyntheticModels.load(kind)], options: FusionOptions(maxTokens: 20))
            .generate(prompt: Self.prompt)
        let single = try await FusionDecoder(models: [try SyntheticModels.load(kind)],
                                             options: FusionOptions(method: .single, maxTokens: 64))
            .generate(prompt: Self.prompt)
        let first = try #require(cool.segments.first)
        #expect(!first.text.isEmpty && single.text.hasPrefix(first.text))
        #expect(cool.segments.allSatisfy { $0.candidates.count == 1 && $0.winner == 0 })
    }

    @Test("rerank: every model's whole answer is a candidate, scored by both; the lowest mean wins")
    func rerank() async throws {
        let models = try SyntheticModels.pair()
        let result = try await FusionDecoder(models: models, options: FusionOptions(method: .rerank, maxTokens: 12))
            .generate(prompt: Self.prompt)
        let segment = try #require(result.segments.first)
        #expect(result.segments.count == 1)
        #expect(Set(segment.candidates.compactMap(\.model)) == [0, 1] || segment.candidates.count == 1)
        let scores = segment.candidates.map { $0.score ?? .infinity }
        #expect(scores[segment.winner] == scores.min())
        #expect(result.text == segment.candidates[segment.winner].text)
        // Each candidate is what that model writes alone.
        for candidate in segment.candidates {
            let index = try #require(candidate.model)
            let alone = try await FusionDecoder(models: [try SyntheticModels.load(SyntheticModel.allCases[index])],
                                                options: FusionOptions(method: .single, maxTokens: 12))
                .generate(prompt: Self.prompt)
            #expect(alone.text == candidate.text)
        }
    }

    @Test("cool+rerank: Cool's own answer competes as a candidate without a model")
    func coolPlusRerank() async throws {
        let models = try SyntheticModels.pair()
        let result = try await FusionDecoder(models: models, options: FusionOptions(method: .coolPlusRerank, maxTokens: 12))
            .generate(prompt: Self.prompt)
        let cool = try await FusionDecoder(models: try SyntheticModels.pair(), options: FusionOptions(maxTokens: 12))
            .generate(prompt: Self.prompt)
        let segment = try #require(result.segments.first)
        let texts = segment.candidates.map(\.text)
        #expect(texts.contains(cool.text))
        let scores = segment.candidates.map { $0.score ?? .infinity }
        #expect(scores[segment.winner] == scores.min() && result.text == texts[segment.winner])
    }
}
