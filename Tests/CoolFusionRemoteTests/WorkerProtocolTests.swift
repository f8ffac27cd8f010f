import CoolFusion
import CoolFusionRemote
import CoolFusionServer
import CoolFusionTestModels
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The worker's HTTP API on a real model: the protocol's happy path, its error answers, session
/// expiry, and the vLLM-shaped completions/tokenize endpoints.
@Suite struct WorkerProtocolTests {
    static func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try WireCoding.encoder().encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try WireCoding.decoder().decode(T.self, from: Data(response.body.readableBytesView))
    }

    static func errorBody(_ response: TestResponse) throws -> APIErrorBody {
        try decode(APIErrorBody.self, response)
    }

    /// The default idle timeout is an hour: only `idleSessionsExpire` tests expiry, and on a machine
    /// loaded by parallel suites the gap between two calls of one test has exceeded a minute.
    func withWorker(idleTimeout: Duration = .seconds(3600),
                    _ body: @escaping @Sendable (any TestClientProtocol, HostedModel) async throws -> Void) async throws {
        let hosted = try TestModels.smol()
        let app = Application(router: WorkerServer(hosted: hosted, idleTimeout: idleTimeout).makeRouter())
        try await app.test(.router) { client in try await body(client, hosted) }
    }

    @Test func infoAndTokenizerDownload() async throws {
        try await withWorker { client, hosted in
            let info = try await client.execute(uri: "/v1/worker", method: .get) { try Self.decode(WorkerAPI.Info.self, $0) }
            #expect(info.name == "smollm2-135m")
            #expect(info.architecture == "llama")
            #expect(info.contextLength == hosted.contextLength)
            #expect(info.tokenizerDigest == hosted.package.digest)
            try await client.execute(uri: "/v1/worker/tokenizer", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == hosted.package.bytes)
            }
        }
    }

    @Test func oneFusionStepThroughTheProtocol() async throws {
        try await withWorker { client, hosted in
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "The capital of France is"))) {
                #expect($0.status == .ok)
                return try Self.decode(WorkerAPI.Opened.self, $0)
            }
            let base = "/v1/sessions/\(opened.sessionId)"
            let next = WorkerAPI.NextSegment(splitters: [hosted.package.digest], ownIndex: 0, ownBoundariesOnly: false, tokenCap: 32)
            let proposal = try await client.execute(uri: base + "/next_segment", method: .post, body: try Self.json(next)) {
                #expect($0.status == .ok)
                return try Self.decode(WorkerAPI.Proposal.self, $0)
            }
            #expect(!proposal.text.isEmpty)
            #expect(proposal.tokensGenerated >= 1)
            let candidates = [Candidate(text: proposal.text, isFinal: proposal.isFinal), Candidate(text: " Berlin")]
            let assessed = try await client.execute(uri: base + "/assess", method: .post,
                                                    body: try Self.json(WorkerAPI.Assess(candidates: candidates))) {
                try Self.decode(WorkerAPI.Assessments.self, $0)
            }
            #expect(assessed.assessments.count == 2)
            #expect(assessed.assessments.allSatisfy { $0.tokenCount > 0 && $0.totalNll >= 0 })
            let committed = try await client.execute(uri: base + "/commit", method: .post,
                                                     body: try Self.json(WorkerAPI.Commit(index: 0))) {
                try Self.decode(WorkerAPI.Tokens.self, $0)
            }
            #expect(hosted.tokenizer.decode(committed.tokens) == proposal.text)
            let continuation = try await client.execute(uri: base + "/continuation", method: .get) {
                try Self.decode(WorkerAPI.Tokens.self, $0)
            }
            #expect(continuation.tokens == committed.tokens)
            // Commit again without a new assessment: the session's protocol is violated.
            try await client.execute(uri: base + "/commit", method: .post, body: try Self.json(WorkerAPI.Commit(index: 0))) {
                #expect($0.status == .conflict)
                let body = try Self.errorBody($0)
                #expect(body.error.message.contains("without a preceding assessment"))
            }
            try await client.execute(uri: base, method: .delete) { #expect($0.status == .noContent) }
            try await client.execute(uri: base + "/continuation", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func unknownTokenizerIsAskedForThenAccepted() async throws {
        let gemma = try TestModels.gemma()
        try await withWorker { client, hosted in
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "Hello"))) {
                try Self.decode(WorkerAPI.Opened.self, $0)
            }
            let path = "/v1/sessions/\(opened.sessionId)/next_segment"
            let next = WorkerAPI.NextSegment(splitters: [hosted.package.digest, gemma.package.digest], ownIndex: 0,
                                             ownBoundariesOnly: false, tokenCap: 32)
            try await client.execute(uri: path, method: .post, body: try Self.json(next)) { response in
                #expect(response.status == .conflict)
                let body = try Self.errorBody(response)
                #expect(body.error.code == "unknown_tokenizer")
                #expect(body.error.missing == [gemma.package.digest])
            }
            // Bytes that do not match the digest they are sent under are refused.
            try await client.execute(uri: "/v1/worker/tokenizers/\(gemma.package.digest)", method: .put,
                                     body: ByteBuffer(bytes: hosted.package.bytes)) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/worker/tokenizers/\(gemma.package.digest)", method: .put,
                                     body: ByteBuffer(bytes: gemma.package.bytes)) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: path, method: .post, body: try Self.json(next)) { #expect($0.status == .ok) }
        }
    }

    @Test func malformedRequestsGetClearErrors() async throws {
        try await withWorker { client, _ in
            try await client.execute(uri: "/v1/sessions", method: .post, body: ByteBuffer(string: "{not json")) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.message == "the request body is not valid JSON")
            }
            try await client.execute(uri: "/v1/sessions", method: .post, body: ByteBuffer(string: #"{"prompt": 5}"#)) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.param == "prompt")
                #expect(body.error.message.contains("wrong type"))
            }
            try await client.execute(uri: "/v1/sessions", method: .post, body: ByteBuffer(string: "{}")) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.message == "missing required field 'prompt'")
            }
            try await client.execute(uri: "/v1/sessions/sess-nope/assess", method: .post,
                                     body: try Self.json(WorkerAPI.Assess(candidates: []))) {
                #expect($0.status == .notFound)
                let body = try Self.errorBody($0)
                #expect(body.error.code == "session_not_found")
            }
            try await client.execute(uri: "/v1/completions", method: .post,
                                     body: ByteBuffer(string: #"{"prompt": "Hi", "max_tokens": 100000}"#)) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.param == "max_tokens")
            }
            // A whole answer's budget is checked before generating: negative, or beyond the context.
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "Hello"))) {
                try Self.decode(WorkerAPI.Opened.self, $0)
            }
            for budget in [-1, 0, 1_000_000_000] {
                try await client.execute(uri: "/v1/sessions/\(opened.sessionId)/answer", method: .post,
                                         body: try Self.json(WorkerAPI.Answer(maxTokens: budget, stop: []))) {
                    #expect($0.status == .badRequest, "max_tokens \(budget)")
                    let body = try Self.errorBody($0)
                    #expect(body.error.param == "max_tokens")
                    #expect(body.error.message.contains("got \(budget)"))
                }
            }
        }
    }

    /// A session reads its prompt only at its first use, so the worker checks at the open that the
    /// model's context can hold it, and answers there with the prompt's length and the context's.
    @Test func aPromptLongerThanTheContextIsRefusedWhenTheSessionOpens() async throws {
        let hosted = try HostedModel(path: try SyntheticModel.bytePairs.path(), name: "synthetic-short", contextLength: 64)
        let app = Application(router: WorkerServer(hosted: hosted).makeRouter())
        try await app.test(.router) { client in
            let long = String(repeating: "the cat sat. ", count: 20)
            let count = hosted.tokenizer.promptTokenCount(long)
            #expect(count > 64)
            try await client.execute(uri: "/v1/sessions", method: .post, body: try Self.json(WorkerAPI.Open(prompt: long))) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.code == "context_length_exceeded")
                #expect(body.error.message.contains("the prompt is \(count) tokens, more than the context of 64 tokens"),
                        "\(body.error.message)")
            }
            let short = "the cat sat."
            let opened = try await client.execute(uri: "/v1/sessions", method: .post, body: try Self.json(WorkerAPI.Open(prompt: short))) {
                #expect($0.status == .ok)
                return try Self.decode(WorkerAPI.Opened.self, $0)
            }
            #expect(opened.promptTokens == hosted.tokenizer.promptTokenCount(short))
            // Reopening the session with the long prompt is refused the same way.
            try await client.execute(uri: "/v1/sessions/\(opened.sessionId)/open", method: .post,
                                     body: try Self.json(WorkerAPI.Open(prompt: long))) {
                #expect($0.status == .badRequest)
                let body = try Self.errorBody($0)
                #expect(body.error.code == "context_length_exceeded")
            }
        }
    }

    /// A master chooses its session ids, so it can close a session whose open it gave up on: a DELETE
    /// that comes before the open is remembered, and the open then does not register the session.
    @Test func aSessionClosedBeforeItsOpenIsNeverRegistered() async throws {
        try await withWorker { client, _ in
            let chosen = "sess-" + UUID().uuidString.lowercased()
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "Hello", sessionId: chosen))) {
                #expect($0.status == .ok)
                return try Self.decode(WorkerAPI.Opened.self, $0)
            }
            #expect(opened.sessionId == chosen)
            let early = "sess-" + UUID().uuidString.lowercased()
            try await client.execute(uri: "/v1/sessions/\(early)", method: .delete) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/sessions", method: .post,
                                     body: try Self.json(WorkerAPI.Open(prompt: "Hello", sessionId: early))) {
                #expect($0.status == .gone)
                let body = try Self.errorBody($0)
                #expect(body.error.code == "session_closed")
            }
            try await client.execute(uri: "/v1/sessions", method: .post,
                                     body: try Self.json(WorkerAPI.Open(prompt: "Hello", sessionId: "../etc"))) {
                #expect($0.status == .badRequest)
            }
            let info = try await client.execute(uri: "/v1/worker", method: .get) { try Self.decode(WorkerAPI.Info.self, $0) }
            #expect(info.sessions == 1)
        }
    }

    /// Expiry asserted on state, not on a timing guess: a session may only be gone once more than the
    /// idle timeout has passed since the client last used it, and an unused one does go (bounded wait).
    @Test func idleSessionsExpire() async throws {
        let timeout = Duration.seconds(2)
        try await withWorker(idleTimeout: timeout) { client, _ in
            let clock = ContinuousClock()
            let opening = clock.now
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "Hello"))) {
                try Self.decode(WorkerAPI.Opened.self, $0)
            }
            let continuation = "/v1/sessions/\(opened.sessionId)/continuation"
            let lastUse = clock.now
            let status = try await client.execute(uri: continuation, method: .get) { $0.status }
            if status == .notFound {
                // Only legitimate on a machine so loaded that the round trip outlasted the timeout.
                #expect(clock.now - opening > timeout, "the session expired before its idle timeout")
                return
            }
            #expect(status == .ok)
            // Unused, it is freed once the timeout has passed since that call (`/v1/worker` counts the
            // sessions without using them).
            var sessions = 1
            while sessions > 0, clock.now - lastUse < .seconds(120) {
                try await Task.sleep(for: .milliseconds(100))
                sessions = try await client.execute(uri: "/v1/worker", method: .get) {
                    try Self.decode(WorkerAPI.Info.self, $0).sessions
                }
            }
            #expect(sessions == 0)
            #expect(clock.now - lastUse > timeout, "the session expired before its idle timeout")
            try await client.execute(uri: continuation, method: .get) {
                #expect($0.status == .notFound)
                let body = try Self.errorBody($0)
                #expect(body.error.code == "session_not_found")
            }
        }
    }

    /// A call that runs longer than the idle timeout keeps its session (it is in use, not idle).
    @Test func aSessionInUseDoesNotExpire() async throws {
        let timeout = Duration.seconds(2)
        try await withWorker(idleTimeout: timeout) { client, _ in
            let clock = ContinuousClock()
            let opening = clock.now
            let opened = try await client.execute(uri: "/v1/sessions", method: .post,
                                                  body: try Self.json(WorkerAPI.Open(prompt: "Once upon a time"))) {
                try Self.decode(WorkerAPI.Opened.self, $0)
            }
            let base = "/v1/sessions/\(opened.sessionId)"
            // While a long answer is written, other requests keep reaping (each look-up reaps).
            async let answered = client.execute(uri: base + "/answer", method: .post,
                                                body: try Self.json(WorkerAPI.Answer(maxTokens: 200, stop: []))) {
                ($0.status, clock.now)
            }
            var samples: [(sessions: Int, at: ContinuousClock.Instant)] = []
            for _ in 0..<30 {
                try await Task.sleep(for: .milliseconds(100))
                let sessions = try await client.execute(uri: "/v1/worker", method: .get) {
                    try Self.decode(WorkerAPI.Info.self, $0).sessions
                }
                samples.append((sessions, clock.now))
            }
            let (status, endedAt) = try await answered
            if status == .notFound {
                // Only legitimate on a machine so loaded that the answer started after the idle timeout.
                #expect(endedAt - opening > timeout, "the session expired before its idle timeout")
                return
            }
            #expect(status == .ok)
            // Every count read before the answer came back saw the session.
            let during = samples.filter { $0.at < endedAt }.map(\.sessions)
            #expect(during.allSatisfy { $0 == 1 }, "\(during)")
        }
    }

    @Test func completionsEchoPromptLogprobsLikeVLLM() async throws {
        try await withWorker { client, hosted in
            let request = OpenAIWire.CompletionRequest(prompt: .text("The capital of France is"), maxTokens: 4,
                                                       echo: true, logprobs: 2)
            let response = try await client.execute(uri: "/v1/completions", method: .post, body: try Self.json(request)) {
                #expect($0.status == .ok)
                return try Self.decode(OpenAIWire.CompletionResponse.self, $0)
            }
            let promptTokens = hosted.tokenizer.encode("The capital of France is")
            let choice = try #require(response.choices.first)
            let logprobs = try #require(choice.logprobs)
            let generated = try #require(response.usage).completionTokens
            #expect(response.usage?.promptTokens == promptTokens.count)
            #expect(logprobs.tokens.count == promptTokens.count + generated)
            #expect(logprobs.tokenLogprobs[0] == nil)
            #expect(logprobs.tokenLogprobs.dropFirst().allSatisfy { ($0 ?? 1) <= 0 })
            #expect(choice.text.hasPrefix("The capital of France is"))
            #expect(logprobs.tokens.prefix(promptTokens.count).joined() == "The capital of France is")
            // Generated tokens carry their 2 most likely alternatives, the chosen (greedy) one among them.
            for index in promptTokens.count..<logprobs.tokens.count {
                let top = try #require(logprobs.topLogprobs[index])
                #expect(top.count == 2)
                #expect(top[logprobs.tokens[index]] != nil)
            }
            // The prompt's log-probabilities are the engine's own scores of those tokens.
            let session = hosted.model.makeSession()
            try session.append([promptTokens[0]])
            let expected = try session.score(Array(promptTokens.dropFirst())).map { Double($0) }
            #expect(Array(logprobs.tokenLogprobs[1..<promptTokens.count]).map { $0 ?? 0 } == expected)
        }
    }

    @Test func tokenizeAndDetokenizeRoundTrip() async throws {
        try await withWorker { client, hosted in
            let text = "Cool-Fusion fuses models, 東京 🙂"
            let tokens = try await client.execute(uri: "/tokenize", method: .post,
                                                  body: ByteBuffer(string: #"{"prompt": "\#(text)", "add_special_tokens": false}"#)) {
                #expect($0.status == .ok)
                return try Self.decode(TokenizeResult.self, $0)
            }
            #expect(tokens.tokens == hosted.tokenizer.encode(text))
            #expect(tokens.maxModelLen == hosted.contextLength)
            let detokenized = try await client.execute(uri: "/detokenize", method: .post,
                                                       body: try Self.json(["tokens": tokens.tokens])) {
                try Self.decode([String: String].self, $0)
            }
            #expect(detokenized["prompt"] == text)
        }
    }

    struct TokenizeResult: Decodable {
        var tokens: [Int32]
        var count: Int
        var maxModelLen: Int
    }
}
