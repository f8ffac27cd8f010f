import CoolFusionTokenizers
/// A source model running in this process: one tokenizer and one inference session, driven by the
/// fusion through `SourceModel`. It implements the paper's T1 on top of the session's token-level
/// operations, and the economies of the paper's §2.4: tokens generated past a cut are kept and
/// reused if the model's candidate wins; its own candidate is scored from the log-probs it had while
/// generating it; the committed state of a winner is the scored (or generating) state itself, never
/// recomputed.
///
/// State, in tokens of this model: the session holds a prefix of
///   prompt + committed + pending
/// where `pending` are tokens generated beyond the committed state; what it does not hold yet is fed
/// lazily, in one pass, when the state is next used (`feed`). `phase` says where the model is in the
/// step protocol (`SourceModel`).
///
/// `S` is the inference session (the engine's, or a scripted one in tests), `T` the tokenizer.
///
/// The actor runs on a thread of its own (`ComputeThread`), not on Swift's cooperative pool: its
/// methods are long synchronous model calls, which would otherwise hold the pool's few threads and
/// stall everything else async in the process (a server's health checks, new requests, hang-ups).
public actor LocalSourceModel<S: InferenceSession, T: FusionTokenizer>: SourceModel {
    public nonisolated let name: String
    public nonisolated let tokenizer: T
    public nonisolated var wordSplitter: any WordSplitter { tokenizer }
    /// Where this actor's methods run.
    let computeThread: ComputeThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { computeThread.asUnownedSerialExecutor() }

    /// Where the model is in one step of the protocol. Each value carries exactly what the next call
    /// needs, so no two pieces of state can disagree.
    enum Phase {
        /// Committed state only (after `open` or `commit`); pending tokens may start the next segment.
        case ready
        /// After `nextSegment`: this model's own proposal, reusable if it is assessed, and the draft
        /// it checked, if any (its log-probs and state reusable too).
        case proposed(OwnProposal, draft: CheckedDraftCandidate?)
        /// After `assess`: how each assessed candidate is committed if it wins.
        case assessed([AssessedCandidate])
        /// A final segment was committed: nothing more can be generated until `open`.
        case ended
        /// The session holds a whole answer past the committed state (`generateAnswer`); it is rolled
        /// back before the state is next used.
        case answered
    }

    /// Readable by extensions for a backend (the engine's pass counter); changed only here.
    public internal(set) var session: S
    /// Prompt tokens of the current generation (BOS included if any).
    var promptTokens: [TokenID] = []
    /// Tokens committed after the prompt.
    var committed: [TokenID] = []
    /// Generated after the committed state, not yet committed: the start of the next segment.
    var pending = PendingTokens()
    var phase = Phase.ready
    /// A commit joined text inside the last word of the committed text, which is checked once that
    /// word is complete (`settleJunction`).
    var junctionUnsettled = false
    /// How this generation's tokens are chosen (set by `open`).
    var sampling = TokenSampling.greedy

    /// Tokens generated with the model (greedy steps), over the life of this object.
    public internal(set) var greedySteps = 0

    /// - Parameter session: a fresh session of the model; this actor becomes its only owner.
    public init(name: String, tokenizer: T, session: sending S) {
        self.name = name
        self.tokenizer = tokenizer
        self.session = session
        computeThread = ComputeThread(name: "cf \(name)")
    }

    /// Number of tokens in the committed state (prompt + committed continuation).
    var base: Int { promptTokens.count + committed.count }

    // MARK: M1

    public func open(prompt: String) throws {
        try reset(toPrompt: prompt, sampling: .greedy)
    }

    /// `async` like the protocol's default for other models (which refuses sampling): declared
    /// synchronous, a direct call on this type from async code would resolve to that default instead.
    public func open(prompt: String, sampling: TokenSampling) async throws {
        try reset(toPrompt: prompt, sampling: sampling)
    }

    /// M1: the committed state becomes `prompt`, sampled with `sampling`.
    func reset(toPrompt prompt: String, sampling: TokenSampling) throws {
        try sampling.validate()
        try session.startSampling(sampling)
        self.sampling = sampling
        let tokens = tokenizer.encodePrompt(prompt)
        guard !tokens.isEmpty else { throw FusionError.emptyPrompt(model: name) }
        // Keep the cached state of the longest prefix the session already holds, so only the rest
        // is computed: the same prompt again (rerank after cool, scoring an answer after writing it),
        // or a prompt sharing few-shot examples with the previous one (evaluation). At least the last
        // prompt token is computed again when the session holds more, for its next-token
        // distribution. Sessions compute a row the same in any pass (batch-invariant rounding), so
        // the prompt's state is a fresh prefill's whatever was held before.
        // When the session holds a prefix of the prompt (nothing, in a fresh one), the rest is left
        // to the next pass, which then reads it together with whatever comes next: a gated follower's
        // prompt, the text it missed and the leader's segment are one pass at its first consultation.
        let held = session.tokens
        var common = 0
        while common < min(held.count, tokens.count), held[common] == tokens[common] { common += 1 }
        if common < held.count {
            let keep = min(common, tokens.count - 1)
            try session.replace(from: keep, with: Array(tokens[keep...]))
        }
        promptTokens = tokens
        committed = []
        pending.removeAll()
        junctionUnsettled = false
        phase = .ready
    }

    // MARK: state helpers

    /// Feeds whatever of prompt + committed + pending[0..<count - base] the session does not hold
    /// yet (tokens are fed lazily), so the next-token distribution after them is available.
    func feed(upTo count: Int) throws {
        var held = session.tokenCount
        guard held < count else { return }
        if held < base {
            // Prompt or committed text not fed yet (`open`, `commit(text:)`): feed it first, so the
            // committed state can be remembered on its own.
            let end = min(count, base)
            try session.append(stateTokens(held..<end))
            held = end
            guard held < count else { return }
        }
        // Feeding past the committed state: keep it, since the candidates will be scored from it.
        if held == base { session.checkpoint() }
        try session.append(stateTokens(held..<count))
    }

    /// Tokens `range` of prompt + committed + pending.
    func stateTokens(_ range: Range<Int>) -> [TokenID] {
        var result: [TokenID] = []
        result.reserveCapacity(range.count)
        var start = 0
        for part in [promptTokens, committed, pending.tokens] {
            let overlap = range.clamped(to: start..<(start + part.count))
            if !overlap.isEmpty { result += part[(overlap.lowerBound - start)..<(overlap.upperBound - start)] }
            start += part.count
        }
        return result
    }

    /// Computes now whatever of the committed state `open` and `commit(text:)` left to the next pass.
    public func prefill() async throws {
        if case .answered = phase { return }   // the session holds the committed state and more
        try feed(upTo: base)
    }

    /// The next token after committed + pending (greedy, or drawn when sampling), counted.
    func generateOne() throws -> GeneratedToken {
        try feed(upTo: base + pending.count)
        greedySteps += 1
        return try nextToken()
    }

    /// The session's next token by this generation's settings. Greedy calls `greedyNext` itself, so
    /// temperature 0 is exactly the output from before sampling existed.
    func nextToken() throws -> GeneratedToken {
        sampling.isGreedy ? try session.greedyNext() : try session.sampleNext()
    }

    /// Forgets pending tokens and returns the session to the committed state with its next-token
    /// distribution available.
    func rollBackToCommitted() throws {
        pending.removeAll()
        if session.tokenCount > base {
            try session.truncate(to: base)
        } else {
            try feed(upTo: base)
        }
    }

    /// Brings the state back to the committed one if a whole answer is in the session, and refuses
    /// to go on after a final segment.
    func prepareForStep() throws {
        switch phase {
        case .ended: throw FusionError.generationEnded(model: name)
        case .answered:
            phase = .ready
            try rollBackToCommitted()
        case .ready, .proposed, .assessed: break
        }
    }

    /// This model's tokens for a candidate as scored: its text, plus end-of-generation if final.
    func scoredTokens(of candidate: Candidate) -> [TokenID] {
        var tokens = tokenizer.encodeContinuation(candidate.text)
        if candidate.isFinal, let end = tokenizer.endOfGenerationToken { tokens.append(end) }
        return tokens
    }

    // MARK: M3

    public func assess(_ candidates: [Candidate]) throws -> [CandidateAssessment] {
        try prepareForStep()
        var own: OwnProposal?
        var draft: CheckedDraftCandidate?
        if case .proposed(let proposal, let checked) = phase {
            own = proposal
            draft = checked
        }
        var results = [CandidateAssessment?](repeating: nil, count: candidates.count)
        var plans: [AssessedCandidate] = []
        var toScore: [[TokenID]] = []
        for (index, candidate) in candidates.enumerated() {
            let ownReusable = own.map { $0.candidate == candidate && $0.reusableLogProbs != nil
                && session.tokenCount >= base + ($0.reusableTokenCount ?? 0) } ?? false
            if let draft, draft.candidate == candidate, !ownReusable {
                // Scored by the pass that checked it, which also holds its state (unlike the session,
                // which had no pass of its own for the tokens that agreed with it): no model call.
                results[index] = CandidateAssessment(logProbs: draft.check.draftLogProbs)
                plans.append(AssessedCandidate(
                    candidate: candidate,
                    commit: .draft(tokens: draft.tokens, textTokens: tokenizer.encodeContinuation(candidate.text))))
                continue
            }
            if let own, own.candidate == candidate, let reusable = own.reusableLogProbs {
                // Scored while it was generated: no model call.
                results[index] = CandidateAssessment(logProbs: reusable)
                plans.append(AssessedCandidate(candidate: candidate, commit: .own(tokenCount: own.reusableTokenCount ?? 0)))
                continue
            }
            let tokens = scoredTokens(of: candidate)
            if tokens.isEmpty {
                results[index] = CandidateAssessment(tokenCount: 0, totalNLL: 0)
                plans.append(AssessedCandidate(candidate: candidate, commit: .empty))
            } else {
                plans.append(AssessedCandidate(
                    candidate: candidate,
                    commit: .scored(slot: toScore.count, textTokens: tokenizer.encodeContinuation(candidate.text))))
                toScore.append(tokens)
            }
        }
        if !toScore.isEmpty {
            try feed(upTo: base)
            let logProbs = try session.score(toScore, afterPrefixOf: base)
            for (index, plan) in plans.enumerated() {
                if case .scored(let slot, _) = plan.commit {
                    results[index] = CandidateAssessment(logProbs: logProbs[slot])
                }
            }
        }
        phase = .assessed(plans)
        return results.map { $0 ?? CandidateAssessment(tokenCount: 0, totalNLL: 0) }
    }

    // MARK: M4

    @discardableResult
    public func commit(candidateAt index: Int) throws -> [TokenID] {
        guard case .assessed(let plans) = phase else { throw FusionError.noAssessment(model: name) }
        guard plans.indices.contains(index) else {
            throw FusionError.candidateIndexOutOfRange(model: name, index: index, count: plans.count)
        }
        let plan = plans[index]
        phase = .ready
        let previousCount = committed.count
        switch plan.commit {
        case .own(let tokenCount):
            // The generating state already holds these tokens; what follows them stays pending.
            committed += pending.tokens.prefix(tokenCount)
            pending.removeFirst(tokenCount)
        case .scored(let slot, let textTokens):
            // The session may keep the scoring origin instead (a one-token candidate): the token is
            // then committed but not fed, and `feed` feeds it with the next pass, whatever that is
            // (a follower's catch-up in gated fusion; T1 otherwise).
            try session.adoptScored(slot)
            keepPending(following: textTokens)
            committed += textTokens
        case .draft(let tokens, let textTokens):
            try session.adoptDraft(tokens, afterPrefixOf: base)
            keepPending(following: textTokens)
            committed += textTokens
        case .empty:
            try rollBackToCommitted()
        }
        let newTokens = try settleJunction(previousCount: previousCount)
        if plan.candidate.isFinal {
            // The generation is over; nothing generated after the end is worth keeping.
            phase = .ended
            pending.removeAll()
        }
        return newTokens
    }

    /// After adopting another candidate's state: generated tokens that begin with the candidate's own
    /// (this model's proposal ran on past the winner's end, as `" Paris.\n\nThe"` past `" Paris."`) are
    /// exactly what it would generate next from the new state, so the rest stays pending, to be fed
    /// lazily; any other pending tokens are forgotten.
    func keepPending(following textTokens: [TokenID]) {
        if !textTokens.isEmpty, pending.tokens.starts(with: textTokens) {
            pending.removeFirst(textTokens.count)
        } else {
            pending.removeAll()
        }
    }

    public func commit(text: String) throws -> [TokenID] {
        try prepareForStep()
        let tokens = tokenizer.encodeContinuation(text)
        // Generated tokens that are exactly the start of the text are kept (nothing to recompute);
        // anything else pending is forgotten. The rest is fed lazily, in one pass, when the state is
        // next used.
        let pendingTokens = pending.tokens
        var kept = 0
        while kept < min(tokens.count, pendingTokens.count), tokens[kept] == pendingTokens[kept] { kept += 1 }
        if kept < pendingTokens.count, session.tokenCount > base + kept { try session.truncate(to: base + kept) }
        pending.removeAll()
        let previousCount = committed.count
        committed += tokens
        phase = .ready
        return try settleJunction(previousCount: previousCount)
    }

    public func committedContinuation() -> [TokenID] { committed }

    // MARK: T2, T3

    public nonisolated func encode(_ text: String) -> [TokenID] { tokenizer.encodeContinuation(text) }

    public nonisolated func decode(_ tokens: [TokenID]) -> String {
        String(decoding: tokenizer.bytes(of: tokens), as: UTF8.self)
    }
}

/// How an assessed candidate is committed if it wins.
struct AssessedCandidate {
    enum Commit {
        /// This model's own proposal: keep the generating state, commit `tokenCount` pending tokens.
        case own(tokenCount: Int)
        /// Scored in temporary state `slot`; commit its text tokens by adopting that state.
        case scored(slot: Int, textTokens: [TokenID])
        /// Another model's segment this model checked as a draft: adopt the state of that check.
        case draft(tokens: [TokenID], textTokens: [TokenID])
        /// No tokens for this model (empty final candidate without an end-of-generation token).
        case empty
    }

    var candidate: Candidate
    var commit: Commit
}
