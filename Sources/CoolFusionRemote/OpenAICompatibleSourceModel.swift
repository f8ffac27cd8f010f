import CoolFusion
import CoolFusionTokenizers

/// A source model over a stateless OpenAI-compatible engine. The engine keeps no state for us, so the
/// history lives here and every call sends all of it (an engine with prefix caching, as vLLM and
/// llama.cpp's server have, then recomputes little): as token ids (`PromptMode.tokenIDs`), or as the
/// prompt and committed text (`PromptMode.text`, for engines that take only strings; see below).
///
/// - T1: greedy tokens are requested in chunks (`max_tokens` = `chunkSize`, token ids and their
///   log-probabilities back) until the text has a cut allowed by the boundary rule; tokens past the
///   cut are kept and reused if this model's candidate wins, as `LocalSourceModel` does.
/// - M3: each candidate is scored by one `echo` + `logprobs` request on context + candidate tokens
///   (the prompt log-probabilities of the candidate's positions); this model's own candidate is scored
///   from the log-probabilities it was generated with.
/// - M4: the winner's tokens are appended to the local history.
///
/// In text mode the engine tokenizes what it is sent, so the context it reads is its own tokenization
/// of the whole text (BOS added by the engine as its model wants, as `Tokenizer.encodePrompt` does),
/// and its tokens come back as text with offsets (`EchoedText`):
///
/// - T1: the text of context + pending tokens is sent; each generated token's text is encoded with
///   the local tokenizer (one token when the tokenizers agree, as they should for the same vocabulary)
///   and carries the engine's log-probability, so `PendingTokens` cuts exactly as for a local model.
/// - M3: context + candidate (+ the end-of-generation token's text for a final candidate) is echoed;
///   the candidate's log-probabilities are those of the engine's tokens in the candidate's span, found
///   from the end of the echoed prompt. Where the engine's tokenization of the joined text merges
///   context and candidate across the junction, the merged token is counted with the candidate.
public actor OpenAICompatibleSourceModel: SourceModel {
    public nonisolated let name: String
    public nonisolated let engine: OpenAICompatibleEngine
    public nonisolated var wordSplitter: any WordSplitter { engine.splitter }
    /// Tokens requested per generation call.
    public var chunkSize = 8

    private var promptTokens: [TokenID] = []
    private var committed: [TokenID] = []
    /// The prompt and the committed text as sent in text mode.
    private var promptText = ""
    private var committedText = ""
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
        promptText = prompt
        committedText = ""
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
                // An answer that neither adds a token nor ends would be asked for again forever.
                guard !chunk.tokens.isEmpty || chunk.end != nil else {
                    throw malformed("generation", "no token and no end of generation in an answer to max_tokens \(chunkSize)")
                }
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
            switch engine.promptMode {
            case .tokenIDs: results.append(CandidateAssessment(logProbs: try await score(tokens)))
            case .text: results.append(CandidateAssessment(logProbs: try await scoreText(candidate)))
            }
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
        committedText += chosen.candidate.text
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
        committedText += text
        forgetGenerated()
        return tokens
    }

    public func committedContinuation() async -> [TokenID] { committed }

    public func generateAnswer(maxTokens: Int, stopSequences: [String]) async throws -> GeneratedAnswer {
        let prompt: OpenAIWire.Prompt = switch engine.promptMode {
        case .tokenIDs: .tokens(history.map(Int.init))
        case .text: .text(historyText)
        }
        var request = OpenAIWire.CompletionRequest(model: engine.remoteModel, prompt: prompt, maxTokens: maxTokens,
                                                   temperature: 0)
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
    private var historyText: String { promptText + committedText }

    /// Greedy continuation of history + pending: up to `count` tokens with their log-probabilities;
    /// `ended` when the engine stopped on its own end-of-generation token.
    private func generate(count: Int) async throws -> (tokens: [GeneratedToken], end: EngineEnd?) {
        if engine.promptMode == .text { return try await generateText(count: count) }
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

    /// Text mode's T1 call: greedy continuation of the text of history + pending, each generated token
    /// mapped onto the local tokenizer by its text.
    private func generateText(count: Int) async throws -> (tokens: [GeneratedToken], end: EngineEnd?) {
        let generatedSoFar = pending.tokens + lookahead.map(\.token)
        let context = historyText + String(decoding: generatedSoFar.flatMap { tokenizer.tokenBytes($0) }, as: UTF8.self)
        let request = OpenAIWire.CompletionRequest(model: engine.remoteModel, prompt: .text(context), maxTokens: count,
                                                   temperature: 0, logprobs: 0)
        let response = try await engine.client.call(.POST, "/v1/completions", request,
                                                    as: OpenAIWire.CompletionResponse.self, operation: "generation")
        guard let choice = response.choices.first, let logprobs = choice.logprobs else {
            throw malformed("generation", "no log-probabilities in the answer")
        }
        let spans: [(text: String, logProb: Float)]
        do { spans = try EchoedText.generatedSpans(logprobs, text: choice.text) } catch {
            throw malformed("generation", error.reason)
        }
        var tokens: [GeneratedToken] = []
        for span in spans {
            let ids = tokenizer.encode(span.text)
            // One engine token that is several local ones (tokenizers that disagree): its
            // log-probability is shared evenly.
            let share = span.logProb / Float(max(ids.count, 1))
            tokens += ids.map { GeneratedToken(token: $0, logProb: share) }
        }
        // llama.cpp's server stops on its end-of-generation tokens without returning them.
        let ended = choice.finishReason == "stop" || (logprobs.tokens.count < count && choice.finishReason != "length")
        return (tokens, ended ? EngineEnd(logProb: nil) : nil)
    }

    /// Text mode's M3 call: log p of the engine's tokens of `candidate` after the history text (one echo
    /// request; a final candidate is followed by the end-of-generation token's text, which the engine
    /// parses as that token).
    private func scoreText(_ candidate: Candidate) async throws -> [Float] {
        var prompt = historyText + candidate.text
        if candidate.isFinal, let end = tokenizer.endOfGenerationToken {
            prompt += tokenizer.vocabulary.tokens[Int(end)]
        }
        let request = OpenAIWire.CompletionRequest(model: engine.remoteModel, prompt: .text(prompt), maxTokens: 1,
                                                   temperature: 0, echo: true, logprobs: 0)
        let response = try await engine.client.call(.POST, "/v1/completions", request,
                                                    as: OpenAIWire.CompletionResponse.self, operation: "scoring")
        guard let logprobs = response.choices.first?.logprobs else {
            throw RemoteModelError.unsupported(worker: name, url: engine.client.baseURL,
                                               what: "it returned no prompt log-probabilities for echo + logprobs")
        }
        guard let usage = response.usage else { throw malformed("scoring", "no usage (generated token count)") }
        do {
            try EchoedText.checkBOSLeftOut(logprobs, usage: usage)
            let mapped = try EchoedText.candidateLogProbs(
                logprobs, completionTokens: usage.completionTokens, candidateScalars: candidate.text.unicodeScalars.count,
                isFinal: candidate.isFinal && tokenizer.endOfGenerationToken != nil)
            return mapped.logProbs
        } catch {
            throw malformed("scoring", error.reason)
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
