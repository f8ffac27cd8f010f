import CoolFusion
import CoolFusionRemote
import CoolFusionTokenizers
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The adapter's text mode against a stand-in engine that answers in llama.cpp's server's shape: it
/// refuses token-id prompts (HTTP 500, as llama-cpp-python does), tokenizes text prompts with the
/// synthetic SentencePiece model's tokenizer (BOS read, left out of the echo, the first echoed
/// log-probability null), gives every token log-probability -1 and "generates" a fixed word. How the
/// adapter is probed into text mode, what it sends, and how each malformed answer is refused (a named
/// error, never a crash or a hang) need no real engine; `LlamaCppServerMemberTests` runs the real one.
@Suite struct TextPromptEngineTests {
    enum Flaw: Sendable {
        case none
        /// `tokens` and `text_offset` of different lengths.
        case countsDiffer
        /// No `usage`.
        case noUsage
        /// A null log-probability inside the echoed prompt.
        case nullInside
        /// Generation answers with no token and no end, forever.
        case nothingGenerated
        /// Every prompt token echoed, as a server that added no BOS would.
        case noBOS
        /// Not JSON.
        case garbage
    }

    /// Requests the stand-in received, for checking what the adapter sends.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var prompts: [OpenAIWire.Prompt] = []
        func add(_ prompt: OpenAIWire.Prompt) { lock.withLock { prompts.append(prompt) } }
        var all: [OpenAIWire.Prompt] { lock.withLock { prompts } }
    }

    static let word = " hello"

    static func answer(_ request: OpenAIWire.CompletionRequest, tokenizer: Tokenizer, flaw: Flaw) -> (HTTPResponse.Status, String) {
        guard case .text(let prompt) = request.prompt else {
            return (.internalServerError, #"{"error": {"message": "prompt must be a string", "type": "internal_server_error"}}"#)
        }
        if flaw == .garbage { return (.ok, "<html>") }
        func piece(_ id: TokenID) -> String { String(decoding: tokenizer.tokenBytes(id), as: UTF8.self) }
        var entries = OpenAIWire.Logprobs()
        let promptIDs = tokenizer.encodePrompt(prompt)
        let echoed = flaw == .noBOS ? promptIDs : Array(promptIDs.drop { $0 == tokenizer.vocabulary.bosID })
        var offset = 0
        if request.echo == true {
            for (index, id) in echoed.enumerated() {
                entries.tokens.append(piece(id))
                entries.textOffset.append(offset)
                entries.tokenLogprobs.append(index == 0 || (flaw == .nullInside && index == echoed.count - 1) ? nil : -1)
                entries.topLogprobs.append(nil)
                offset += piece(id).unicodeScalars.count
            }
        } else {
            offset = prompt.unicodeScalars.count
        }
        let generated = flaw == .nothingGenerated ? [] : Array(tokenizer.encode(Self.word).prefix(request.maxTokens ?? 1))
        for id in generated {
            entries.tokens.append(piece(id))
            entries.textOffset.append(offset)
            entries.tokenLogprobs.append(-1)
            entries.topLogprobs.append(nil)
            offset += piece(id).unicodeScalars.count
        }
        if flaw == .countsDiffer { entries.textOffset.removeLast() }
        let text = generated.map(piece).joined()
        let choice = OpenAIWire.CompletionChoice(text: (request.echo == true ? prompt : "") + text,
                                                 logprobs: request.logprobs == nil ? nil : entries, finishReason: "length")
        var response = OpenAIWire.CompletionResponse(
            id: "cmpl-stub", created: 0, model: "/models/stub-model.gguf", choices: [choice],
            usage: .init(promptTokens: echoed.count + (flaw == .noBOS ? 0 : 1), completionTokens: generated.count))
        if flaw == .noUsage { response.usage = nil }
        let json = String(decoding: (try? WireCoding.encoder().encode(response)) ?? Data(), as: UTF8.self)
        return (.ok, json)
    }

    /// Runs `body` with the URL of a stand-in engine on a free loopback port.
    static func withEngine<T: Sendable>(flaw: Flaw = .none, log: Log = Log(),
                                        _ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let tokenizer = try SyntheticPair.spm().tokenizer
        let router = Router()
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(
                        string: #"{"object": "list", "data": [{"id": "/models/stub-model.gguf", "object": "model", "owned_by": "me"}]}"#)))
        }
        router.post("/v1/completions") { request, _ in
            let bytes = try await request.body.collect(upTo: 1 << 24)
            let decoded = try WireCoding.decoder().decode(OpenAIWire.CompletionRequest.self, from: Data(bytes.readableBytesView))
            log.add(decoded.prompt)
            let (status, json) = Self.answer(decoded, tokenizer: tokenizer, flaw: flaw)
            return Response(status: status, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port ?? 0)") }
    }

    static func connect(_ url: String) async throws -> OpenAICompatibleEngine {
        try await OpenAICompatibleEngine.connect(url: url, package: try SyntheticPair.spm().package, timeout: .seconds(30))
    }

    @Test func aTextOnlyEngineIsUsedInTextMode() async throws {
        let log = Log()
        let tokenizer = try SyntheticPair.spm().tokenizer
        try await Self.withEngine(log: log) { url in
            let engine = try await Self.connect(url)
            #expect(engine.promptMode == .text)
            #expect(engine.name == "stub-model")
            let model = engine.makeSourceModel()
            try await model.open(prompt: "Question: 1 + 1 =")
            // Scoring: the candidate's own tokens, each at -1.
            let scored = try await model.assess([Candidate(text: " two apples"), Candidate(text: " two", isFinal: true)])
            #expect(scored[0].tokenCount == tokenizer.encode(" two apples").count)
            #expect(abs(scored[0].totalNLL - Double(scored[0].tokenCount)) < 1e-9)
            #expect(scored[1].tokenCount == tokenizer.encode(" two").count + 1)
            // What was sent: the context and the candidate as text, the final one with its end token's text.
            let eog = tokenizer.endOfGenerationToken.map { tokenizer.vocabulary.tokens[Int($0)] } ?? ""
            #expect(log.all.suffix(2) == [.text("Question: 1 + 1 = two apples"), .text("Question: 1 + 1 = two" + eog)])
            // T1: the generated word, cut at a word boundary, context and pending tokens sent as text.
            try await model.commit(candidateAt: 0)
            let rule = SegmentBoundaryRule(splitters: [engine.splitter], ownIndex: 0)
            let proposal = try await model.nextSegment(rule: rule, tokenCap: 8)
            #expect(Self.word.hasPrefix(proposal.candidate.text) || proposal.candidate.text.hasPrefix(Self.word))
            guard case .text(let sent) = log.all.last else { Issue.record("no text prompt sent"); return }
            #expect(sent.hasPrefix("Question: 1 + 1 = two apples"))
        }
    }

    @Test(arguments: [Flaw.countsDiffer, .noUsage, .nullInside, .garbage])
    func malformedScoringAnswersAreNamedErrors(flaw: Flaw) async throws {
        // Probing happens on a sound engine; the flaw is then switched on through a second engine
        // connected in text mode explicitly.
        try await Self.withEngine(flaw: flaw) { url in
            let engine = try await OpenAICompatibleEngine.connect(url: url, package: try SyntheticPair.spm().package,
                                                                  timeout: .seconds(30), promptMode: .text)
            let model = engine.makeSourceModel()
            try await model.open(prompt: "Question: 1 + 1 =")
            do {
                _ = try await model.assess([Candidate(text: " two apples")])
                Issue.record("a malformed answer (\(flaw)) was accepted")
            } catch let error as RemoteModelError {
                #expect(error.description.contains("scoring"), "\(error)")
                #expect(error.description.contains(url))
            }
        }
    }

    @Test func anEngineThatGeneratesNothingFailsInsteadOfHanging() async throws {
        try await Self.withEngine(flaw: .nothingGenerated) { url in
            let engine = try await Self.connect(url)
            let model = engine.makeSourceModel()
            try await model.open(prompt: "Question: 1 + 1 =")
            let rule = SegmentBoundaryRule(splitters: [engine.splitter], ownIndex: 0)
            do {
                _ = try await model.nextSegment(rule: rule, tokenCap: 8)
                Issue.record("a generation without tokens was accepted")
            } catch let error as RemoteModelError {
                #expect(error.description.contains("no token and no end of generation"), "\(error)")
            }
        }
    }

    @Test func anEngineWithoutPromptLogProbabilitiesIsRefusedAtConnection() async throws {
        for flaw in [Flaw.noBOS, .garbage] {
            try await Self.withEngine(flaw: flaw) { url in
                do {
                    _ = try await Self.connect(url)
                    Issue.record("an engine with flaw \(flaw) was accepted")
                } catch let error as RemoteModelError {
                    guard case .unsupported = error else { Issue.record("\(error)"); return }
                    #expect(error.description.contains("neither for token ids"), "\(error)")
                    if flaw == .noBOS { #expect(error.description.contains("BOS")) }
                }
            }
        }
    }
}
