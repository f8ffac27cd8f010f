import CoolFusionTokenizers
/// One sequence on a `Model`: its tokens, its key/value cache and the logits after its last token.
///
/// Cheap to fork: a fork shares every cached block with its parent and copies at most one
/// partial block when it first writes. Not thread-safe; use one session per task (sessions of
/// one model may run concurrently).
public final class Session {
    public let model: Model
    /// Tokens in the sequence so far.
    public internal(set) var tokens: [TokenID] = []
    /// Next-token logits [V] after the last token; empty while the session is empty.
    public internal(set) var logits: [Float] = []
    var cache: KVCache
    /// Observer of every forward pass's intermediates, for parity debugging (nil: none).
    public var trace: ForwardTrace?

    /// Longest batch one forward pass takes; longer inputs are split (bounds scratch memory).
    static let maximumBatch = 256

    init(model: Model) {
        self.model = model
        cache = KVCache(layout: model.kvLayout)
    }

    init(model: Model, tokens: [TokenID], logits: [Float], cache: KVCache) {
        self.model = model
        self.tokens = tokens
        self.logits = logits
        self.cache = cache
    }

    /// Tokens in the sequence.
    public var count: Int { tokens.count }

    // MARK: Feeding tokens

    /// Runs `newTokens` through the model (a prefill batch, or one decode step) and keeps them.
    public func append(_ newTokens: [TokenID]) throws(EngineError) {
        guard !newTokens.isEmpty else { throw .emptyInput("append needs at least one token") }
        try validate(newTokens, after: count)
        var start = 0
        while start < newTokens.count {
            let chunk = Array(newTokens[start..<min(newTokens.count, start + Self.maximumBatch)])
            let pass = try forward(segments: [chunk], outputRows: [chunk.count - 1]) { _, row in
                // Copied into the array already there (no 1 MB allocation per decoded token; a copy
                // someone else holds, such as a fork's, is left alone by copy-on-write).
                let vocabulary = model.vocabularySize
                if logits.count == vocabulary {
                    logits.withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: row, count: vocabulary) }
                } else {
                    logits = Array(UnsafeBufferPointer(start: row, count: vocabulary))
                }
            }
            cache.append(from: pass.newKV, rows: 0..<chunk.count)
            tokens += chunk
            start += chunk.count
        }
    }

    /// log p(token k | sequence, tokens before k) for each of `continuation`, without keeping them.
    public func score(_ continuation: [TokenID]) throws(EngineError) -> [Float] {
        try score(candidates: [continuation])[0].logProbabilities
    }

    /// Scores several candidate continuations of the current sequence in one batched pass: each
    /// candidate attends to the shared prefix and its own tokens only. Returns, per candidate, its
    /// per-token log-probabilities, the logits after its last token and a session positioned after it
    /// (commit it to adopt the candidate without recomputation). The session must not be empty
    /// (the first candidate token is predicted from `logits`).
    public func score(candidates: [[TokenID]]) throws(EngineError) -> [CandidateScore] {
        guard !candidates.isEmpty else { return [] }
        guard !logits.isEmpty else {
            throw .emptyInput("scoring needs a non-empty session (append a BOS or prompt first)")
        }
        for candidate in candidates {
            guard !candidate.isEmpty else { throw .emptyInput("a candidate has no tokens") }
            try validate(candidate, after: count)
        }
        let total = candidates.reduce(0) { $0 + $1.count }
        if total > Self.maximumScoredTokens { return try scoreInPieces(candidates) }
        let vocabulary = model.vocabularySize
        // Log-probability of each candidate's first token comes from the current logits.
        var logProbabilities = try self.logProbabilities(of: candidates.map { $0[0] }).map { [$0] }
        var finalLogits = [[Float]](repeating: [], count: candidates.count)
        // Row r of the batch predicts the next token of its candidate; rows are candidate-major.
        var owner: [(candidate: Int, index: Int)] = []
        for (c, candidate) in candidates.enumerated() {
            for k in 0..<candidate.count { owner.append((c, k)) }
        }
        let pass = try forward(segments: candidates, outputRows: Array(0..<total)) { row, rowLogits in
            let (c, k) = owner[row]
            if k + 1 < candidates[c].count {
                logProbabilities[c].append(
                    VectorMath.logProbability(of: Int(candidates[c][k + 1]), logits: rowLogits, count: vocabulary))
            } else {
                finalLogits[c] = Array(UnsafeBufferPointer(start: rowLogits, count: vocabulary))
            }
        }
        return candidates.enumerated().map { c, candidate in
            var forkCache = cache
            forkCache.append(from: pass.newKV, rows: pass.layout.rows(ofSegment: c))
            let session = Session(model: model, tokens: tokens + candidate, logits: finalLogits[c], cache: forkCache)
            return CandidateScore(tokens: candidate, logProbabilities: logProbabilities[c], logits: finalLogits[c],
                                  session: session)
        }
    }

    /// Most tokens one scoring pass takes (bounds scratch memory); `score` splits larger requests.
    static let maximumScoredTokens = maximumBatch * 4

    /// Scores candidates whose tokens exceed one pass. Candidates never see each other, so groups
    /// of them can be scored in separate passes; one candidate longer than a pass is scored piece
    /// by piece, each piece continuing from the session the previous piece returned.
    private func scoreInPieces(_ candidates: [[TokenID]]) throws(EngineError) -> [CandidateScore] {
        let limit = Self.maximumScoredTokens
        if candidates.count == 1 {
            let candidate = candidates[0]
            let head = try score(candidates: [Array(candidate[..<limit])])[0]
            let tail = try head.session.score(candidates: [Array(candidate[limit...])])[0]
            return [CandidateScore(tokens: candidate, logProbabilities: head.logProbabilities + tail.logProbabilities,
                                   logits: tail.logits, session: tail.session)]
        }
        var results: [CandidateScore] = []
        var group: [[TokenID]] = []
        var groupTokens = 0
        for candidate in candidates {
            if !group.isEmpty && groupTokens + candidate.count > limit {
                results += try score(candidates: group)
                group = []
                groupTokens = 0
            }
            group.append(candidate)
            groupTokens += candidate.count
        }
        return results + (try score(candidates: group))
    }

    // MARK: State

    /// A new session with the same sequence, sharing this one's cache (nothing is copied now).
    public func fork() -> Session {
        Session(model: model, tokens: tokens, logits: logits, cache: cache)
    }

    /// Adopts the state of `other` (typically a fork or a scored candidate's session).
    public func commit(_ other: Session) throws(EngineError) {
        guard other.model === model else { throw .foreignSession }
        tokens = other.tokens
        logits = other.logits
        cache = other.cache
    }

    /// Keeps the first `newCount` tokens. The logits after the new last token are recomputed by
    /// re-running that one token (the cache keeps no logits).
    public func truncate(to newCount: Int) throws(EngineError) {
        guard newCount >= 0, newCount <= count else { throw .invalidPosition(newCount, count: count) }
        guard newCount < count else { return }
        drop(to: newCount)
        try recomputeLogits()
    }

    /// Keeps the first `position` tokens and appends `newTokens` after them: what `truncate(to:)`
    /// then `append` give, without re-running token `position - 1` for logits the append replaces
    /// at once (a new prompt that shares only a prefix with the cached one). Checked before anything
    /// changes; if the pass itself fails, the session is left at the kept prefix with its logits.
    public func replace(from position: Int, with newTokens: [TokenID]) throws(EngineError) {
        guard position >= 0, position <= count else { throw .invalidPosition(position, count: count) }
        guard !newTokens.isEmpty else { throw .emptyInput("replace needs at least one new token") }
        try validate(newTokens, after: position)
        drop(to: position)
        do {
            try append(newTokens)
        } catch {
            // Nothing was kept from the failed pass: restore the invariant that a non-empty
            // session has the logits after its last token.
            if logits.isEmpty { try? recomputeLogits() }
            throw error
        }
    }

    /// Drops every token after the first `newCount`; the logits are unknown until the next append.
    private func drop(to newCount: Int) {
        cache.truncate(to: newCount)
        tokens.removeLast(count - newCount)
        logits = []
    }

    /// Re-runs the last token for the logits after it (the cache keeps no logits); nothing when empty.
    private func recomputeLogits() throws(EngineError) {
        guard let last = tokens.last else { return }
        drop(to: count - 1)
        try append([last])
    }

    // MARK: Next token

    /// The most likely next token (first on ties), or nil while the session is empty.
    public func greedyToken() -> TokenID? {
        guard !logits.isEmpty else { return nil }
        return logits.withUnsafeBufferPointer { Int32(VectorMath.argmax($0.baseAddress!, count: $0.count)) }
    }

    /// log p(token | sequence) under the current logits.
    public func logProbability(of token: TokenID) throws(EngineError) -> Float {
        try logProbabilities(of: [token])[0]
    }

    /// log p(token | sequence) for each of `tokens` (say, the first tokens of several candidates),
    /// from one read of the current logits.
    public func logProbabilities(of tokens: [TokenID]) throws(EngineError) -> [Float] {
        guard !logits.isEmpty else { throw .emptyInput("the session is empty: no next-token distribution") }
        try validateIDs(tokens)
        let statistics = logits.withUnsafeBufferPointer { LogitStatistics($0) }
        return tokens.map { statistics.logProbability(ofLogit: logits[Int($0)]) }
    }

    // MARK: Internals

    func validate(_ newTokens: [TokenID], after position: Int) throws(EngineError) {
        try validateIDs(newTokens)
        guard position + newTokens.count <= model.contextLength else {
            throw .contextOverflow(requested: position + newTokens.count, limit: model.contextLength)
        }
    }

    /// Every token is an id of the model's vocabulary.
    func validateIDs(_ tokens: [TokenID]) throws(EngineError) {
        let vocabulary = model.vocabularySize
        for token in tokens where token < 0 || Int(token) >= vocabulary {
            throw .invalidToken(token, vocabularySize: vocabulary)
        }
    }

    /// One forward pass of `segments` after the cached sequence; see `BatchLayout`.
    func forward(segments: [[TokenID]], outputRows: [Int],
                         consume: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws(EngineError) -> ForwardPass {
        let layout = BatchLayout(prefixCount: cache.count, segmentLengths: segments.map(\.count))
        let pass = ForwardPass(hyperparameters: model.hyperparameters, layout: layout, prefix: cache, pool: model.pool,
                               rounding: model.rounding, trace: trace)
        do {
            let start = ContinuousClock.now
            try model.architecture.forward(pass, tokens: segments.flatMap { $0 }, outputRows: outputRows, consume: consume)
            model.passCounter.add(rows: layout.tokenCount, outputRows: outputRows.count,
                                  seconds: Self.seconds(since: start), outputSeconds: pass.outputSeconds)
        } catch let error as EngineError {
            throw error
        } catch {
            throw .invalidHyperparameter("forward pass failed: \(error)")
        }
        return pass
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
