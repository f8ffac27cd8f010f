import CoolFusion
import CoolFusionTokenizers

/// A source model over a stateless OpenAI-compatible engine. The engine keeps no state for us, so the
/// token history lives here and every call sends it as a token-id prompt (an engine with prefix
/// caching, as vLLM has, then recomputes little):
///
/// - T1: greedy tokens are requested in chunks (`max_tokens` = `chunkSize`, token ids and their
///   log-probabilities back) until the text has a cut allowed by the boundary rule; tokens past the
///   cut are kept and reused if this model's candidate wins, as `LocalSourceModel` does.
/// - M3: each candidate is scored by one `echo` + `logprobs` request on context + candidate tokens
///   (the prompt log-probabilities of the candidate's positions); this model's own candidate is scored
///   from the log-probabilities it was generated with.
/// - M4: the winner's tokens are appended to the local history.
public actor OpenAICompatibleSourceModel: SourceModel {
    public nonisolated let name: String
    public nonisolated let engine: OpenAICompatibleEngine
    public nonisolated var wordSplitter: any WordSplitter { engine.splitter }
    /// Tokens requested per generation call.
    public var chunkSize = 8

    private var promptTokens: [TokenID] = []
    private var committed: [TokenID] = []
    /// Tokens generated past the committed state (T1's bookkeeping, shared with local models).
    private var pending = PendingTokens()
    /// Tokens fetched from the engine after `pending`, not yet looked at by the boundary rule.
    private var lookahead: [GeneratedToken] = []
    /// The engine ended its generation right after `lookahead` (with this end token's log-prob, if it
    /// returned the token).
    private var endAfterLookahead: EngineEnd?
    private var own: OwnProposal?
    private var assessed: [(candidate: Candidate, tokens: [TokenID], reuse: Int?)] = []

    init(engine: OpenAICompatibleEngine) {
        self.engine = engine
        self.name = engine.name
    }

    private var tokenizer: Tokenizer { engine.tokenizer }

    public func open(prompt: String) async throws {
        promptTokens = tokenizer.encodePrompt(prompt)
        guard !promptTokens.isEmpty else { throw FusionError.emptyPrompt(model: name) }
        committed = []
        forgetGenerated()
    }

    private func forgetGenerated() {
        pending.removeAll()
        lookahead = []
        endAfterLookahead = nil
        own = nil
        assessed = []
    }

    // MARK: T1

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) async throws -> SegmentProposal {
        guard tokenCap >= 1 else { throw FusionError.invalidTokenCap(tokenCap) }
        let reused = pending.count
        var generated = 0
        // Tokens arrive in chunks but are revealed to the rule one at a time, so the cut does not
        // depend on the chunk size and is the one a local model would make.
        while true {
            let outcome = pending.draw(rule: rule, tokenCap: tokenCap, generated: &generated) { _ in
                if !lookahead.isEmpty {
                    let next = lookahead.removeFirst()
                    return .token(next, bytes: tokenizer.tokenBytes(next.token))
                }
                if let end = endAfterLookahead { return .end(logProb: end.logProb) }
                return .notYet
            }
            switch outcome {
            case .cut(let cut):
                let proposal = pending.proposal(at: cut, canonical: { tokenizer.encode($0) },
                                                endToken: tokenizer.endOfGenerationToken)
                own = proposal
                return SegmentProposal(candidate: proposal.candidate, alignment: cut.alignment, tokensGenerated: generated,
                                       tokensReused: reused, confidences: proposal.confidences)
            case .needsTokens:
                let chunk = try await generate(count: chunkSize)
                lookahead = chunk.tokens
                endAfterLookahead = chunk.end
            }
        }
    }

    // MARK: M3, M4

    public func assess(_ candidates: [Candidate]) async throws -> [CandidateAssessment] {
        var results: [CandidateAssessment] = []
        assessed = []
        for candidate in candidates {
            if let own, own.candidate == candidate, let count = own.reusableTokenCount, let logProbs = own.reusableLogProbs {
                results.append(CandidateAssessment(logProbs: logProbs))
                assessed.append((candidate, Array(pending.tokens.prefix(count)), count))
                continue
            }
            var tokens = tokenizer.encode(candidate.text)
            let textTokens = tokens
            if candidate.isFinal, let end = tokenizer.endOfGenerationToken { tokens.append(end) }
            assessed.append((candidate, textTokens, nil))
            guard !tokens.isEmpty else {
                results.append(CandidateAssessment(tokenCount: 0, totalNLL: 0))
                continue
            }
            results.append(CandidateAssessment(logProbs: try await score(tokens)))
        }
        return results
    }

    @discardableResult
    public func commit(candidateAt index: Int) async throws -> [TokenID] {
        guard assessed.indices.contains(index) else {
            if assessed.isEmpty { throw FusionError.noAssessment(model: name) }
            throw FusionError.candidateIndexOutOfRange(model: name, index: index, count: assessed.count)
        }
        let chosen = assessed[index]
        committed += chosen.tokens
        if let count = chosen.reuse, !chosen.candidate.isFinal {
            pending.removeFirst(count)
            own = nil
            assessed = []
        } else {
            forgetGenerated()
        }
        return chosen.tokens
    }

    @discardableResult
    public func commit(text: String) async throws -> [TokenID] {
        let tokens = tokenizer.encode(text)
        committed += tokens
        forgetGenerated()
        return tokens
    }

    public func committedContinuation() async -> [TokenID] { committed }

    public func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        var request = OpenAIWire.CompletionRequest(model: engine.remoteModel, prompt: .tokens(history.map(Int.init)),
                                                   maxTokens: maxTokens, temperature: 0)
        if !stopSequences.isEmpty { request.stop = OpenAIWire.Stop(stopSequences) }
        let response = try await engine.client.call(.POST, "/v1/completions", request,
                                                    as: OpenAIWire.CompletionResponse.self, operation: "completion")
        guard let choice = response.choices.first else { throw malformed("answer", "no choices") }
        return GeneratedAnswer(text: choice.text, endedByModel: choice.finishReason == "stop" && stopSequences.isEmpty,
                               tokenCount: response.usage?.completionTokens ?? tokenizer.encode(choice.text).count)
    }

    public nonisolated func encode(_ text: String) -> [TokenID] { engine.tokenizer.encode(text) }

    public nonisolated func decode(_ tokens: [TokenID]) -> String {
        String(decoding: tokens.flatMap { engine.tokenizer.tokenBytes($0) }, as: UTF8.self)
    }

    // MARK: engine calls

    private var history: [TokenID] { promptTokens + committed }

    /// Greedy continuation of history + pending: up to `count` tokens with their log-probabilities;
    /// `ended` when the engine stopped on its own end-of-generation token.
    private func generate(count: Int) async throws -> (tokens: [GeneratedToken], end: EngineEnd?) {
        let context = history + pending.tokens + lookahead.map(\.token)
        let request = OpenAIWire.CompletionRequest(
            model: engine.remoteModel, prompt: .tokens(context.map(Int.init)), maxTokens: count, temperature: 0,
            logprobs: 0, returnTokensAsTokenIds: true)
        let response = try await engine.client.call(.POST, "/v1/completions", request,
                                                    as: OpenAIWire.CompletionResponse.self, operation: "generation")
        guard let choice = response.choices.first, let logprobs = choice.logprobs else {
            throw malformed("generation", "no log-probabilities in the answer")
        }
        let ids = try logprobs.tokens.map(parseTokenID)
        guard ids.count == logprobs.tokenLogprobs.count else { throw malformed("generation", "token and log-probability counts differ") }
        var tokens: [GeneratedToken] = []
        for (id, logProb) in zip(ids, logprobs.tokenLogprobs) {
            // An engine that returns the end-of-generation token it stopped on tells its log-prob too.
            if tokenizer.isEndOfGeneration(id) { return (tokens, EngineEnd(logProb: logProb.map(Float.init))) }
            tokens.append(GeneratedToken(token: id, logProb: Float(logProb ?? 0)))
        }
        let ended = choice.finishReason == "stop" || (tokens.count < count && choice.finishReason != "length")
        return (tokens, ended ? EngineEnd(logProb: nil) : nil)
    }

    /// log p of each of `tokens` after the history (one echo request).
    private func score(_ tokens: [TokenID]) async throws -> [Float] {
        let context = history
        let request = OpenAIWire.CompletionRequest(
            model: engine.remoteModel, prompt: .tokens((context + tokens).map(Int.init)), maxTokens: 1, temperature: 0,
            echo: true, logprobs: 0, returnTokensAsTokenIds: true)
        let response = try await engine.client.call(.POST, "/v1/completions", request,
                                                    as: OpenAIWire.CompletionResponse.self, operation: "scoring")
        guard let logprobs = response.choices.first?.logprobs else {
            throw RemoteModelError.unsupported(worker: name, url: engine.client.baseURL,
                                               what: "it returned no prompt log-probabilities for echo + logprobs")
        }
        let all = context.count + tokens.count
        guard logprobs.tokenLogprobs.count >= all, logprobs.tokens.count >= all else {
            throw malformed("scoring", "\(logprobs.tokenLogprobs.count) echoed log-probabilities for a prompt of \(all) tokens")
        }
        let echoed = try logprobs.tokens[context.count..<all].map(parseTokenID)
        guard echoed == tokens else { throw malformed("scoring", "the echoed tokens differ from the prompt sent") }
        return try logprobs.tokenLogprobs[context.count..<all].map { value in
            guard let value else { throw malformed("scoring", "a null log-probability inside the prompt") }
            return Float(value)
        }
    }

    /// vLLM's `return_tokens_as_token_ids` spelling: `token_id:123`.
    private func parseTokenID(_ label: String) throws -> TokenID {
        guard label.hasPrefix("token_id:"), let id = TokenID(label.dropFirst("token_id:".count)) else {
            throw RemoteModelError.unsupported(worker: name, url: engine.client.baseURL,
                                               what: "it does not return token ids (return_tokens_as_token_ids), got '\(label)'")
        }
        return id
    }

    private func malformed(_ operation: String, _ reason: String) -> RemoteModelError {
        .malformedAnswer(worker: name, url: engine.client.baseURL, operation: operation, reason: reason)
    }
}

/// Where an engine ended its generation, with the log-probability of the end-of-generation token when
/// the engine returned that token.
private struct EngineEnd {
    var logProb: Float?
}
