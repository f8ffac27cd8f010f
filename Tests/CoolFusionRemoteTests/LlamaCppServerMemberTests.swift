import CoolFusion
import CoolFusionGGUF
import CoolFusionModelStore
import CoolFusionRemote
import CoolFusionServer
import CoolFusionTestSupport
import CoolFusionTokenizers
import Foundation
import Testing

/// llama.cpp's own server (`llama_cpp.server` from llama-cpp-python 0.3.36) with the default Gemma-3
/// model as a fusion member: it takes prompts only as text, so the adapter runs in text mode
/// (`OpenAICompatibleEngine.PromptMode.text`, docs/ENGINES.md).
///
/// Tolerance: the engine is llama.cpp, not this package's engine, so its log-probabilities differ
/// from the in-process model's by about 1e-3 to 1e-2 nats per token (another order of sums:
/// docs/ENGINE.md); a candidate's mean NLL may differ by `nllTolerance`. Against llama.cpp's own
/// values (the golden file written by the same llama-cpp-python) the difference is rounding only.
@Suite(.serialized, .enabled(if: LlamaCppServer.isInstalled, """
    llama.cpp's server is not installed here: python3 -c "import llama_cpp.server" fails \
    (.ci/run installs llama-cpp-python[server]==0.3.36)
    """))
struct LlamaCppServerMemberTests {
    /// Largest difference in a candidate's mean NLL (nats per token) between llama.cpp's server and
    /// the in-process model.
    static let nllTolerance = 0.05
    /// Largest difference per token between llama.cpp's server and llama.cpp's golden values (batch
    /// splits and thread counts only).
    static let goldenTolerance = 0.02
    /// Largest difference in a candidate's mean NLL within a fusion, where the server has served other
    /// prompts before: llama-cpp-python 0.3.36 reuses its cache across requests, and with Gemma-3 its
    /// log-probabilities then depend on what it was asked before (measured: a token's log-probability
    /// 0.29 nats from a fresh server's after one unrelated request; docs/ENGINES.md).
    static let historyTolerance = 0.35

    static func gemmaPath() throws -> String { try ModelStore().resolve("gemma3-270m") }

    static func connect(_ url: String, name: String? = nil) async throws -> OpenAICompatibleEngine {
        let package = TokenizerPackage.extract(from: try GGUFFile(path: try gemmaPath()))
        return try await OpenAICompatibleEngine.connect(url: url, package: package, name: name, timeout: .seconds(120))
    }

    struct GoldenPrompt: Decodable {
        var text: String
        var promptTokens: [Int]
        var promptLogprobs: [Double]
        var greedyTokens: [Int]
    }

    struct Golden: Decodable {
        var llamaCppPython: String
        var prompts: [GoldenPrompt]
    }

    static func golden() throws -> Golden {
        let path = try RepositoryFiles.existing("Tests/CoolFusionEngineTests/Golden/gemma3-270m.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Runs in debug builds too: the adapter's part (probing, naming, mapping text-prompt answers
    /// onto candidates and generated tokens) against the real server, with llama.cpp's own golden
    /// values as the expectation (no in-process model computes here).
    @Test func detectsTextModeAndScoresCandidatesAsLlamaCppDoes() async throws {
        let golden = try Self.golden()
        #expect(golden.llamaCppPython == "0.3.36")
        try await LlamaCppServer.with(model: try Self.gemmaPath()) { url in
            let engine = try await Self.connect(url)
            #expect(engine.promptMode == .text)
            // The server's model id is the file's path; the member is named after the file.
            #expect(engine.remoteModel.contains("/"))
            #expect(engine.name == "gemma-3-270m-q4_k_m")
            #expect(try await Self.connect(url, name: "gemma3-270m").name == "gemma3-270m")

            let tokenizer = engine.tokenizer
            func text(_ ids: some Collection<Int>) -> String {
                String(decoding: ids.flatMap { tokenizer.tokenBytes(TokenID($0)) }, as: UTF8.self)
            }
            for prompt in golden.prompts.prefix(3) where prompt.promptTokens.count >= 4 {
                // Golden log-probabilities are of tokens 1... (after BOS); the candidate is the last two tokens.
                let split = prompt.promptTokens.count - 2
                let context = text(prompt.promptTokens[1..<split])
                let candidate = Candidate(text: text(prompt.promptTokens[split...]))
                #expect(context + candidate.text == prompt.text)
                let model = engine.makeSourceModel()
                try await model.open(prompt: context)
                let assessment = try await model.assess([candidate])[0]
                let expected = prompt.promptLogprobs.suffix(2)
                #expect(assessment.tokenCount == 2)
                let expectedNLL = -expected.reduce(0, +)
                #expect(abs(assessment.totalNLL - expectedNLL) <= 2 * Self.goldenTolerance,
                        "\(prompt.text): NLL \(assessment.totalNLL) from the server, \(expectedNLL) in the golden file")

                // T1 from the whole prompt: llama.cpp's greedy continuation, cut at a word boundary.
                try await model.open(prompt: prompt.text)
                let rule = SegmentBoundaryRule(splitters: [engine.splitter], ownIndex: 0)
                let proposal = try await model.nextSegment(rule: rule, tokenCap: 16)
                let greedy = text(prompt.greedyTokens)
                #expect(!proposal.candidate.text.isEmpty)
                #expect(greedy.hasPrefix(proposal.candidate.text),
                        "proposal '\(proposal.candidate.text)' is not the start of llama.cpp's greedy '\(greedy)'")
                // Its own candidate is scored from the generation's log-probabilities: no new request
                // can tell, but the value must be finite and the token count the local tokenization's.
                let own = try await model.assess([proposal.candidate])[0]
                #expect(own.tokenCount == tokenizer.encode(proposal.candidate.text).count)
                #expect(own.totalNLL.isFinite && own.totalNLL >= 0)
            }
            // A final candidate is scored with the end-of-generation token after it.
            let model = engine.makeSourceModel()
            try await model.open(prompt: "Question: What is the capital of France?\nAnswer:")
            let final = try await model.assess([Candidate(text: " Paris", isFinal: true), Candidate(text: "", isFinal: true)])
            #expect(final[0].tokenCount == tokenizer.encode(" Paris").count + 1)
            #expect(final[1].tokenCount == 1)
            #expect(final.allSatisfy { $0.totalNLL.isFinite })
        }
    }

    /// The same candidates scored by the server and by the same Gemma-3 model in process agree within
    /// the tolerance.
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
    func scoresAgreeWithTheInProcessModel() async throws {
        let prompt = "Question: What is the capital of France?\nAnswer:"
        let candidates = [Candidate(text: " Paris"), Candidate(text: " The capital"), Candidate(text: " Paris.", isFinal: true),
                          Candidate(text: " 42\n\nQuestion:")]
        let local = try TestModels.gemma().makeSourceModel()
        try await local.open(prompt: prompt)
        let expected = try await local.assess(candidates)
        try await LlamaCppServer.with(model: try Self.gemmaPath()) { url in
            let model = try await Self.connect(url).makeSourceModel()
            try await model.open(prompt: prompt)
            let scored = try await model.assess(candidates)
            for (index, candidate) in candidates.enumerated() {
                #expect(scored[index].tokenCount == expected[index].tokenCount, "\(candidate)")
                let meanServer = scored[index].totalNLL / Double(scored[index].tokenCount)
                let meanLocal = expected[index].totalNLL / Double(expected[index].tokenCount)
                #expect(abs(meanServer - meanLocal) <= Self.nllTolerance,
                        "\(candidate): mean NLL \(meanServer) from the server, \(meanLocal) in process")
            }
        }
    }

    /// SmolLM2 in process fused with Gemma-3 behind llama.cpp's server behaves as SmolLM2 fused with
    /// the same Gemma-3 in process: step by step the same candidates, SmolLM2's perplexities exactly,
    /// Gemma-3's within `historyTolerance` (except at a junction Gemma-3's tokenizer does not keep,
    /// where the server scores the joined text's token and the model in process the candidate's own:
    /// docs/ENGINES.md), and the same winner, up to the first step where the two runs may part because
    /// llama.cpp's numbers differ from ours (a winner within the tolerance of another candidate, or a
    /// greedy choice of Gemma-3's that tips); the text is the same up to there.
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
    func fusesAsTheSameModelInProcess() async throws {
        let prompt = "Question: What is the capital of France?\nAnswer:"
        let options = FusionOptions(maxTokens: 12)
        let smol = try TestModels.smol()
        let gemmaTokenizer = try TestModels.gemma().tokenizer
        let local = try await FusionDecoder(models: [smol.makeSourceModel(), try TestModels.gemma().makeSourceModel()],
                                            options: options).generate(prompt: prompt)
        let fused = try await LlamaCppServer.with(model: try Self.gemmaPath()) { url in
            let engine = try await Self.connect(url, name: "gemma3-270m")
            let decoder = try FusionDecoder(
                models: [PackagedSourceModel(smol.makeSourceModel(), splitter: smol.splitter), engine.makeSourceModel()],
                options: options)
            return try await decoder.generate(prompt: prompt)
        }
        #expect(fused.models == ["smollm2-135m", "gemma3-270m"])
        #expect(!local.segments.isEmpty)
        var agreedText = ""
        var parted: String?
        steps: for (step, (served, inProcess)) in zip(fused.segments, local.segments).enumerated() {
            let texts = served.candidates.map(\.text), localTexts = inProcess.candidates.map(\.text)
            guard texts == localTexts else {
                // Only Gemma-3's own proposal may differ (its greedy tokens come from llama.cpp).
                let smolTexts = served.candidates.filter { $0.model == 0 }.map(\.text)
                #expect(smolTexts == inProcess.candidates.filter { $0.model == 0 }.map(\.text),
                        "step \(step): SmolLM2's candidates differ")
                parted = "step \(step): Gemma-3 proposed \(texts) behind the server, \(localTexts) in process"
                break steps
            }
            for (candidate, localCandidate) in zip(served.candidates, inProcess.candidates) {
                #expect(candidate.ppl[0] == localCandidate.ppl[0], "step \(step): SmolLM2's perplexity of '\(candidate.text)'")
                let context = prompt + agreedText
                let additive = gemmaTokenizer.encodePrompt(context + candidate.text)
                    == gemmaTokenizer.encodePrompt(context) + gemmaTokenizer.encode(candidate.text)
                if !additive { continue }
                if let server = candidate.ppl[1], let own = localCandidate.ppl[1] {
                    #expect(abs(log(server) - log(own)) <= Self.historyTolerance,
                            "step \(step): Gemma-3's perplexity of '\(candidate.text)': \(server) vs \(own)")
                } else {
                    #expect(candidate.ppl[1] == nil && localCandidate.ppl[1] == nil)
                }
            }
            guard served.winner == inProcess.winner else {
                // Allowed only where the in-process scores of the two winners are within the tolerance.
                let a = inProcess.candidates[inProcess.winner].score ?? .infinity
                let b = inProcess.candidates[served.winner].score ?? .infinity
                #expect(abs(log(b) - log(a)) <= Self.historyTolerance,
                        "step \(step): winner \(served.winner) behind the server, \(inProcess.winner) in process, scores \(b) vs \(a)")
                parted = "step \(step): a winner within the tolerance"
                break steps
            }
            agreedText += served.text
        }
        #expect(!agreedText.isEmpty, "not even the first step agreed")
        #expect(fused.text.hasPrefix(agreedText) && local.text.hasPrefix(agreedText))
        if parted == nil {
            #expect(fused.text == local.text)
            #expect(fused.segments.count == local.segments.count)
        }
    }
}
