import CoolFusionTokenizers
/// One model's mutable inference state at token level, as `LocalSourceModel` drives it: the paper's
/// M1–M4 on a KV cache. `CoolFusionLocal` adapts the engine's `Session`; tests use scripted ones;
/// another backend (a different engine, an accelerator) plugs in here and gets T1, the reuse of
/// generated tokens and the batched assessment from `LocalSourceModel` for free.
///
/// Invariant: a non-empty session always has the next-token distribution after its last token.
/// Not `Sendable`: a session is owned by exactly one `LocalSourceModel` actor.
public protocol InferenceSession: AnyObject {
    /// Tokens currently in the state.
    var tokenCount: Int { get }
    /// The tokens in the state, in order (`tokens.count == tokenCount`).
    var tokens: [TokenID] { get }
    /// Feeds `tokens` after the current state; afterwards the next-token distribution after the last
    /// token is available to `greedyNext`.
    func append(_ tokens: [TokenID]) throws
    /// The most probable next token after the current state, its natural-log probability, and (when
    /// the backend can tell cheaply) how sure the model was (`TokenConfidence`).
    func greedyNext() throws -> GeneratedToken
    /// Starts the seeded stream `sampleNext` draws from; called when a generation opens. Greedy
    /// settings make `sampleNext` equal `greedyNext`. The default accepts only greedy settings.
    func startSampling(_ sampling: TokenSampling) throws
    /// A token drawn from the next-token distribution after the current state with the settings of
    /// the last `startSampling`, with the same fields as `greedyNext`. Its log-probability must be the
    /// model's own (not scaled by the temperature): a proposal's recorded log-probs are reused as its
    /// assessment, which is of the text under the model. The default is `greedyNext`.
    func sampleNext() throws -> GeneratedToken
    /// Drops every token after the first `count`; the distribution after the new last token is
    /// available afterwards (an engine recomputes it by re-running that one token).
    func truncate(to count: Int) throws
    /// Keeps the first `position` tokens and feeds `tokens` (not empty) after them; the same state as
    /// `truncate(to: position)` then `append(tokens)`, which is the default, but an engine skips
    /// recomputing the distribution after token `position - 1` that the append replaces.
    func replace(from position: Int, with tokens: [TokenID]) throws
    /// Remembers the current state cheaply (a fork sharing the cache), so that a later
    /// `score(afterPrefixOf: tokenCount)` starts from it without recomputing anything after tokens
    /// were appended past it. Called at the committed state before pending tokens are fed.
    func checkpoint()
    /// M3: scores each candidate as a continuation of the first `prefixLength` tokens of the state,
    /// returning the log-probability of every candidate token. Keeps one temporary state per candidate
    /// (no copy of the shared prefix) until `adoptScored` or the next `score`; the current state is
    /// unchanged.
    func score(_ candidates: [[TokenID]], afterPrefixOf prefixLength: Int) throws -> [[Float]]
    /// M4: makes the temporary state of candidate `index` of the last `score` call the current state,
    /// with the next-token distribution after that candidate available, and returns true; or returns
    /// false when it made the scoring origin the current state and left the candidate's tokens to be
    /// fed with the next pass (an engine does so for a candidate of one token, scored from the
    /// distribution already there: computing its row now would cost a pass of its own, which a gated
    /// follower not consulted again never needs, and which anyone else pays the same later).
    @discardableResult
    func adoptScored(_ index: Int) throws -> Bool
    /// Speculative T1 with another model's text as the draft (a gated follower reading the leader's
    /// segment): feeds `unfed` (prompt and committed tokens the state does not hold yet; the state
    /// may be empty, at a follower's first consultation) and then `draft` in one
    /// pass. Returns the greedy next token after each prefix of the draft (draft.count + 1 of them,
    /// the empty prefix first, as `greedyNext` would give them) and the log-probability of every draft
    /// token (as `score` would give them). Afterwards the state is the committed one (prompt, committed
    /// tokens, `unfed`), checkpointed; the state after the draft is kept for `adoptDraft`.
    func checkDraft(_ draft: [TokenID], after unfed: [TokenID]) throws -> CheckedDraft
    /// Makes the state after the last checked draft the current state (`draft` as passed there,
    /// following the first `prefixLength` tokens of the state).
    func adoptDraft(_ draft: [TokenID], afterPrefixOf prefixLength: Int) throws
}

/// What `checkDraft` found: the model's own greedy token after each prefix of the draft, and the
/// draft's log-probabilities under the model.
public struct CheckedDraft: Sendable, Equatable {
    public var predictions: [GeneratedToken]
    public var draftLogProbs: [Float]

    public init(predictions: [GeneratedToken], draftLogProbs: [Float]) {
        self.predictions = predictions
        self.draftLogProbs = draftLogProbs
    }
}

extension InferenceSession {
    public func startSampling(_ sampling: TokenSampling) throws {
        guard sampling.isGreedy else { throw SamplingError.unsupported(model: String(describing: Self.self)) }
    }

    public func sampleNext() throws -> GeneratedToken { try greedyNext() }

    public func replace(from position: Int, with tokens: [TokenID]) throws {
        try truncate(to: position)
        try append(tokens)
    }

    /// One token at a time (no speculation): what an engine's single pass must equal.
    public func checkDraft(_ draft: [TokenID], after unfed: [TokenID]) throws -> CheckedDraft {
        try append(unfed)
        let base = tokenCount
        checkpoint()
        let draftLogProbs = try score([draft], afterPrefixOf: base)[0]
        var predictions = [try greedyNext()]
        for token in draft {
            try append([token])
            predictions.append(try greedyNext())
        }
        try truncate(to: base)
        return CheckedDraft(predictions: predictions, draftLogProbs: draftLogProbs)
    }

    /// Feeds the draft again.
    public func adoptDraft(_ draft: [TokenID], afterPrefixOf prefixLength: Int) throws {
        if tokenCount > prefixLength {
            try replace(from: prefixLength, with: draft)
        } else {
            try append(draft)
        }
    }
}
