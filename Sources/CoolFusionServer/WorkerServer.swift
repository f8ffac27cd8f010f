import CoolFusion
import CoolFusionLocal
import CoolFusionEngine
import CoolFusionRemote
import CoolFusionTokenizers
import Foundation
import Hummingbird

/// `coolfusion worker`: one source model behind the worker protocol (`WorkerAPI`), plus vLLM-shaped
/// `/v1/completions`, `/tokenize` and `/detokenize`.
public struct WorkerServer: Sendable {
    public let hosted: HostedModel
    let sessions: WorkerSessions
    let splitters: SplitterStore
    /// The served model's identity, reported with every session so a master notices a swapped model.
    public let modelDigest: String
    /// The most bytes a prompt can have and still fit the context: longer ones are refused untokenised.
    let promptByteLimit: Int

    public init(hosted: HostedModel, idleTimeout: Duration = .seconds(300), maximumSessions: Int = 64) {
        self.hosted = hosted
        sessions = WorkerSessions(idleTimeout: idleTimeout, maximumSessions: maximumSessions)
        splitters = SplitterStore(own: hosted.splitter)
        modelDigest = ModelIdentity.digest(of: hosted.model.file)
        promptByteLimit = RequestSizeBudget(members: [hosted]).promptBytes[0]
    }

    /// Refuses a prompt too long in bytes to fit the context, before it is tokenised.
    func checkSize(_ prompt: String) throws {
        guard prompt.utf8.count <= promptByteLimit else {
            throw APIError(.badRequest, "the prompt is \(prompt.utf8.count) bytes, more than the \(promptByteLimit) bytes "
                           + "that can fit the context of \(hosted.contextLength) tokens", param: "prompt",
                           code: "context_length_exceeded")
        }
    }

    /// Frees idle sessions every `interval` until cancelled (run it beside the server).
    public func reapIdleSessions(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await sessions.reap()
        }
    }

    public var sessionCount: Int { get async { await sessions.count } }

    public func makeRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: ErrorLoggingMiddleware())
        router.get("/health") { _, _ in JSONAnswer(["status": "ok", "model": hosted.name]) }
        router.get("/v1/models") { _, _ in
            JSONAnswer(OpenAIWire.ModelList(object: "list", data: [
                .init(id: hosted.name, object: "model", created: 0, ownedBy: "coolfusion-worker"),
            ]))
        }
        router.get("/v1/worker") { _, _ in
            JSONAnswer(WorkerAPI.Info(name: hosted.name, architecture: hosted.model.architectureName,
                                      contextLength: hosted.contextLength, tokenizerDigest: hosted.package.digest,
                                      sessions: await sessions.count, modelDigest: modelDigest))
        }
        router.get("/v1/worker/tokenizer") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                     body: .init(byteBuffer: ByteBuffer(bytes: hosted.package.bytes)))
        }
        router.put("/v1/worker/tokenizers/:digest") { request, context in
            let digest = try context.parameters.require("digest")
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            try await splitters.add(bytes: Array(body.readableBytesView), digest: digest)
            return Response(status: .noContent)
        }
        addSessionRoutes(to: router)
        addTokenRoutes(to: router)
        MethodGuard.add(to: router, routes: [("/health", .get), ("/v1/models", .get), ("/v1/worker", .get),
                                             ("/v1/worker/tokenizer", .get), ("/v1/sessions", .post),
                                             ("/v1/completions", .post), ("/tokenize", .post), ("/detokenize", .post)])
        return router
    }

    /// The prompt's token count, refused when the model's context cannot hold it. The session reads
    /// the prompt only at its first use, so without this check the error would come from that call.
    private func fittingPromptTokens(_ prompt: String) throws -> Int {
        let count = hosted.tokenizer.promptTokenCount(prompt)
        guard count <= hosted.contextLength else {
            throw APIError(.badRequest, "the prompt is \(count) tokens, more than the context of \(hosted.contextLength) tokens "
                           + "of model \(hosted.name); shorten the prompt", param: "prompt", code: "context_length_exceeded")
        }
        return count
    }

    private func addSessionRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/sessions") { request, context in
            let open = try await RequestBody.decode(WorkerAPI.Open.self, from: request, context: context)
            try checkSize(open.prompt)
            if let chosen = open.sessionId { try WorkerSessions.validate(chosen: chosen) }
            let promptTokens = try fittingPromptTokens(open.prompt)
            let model = hosted.makeEngineSourceModel()
            try await model.open(prompt: open.prompt)
            let id = try await sessions.add(model, id: open.sessionId)
            return JSONAnswer(WorkerAPI.Opened(sessionId: id, promptTokens: promptTokens, modelDigest: modelDigest))
        }
        router.post("/v1/sessions/:id/open") { request, context in
            let id = try context.parameters.require("id")
            let open = try await RequestBody.decode(WorkerAPI.Open.self, from: request, context: context)
            try checkSize(open.prompt)
            let promptTokens = try fittingPromptTokens(open.prompt)
            try await withSession(id) { model in try await model.open(prompt: open.prompt) }
            return JSONAnswer(WorkerAPI.Opened(sessionId: id, promptTokens: promptTokens, modelDigest: modelDigest))
        }
        router.post("/v1/sessions/:id/next_segment") { request, context in
            let id = try context.parameters.require("id")
            let next = try await RequestBody.decode(WorkerAPI.NextSegment.self, from: request, context: context)
            guard next.splitters.indices.contains(next.ownIndex) else {
                throw APIError.badRequest("own_index \(next.ownIndex) is outside the \(next.splitters.count) splitters",
                                          param: "own_index")
            }
            var known: [any WordSplitter] = []
            var missing: [String] = []
            for digest in next.splitters {
                if let splitter = await splitters.splitter(digest) { known.append(splitter) } else { missing.append(digest) }
            }
            guard missing.isEmpty else {
                throw APIError(.conflict, "unknown tokenizers \(missing.joined(separator: ", ")); upload them first",
                               code: "unknown_tokenizer", missing: missing)
            }
            let rule = SegmentBoundaryRule(splitters: known, ownIndex: next.ownIndex,
                                           ownBoundariesOnly: next.ownBoundariesOnly, stop: next.stop)
            let proposal = try await withSession(id) { model in
                if let draft = next.draft { return try await model.nextSegment(rule: rule, tokenCap: next.tokenCap, draft: draft) }
                return try await model.nextSegment(rule: rule, tokenCap: next.tokenCap)
            }
            return JSONAnswer(WorkerAPI.Proposal(proposal))
        }
        router.post("/v1/sessions/:id/assess") { request, context in
            let id = try context.parameters.require("id")
            let assess = try await RequestBody.decode(WorkerAPI.Assess.self, from: request, context: context)
            let results = try await withSession(id) { model in try await model.assess(assess.candidates) }
            return JSONAnswer(WorkerAPI.Assessments(assessments: results.map(WorkerAPI.Assessment.init)))
        }
        router.post("/v1/sessions/:id/commit") { request, context in
            let id = try context.parameters.require("id")
            let commit = try await RequestBody.decode(WorkerAPI.Commit.self, from: request, context: context)
            let tokens = try await withSession(id) { model in try await model.commit(candidateAt: commit.index) }
            return JSONAnswer(WorkerAPI.Tokens(tokens: tokens))
        }
        router.post("/v1/sessions/:id/commit_text") { request, context in
            let id = try context.parameters.require("id")
            let commit = try await RequestBody.decode(WorkerAPI.CommitText.self, from: request, context: context)
            let tokens = try await withSession(id) { model in try await model.commit(text: commit.text) }
            return JSONAnswer(WorkerAPI.Tokens(tokens: tokens))
        }
        router.get("/v1/sessions/:id/continuation") { _, context in
            let tokens = try await withSession(try context.parameters.require("id")) { model in
                await model.committedContinuation()
            }
            return JSONAnswer(WorkerAPI.Tokens(tokens: tokens))
        }
        router.post("/v1/sessions/:id/answer") { request, context in
            let id = try context.parameters.require("id")
            let answer = try await RequestBody.decode(WorkerAPI.Answer.self, from: request, context: context)
            // Checked before generating: a budget beyond the context would only be refused once it ran out.
            guard (1...hosted.contextLength).contains(answer.maxTokens) else {
                throw APIError.badRequest("max_tokens must be between 1 and the context length \(hosted.contextLength), "
                                          + "got \(answer.maxTokens)", param: "max_tokens")
            }
            let result = try await withSession(id) { model in
                try await model.generateAnswer(maxTokens: answer.maxTokens, stopSequences: answer.stop)
            }
            return JSONAnswer(WorkerAPI.Answered(result))
        }
        router.delete("/v1/sessions/:id") { _, context in
            let id = try context.parameters.require("id")
            guard await sessions.remove(id) else {
                throw APIError(.notFound, "no session '\(id)'", code: "session_not_found")
            }
            return Response(status: .noContent)
        }
    }

    private func addTokenRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/completions") { request, context in
            let body = try await RequestBody.decode(OpenAIWire.CompletionRequest.self, from: request, context: context)
            if body.stream == true { throw APIError.badRequest("the worker does not stream; omit stream", param: "stream") }
            let scorer = CompletionScorer(hosted: hosted)
            // A whole generation: on a thread of its own, off the cooperative pool (see ComputeThread).
            return JSONAnswer(try await Self.mapped {
                try await ComputeThread.detached(name: "cf completion") { try scorer.complete(body) }
            })
        }
        router.post("/tokenize") { request, context in
            let body = try await RequestBody.decode(TokenizeRequest.self, from: request, context: context)
            try checkSize(body.prompt)
            // As vLLM's `add_special_tokens`: with it, the prompt as the model reads one (BOS, special
            // tokens parsed); without, plain text.
            let tokens = body.addSpecialTokens ?? true
                ? hosted.tokenizer.encodePrompt(body.prompt) : hosted.tokenizer.encode(body.prompt)
            return JSONAnswer(TokenizeResponse(tokens: tokens, count: tokens.count, maxModelLen: hosted.contextLength))
        }
        router.post("/detokenize") { request, context in
            let body = try await RequestBody.decode(DetokenizeRequest.self, from: request, context: context)
            let count = hosted.tokenizer.vocabulary.count
            for token in body.tokens where token < 0 || Int(token) >= count {
                throw APIError.badRequest("token id \(token) is outside the vocabulary (0..<\(count))", param: "tokens")
            }
            var bytes: [UInt8] = []
            for token in body.tokens { bytes += hosted.tokenizer.tokenBytes(token) }
            return JSONAnswer(DetokenizeResponse(prompt: String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// Runs one call on session `id`'s model (so the session cannot expire during it), turning the
    /// fusion's and the engine's misuse errors into 4xx answers.
    func withSession<T: Sendable>(_ id: String, _ body: (EngineSourceModel) async throws -> T) async throws -> T {
        let model = try await sessions.checkOut(id)
        do {
            let result = try await body(model)
            await sessions.checkIn(id)
            return result
        } catch {
            await sessions.checkIn(id)
            throw ErrorMapping.apiError(error)
        }
    }

    /// Runs a model operation, turning the fusion's and the engine's misuse errors into 4xx answers.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw ErrorMapping.apiError(error) }
    }
}

struct TokenizeRequest: Codable {
    var prompt: String
    var addSpecialTokens: Bool?
}

struct TokenizeResponse: Codable {
    var tokens: [TokenID]
    var count: Int
    var maxModelLen: Int
}

struct DetokenizeRequest: Codable {
    var tokens: [TokenID]
}

struct DetokenizeResponse: Codable {
    var prompt: String
}
