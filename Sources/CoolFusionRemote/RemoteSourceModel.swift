import CoolFusion
import CoolFusionTokenizers
import Foundation

/// The master's side of a source model hosted by `coolfusion worker`: every `SourceModel` operation is
/// one call of the worker protocol (`WorkerAPI`) on this object's session. Tokenizing (T2, T3) and word
/// splitting run locally on the worker's downloaded tokenizer.
///
/// Call `close()` when the generation is done so the worker frees the session at once (it would
/// otherwise expire after the worker's idle timeout). Opening and closing a session are shielded from
/// the generation's cancellation (a client that hangs up cancels it): a session the worker created
/// must become known here, and its deletion must be sent, or the worker holds it until it expires.
public actor RemoteSourceModel: SourceModel {
    public nonisolated let name: String
    public nonisolated let worker: RemoteWorker
    public nonisolated var wordSplitter: any WordSplitter { worker.splitter }

    private var sessionID: String?
    /// The committed tokens as the commits returned them (exact unless the worker re-tokenized a junction).
    private var committed: [TokenID] = []
    /// Whether a call of this generation timed out or lost the worker: closing then does not wait on
    /// it (that would wait a second timeout for the same failure).
    private var workerFailed = false

    init(worker: RemoteWorker) {
        self.worker = worker
        self.name = worker.name
    }

    private var client: WorkerClient { worker.client }

    // MARK: M1

    public func open(prompt: String) async throws {
        try await tracked { try await openSession(prompt: prompt) }
    }

    private func openSession(prompt: String) async throws {
        committed = []
        if let sessionID {
            let answer = try await client.send(.POST, "/v1/sessions/\(sessionID)/open",
                                               body: try encode(WorkerAPI.Open(prompt: prompt)), operation: "open")
            if answer.status != 404 {
                try client.check(answer, operation: "open")
                try verifyModel(client.decode(WorkerAPI.Opened.self, from: answer.body, operation: "open"))
                return
            }
            // The session expired on the worker: start a new one.
            self.sessionID = nil
        }
        // Shielded from cancellation: once sent, the worker creates the session whether or not this
        // generation is still wanted, and only a known session can be closed.
        // The id is chosen here and known before the call: if the open fails or times out, the
        // worker may still create the session, and close() deletes it by this id.
        let client = self.client
        let chosen = "sess-" + UUID().uuidString.lowercased()
        sessionID = chosen
        let opened = try await Task.detached {
            try await client.call(.POST, "/v1/sessions", WorkerAPI.Open(prompt: prompt, sessionId: chosen),
                                  as: WorkerAPI.Opened.self, operation: "open")
        }.value
        sessionID = opened.sessionId
        try verifyModel(opened)
    }

    // MARK: T1

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        try await tracked { try await proposeSegment(rule: rule, tokenCap: tokenCap, draft: nil) }
    }

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal {
        try await tracked { try await proposeSegment(rule: rule, tokenCap: tokenCap, draft: draft) }
    }

    private func proposeSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate?) async throws -> SegmentProposal {
        var packages: [TokenizerPackage] = []
        for (index, splitter) in rule.splitters.enumerated() {
            guard let packaged = splitter as? PackagedWordSplitter else {
                throw RemoteModelError.splitterNotPortable(worker: name, modelIndex: index)
            }
            packages.append(packaged.package)
        }
        let request = WorkerAPI.NextSegment(splitters: packages.map(\.digest), ownIndex: rule.ownIndex,
                                            ownBoundariesOnly: rule.ownBoundariesOnly, tokenCap: tokenCap,
                                            stop: rule.stop, draft: draft)
        let path = try sessionPath("next_segment")
        var answer = try await client.send(.POST, path, body: try encode(request), operation: "next_segment")
        if answer.status == 409, let missing = Self.missingTokenizers(answer.body) {
            for digest in missing {
                guard let package = packages.first(where: { $0.digest == digest }) else { continue }
                let upload = try await client.send(.PUT, "/v1/worker/tokenizers/\(digest)", body: package.bytes,
                                                   contentType: "application/octet-stream", operation: "tokenizer upload")
                try client.check(upload, operation: "tokenizer upload")
            }
            answer = try await client.send(.POST, path, body: try encode(request), operation: "next_segment")
        }
        try client.check(answer, operation: "next_segment")
        return try client.decode(WorkerAPI.Proposal.self, from: answer.body, operation: "next_segment").segmentProposal
    }

    // MARK: M3, M4

    public func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] {
        let result = try await tracked { try await client.call(.POST, try sessionPath("assess"), WorkerAPI.Assess(candidates: candidates),
                                           as: WorkerAPI.Assessments.self, operation: "assess") }
        guard result.assessments.count == candidates.count else {
            throw RemoteModelError.malformedAnswer(
                worker: name, url: client.baseURL, operation: "assess",
                reason: "\(result.assessments.count) assessments for \(candidates.count) candidates")
        }
        return result.assessments.map(\.candidateAssessment)
    }

    @discardableResult
    public func commit(candidateAt index: Int) async throws -> [TokenID] {
        let path = try sessionPath("commit")
        let result = try await tracked {
            try await client.call(.POST, path, WorkerAPI.Commit(index: index), as: WorkerAPI.Tokens.self, operation: "commit")
        }
        committed += result.tokens
        return result.tokens
    }

    @discardableResult
    public func commit(text: String) async throws -> [TokenID] {
        let path = try sessionPath("commit_text")
        let result = try await tracked {
            try await client.call(.POST, path, WorkerAPI.CommitText(text: text), as: WorkerAPI.Tokens.self,
                                  operation: "commit_text")
        }
        committed += result.tokens
        return result.tokens
    }

    /// The worker's own record: a commit may tokenize the end of the earlier text again (see
    /// `SourceModel.commit(candidateAt:)`), which the returned tokens alone cannot show. The mirror
    /// answers if the worker cannot.
    public func committedContinuation() async -> [TokenID] {
        guard let path = try? sessionPath("continuation"),
              let held = try? await client.call(.GET, path, Optional<WorkerAPI.Open>.none, as: WorkerAPI.Tokens.self,
                                                operation: "continuation")
        else { return committed }
        return held.tokens
    }

    public func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        let path = try sessionPath("answer")
        return try await tracked {
            try await client.call(.POST, path, WorkerAPI.Answer(maxTokens: maxTokens, stop: stopSequences),
                                  as: WorkerAPI.Answered.self, operation: "answer").generatedAnswer
        }
    }

    /// Frees the worker's session (best effort: a worker that is gone has nothing to free), also when
    /// the generation was cancelled. Waits for the first attempt only, so closing costs at most one
    /// timeout (none when a call of this generation already failed on the worker).
    public func close() async {
        guard let sessionID else { return }
        self.sessionID = nil
        let client = self.client
        let health = worker.health
        let (firstAttempt, firstAttemptEnded) = AsyncStream.makeStream(of: Void.self)
        Task.detached {
            defer { firstAttemptEnded.finish() }
            // Retried while the worker gives no answer (stalled, restarting), so a session is not left
            // to expire; any answer (204, or 404 for a session gone or never created) ends it.
            for attempt in 0..<Self.closeAttempts {
                if attempt > 0 {
                    firstAttemptEnded.finish()
                    try? await Task.sleep(for: .seconds(2))
                }
                do {
                    _ = try await client.send(.DELETE, "/v1/sessions/\(sessionID)", operation: "close")
                    return
                } catch let error as RemoteModelError where attempt == 0 {
                    // No answer within the timeout: the worker is down for the next generations too,
                    // as after any other call (a generation cancelled mid-call never learnt that).
                    switch error {
                    case .timedOut, .unreachable: health.markDown(error.description, probing: client)
                    default: break
                    }
                } catch {}
            }
        }
        // A worker that just failed is not waited on again: the deletion goes on in the background
        // (bounded by the timeout per attempt), and the session expires on the worker if it never arrives.
        if workerFailed || health.isDown { return }
        // Waited for outside the generation's cancellation (a client that hung up cancels it), so the
        // session is gone on the worker when the request ends.
        await Task.detached { for await _ in firstAttempt {} }.value
    }

    /// Attempts at deleting a session on a worker that does not answer (a few minutes with the
    /// default timeout: by then the worker has expired the session itself).
    static let closeAttempts = 10

    // MARK: T2, T3 (local)

    public nonisolated func encode(_ text: String) -> [TokenID] { worker.tokenizer.encode(text) }

    public nonisolated func decode(_ tokens: [TokenID]) -> String {
        var bytes: [UInt8] = []
        for token in tokens { bytes += worker.tokenizer.tokenBytes(token) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: helpers

    private func sessionPath(_ operation: String) throws -> String {
        guard let sessionID else {
            throw RemoteModelError.failed(worker: name, url: client.baseURL, operation: operation, status: 0,
                                          message: "no open session (call open first)")
        }
        return "/v1/sessions/\(sessionID)/\(operation)"
    }

    /// Checks that the worker still serves the model it served at start-up (a model swapped behind the
    /// same URL must not be fused under the old name). The session stays known, so `close()` frees it.
    private func verifyModel(_ opened: WorkerAPI.Opened) throws {
        guard let expected = worker.info.modelDigest, opened.modelDigest != expected else { return }
        throw RemoteModelError.modelChanged(worker: name, url: client.baseURL, expected: expected, found: opened.modelDigest)
    }

    /// Runs one call of the worker protocol: at once refused while the worker is down, and its outcome
    /// recorded in the worker's health (a timeout or a lost connection marks it down).
    private func tracked<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        if case .down(let reason) = worker.health.state {
            workerFailed = true
            throw RemoteModelError.down(worker: name, url: client.baseURL, reason: reason)
        }
        do {
            let result = try await call()
            worker.health.markUp()
            return result
        } catch let error as RemoteModelError {
            switch error {
            case .timedOut, .unreachable:
                workerFailed = true
                worker.health.markDown(error.description, probing: client)
            default:
                worker.health.markUp()
            }
            throw error
        }
    }

    private func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try WireCoding.encoder().encode(value))
    }

    private static func missingTokenizers(_ body: [UInt8]) -> [String]? {
        guard let parsed = try? WireCoding.decoder().decode(APIErrorBody.self, from: .init(body)),
              parsed.error.code == "unknown_tokenizer" else { return nil }
        return parsed.error.missing
    }
}
