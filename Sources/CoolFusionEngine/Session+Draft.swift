import CoolFusionTokenizers

/// A draft checked against the model in one pass: what the model would write after each prefix of
/// it, and how likely it finds the draft itself.
public struct DraftCheck {
    /// The greedy next token after the sequence plus the first `i` draft tokens, for i = 0...count
    /// (first on ties, as `greedyToken`), with its log-probability.
    public let predictions: [GeneratedToken]
    /// The draft tokens' log-probabilities (as `score` gives them) and a session positioned after the
    /// whole draft: commit it to adopt the draft without recomputing anything.
    public let draft: CandidateScore
}

extension Session {
    /// Speculative decoding with someone else's text as the draft: runs `committed` and then `draft`
    /// through the model in one forward pass. `committed` is kept (this session ends after it, with
    /// its next-token distribution); the draft is not, but the returned session holds it. The pass
    /// costs about one decode step however many tokens it holds (the weights are streamed once), and
    /// in batch-invariant rounding every row is exactly what feeding the tokens one at a time gives,
    /// so a caller that accepts the draft as far as the model's own greedy choices agree with it writes
    /// exactly what it would have written alone.
    ///
    /// `inspect(i, logits, statistics)` sees the logits after the sequence plus the first `i` draft
    /// tokens (i = 0...draft.count; rows in any order) with the summary already read from them, for
    /// what the caller wants beyond the greedy token (a gate's confidence).
    /// A `committed` text too long for one pass with the draft has its head appended first.
    public func check(draft: [TokenID], after committed: [TokenID],
                      inspect: (Int, UnsafeBufferPointer<Float>, LogitStatistics) -> Void = { _, _, _ in })
        throws(EngineError) -> DraftCheck {
        guard !draft.isEmpty else { throw .emptyInput("a draft needs at least one token") }
        guard draft.count < Self.maximumBatch else {
            throw .emptyInput("a draft of \(draft.count) tokens does not fit one pass (at most \(Self.maximumBatch - 1))")
        }
        try validate(committed + draft, after: count)
        var head = committed
        if head.count + draft.count > Self.maximumBatch {
            let split = head.count + draft.count - Self.maximumBatch
            try append(Array(head[..<split]))
            head = Array(head[split...])
        }
        guard !head.isEmpty || !logits.isEmpty else {
            throw .emptyInput("checking a draft needs a non-empty session (append a BOS or prompt first)")
        }
        let vocabulary = model.vocabularySize
        var predictions = [GeneratedToken?](repeating: nil, count: draft.count + 1)
        var draftLogProbabilities = [Float](repeating: 0, count: draft.count)
        var headLogits: [Float] = []
        var finalLogits: [Float] = []
        // Row `i` of the draft: the distribution after the sequence, the head and draft[0..<i].
        func take(_ i: Int, _ rowLogits: UnsafePointer<Float>) {
            // One read of the row for the greedy token, both log-probabilities (the same numbers
            // `VectorMath.logProbability` gives) and the caller's summary.
            let row = UnsafeBufferPointer(start: rowLogits, count: vocabulary)
            let statistics = LogitStatistics(row)
            let greedy = statistics.greedyToken ?? 0
            predictions[i] = GeneratedToken(id: TokenID(greedy), logProbability: statistics.logProbability(ofLogit: rowLogits[greedy]))
            if i < draft.count {
                draftLogProbabilities[i] = statistics.logProbability(ofLogit: rowLogits[Int(draft[i])])
            }
            inspect(i, row, statistics)
        }
        if head.isEmpty {
            logits.withUnsafeBufferPointer { take(0, $0.baseAddress!) }
        }
        // Batch row r predicts the token after batch token r; the head's last row is draft row 0. The
        // pass hands over the k-th requested row.
        let firstRow = head.isEmpty ? 0 : head.count - 1
        let total = head.count + draft.count
        let pass = try forward(segments: [head + draft], outputRows: Array(firstRow..<total)) { k, rowLogits in
            let i = k + (head.isEmpty ? 1 : 0)
            take(i, rowLogits)
            if i == 0 { headLogits = Array(UnsafeBufferPointer(start: rowLogits, count: vocabulary)) }
            if i == draft.count { finalLogits = Array(UnsafeBufferPointer(start: rowLogits, count: vocabulary)) }
        }
        var draftCache = cache
        draftCache.append(from: pass.newKV, rows: 0..<total)
        let draftSession = Session(model: model, tokens: tokens + head + draft, logits: finalLogits, cache: draftCache)
        if !head.isEmpty {
            cache.append(from: pass.newKV, rows: 0..<head.count)
            tokens += head
            logits = headLogits
        }
        return DraftCheck(predictions: predictions.compactMap { $0 },   // every row was taken
                          draft: CandidateScore(tokens: draft, logProbabilities: draftLogProbabilities,
                                                logits: finalLogits, session: draftSession))
    }
}
