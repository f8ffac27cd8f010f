import CoolFusionTokenizers
/// T1, individual text generation (paper §2.2): greedy tokens until `PendingTokens` finds the cut.
extension LocalSourceModel {
    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) throws -> SegmentProposal {
        try prepareForStep()
        return try propose(rule: rule, tokenCap: tokenCap, checked: nil)
    }

    /// T1 with another model's segment as a draft (a gated follower reading the leader's segment): the
    /// prompt and committed text not fed yet and the draft run in one pass
    /// (`InferenceSession.checkDraft`), and the model's own greedy tokens are taken from it for as long
    /// as they agree with the draft, plus the one after the agreement; only the rest are generated a
    /// pass each. Every row of that pass is what
    /// generating token by token computes (batch-invariant rounding), so the proposal is the one
    /// `nextSegment(rule:tokenCap:)` makes, in fewer passes; and the draft's log-probabilities are its
    /// assessment if it is among the candidates, and its state the committed one if it wins.
    ///
    /// Exact only for greedy choices, so a sampling model, or one with tokens pending from the last
    /// step (a draft is for a follower that was not consulted), proposes the ordinary way.
    ///
    /// `async` like the protocol's default (which ignores the draft): declared synchronous, a direct
    /// call on this type from async code (a worker's) would resolve to that default instead.
    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int, draft: Candidate) async throws -> SegmentProposal {
        try prepareForStep()
        let draftTokens = scoredTokens(of: draft)
        let held = session.tokenCount
        guard sampling.isGreedy, pending.isEmpty, held <= base, !draftTokens.isEmpty,
              draftTokens.count <= Self.longestDraft, tokenCap >= 1 else {
            return try propose(rule: rule, tokenCap: tokenCap, checked: nil)
        }
        let check = try session.checkDraft(draftTokens, after: stateTokens(held..<base))
        return try propose(rule: rule, tokenCap: tokenCap,
                           checked: CheckedDraftCandidate(candidate: draft, tokens: draftTokens, check: check))
    }

    /// Drafts longer than this are not checked (a pass's scratch memory grows with its rows; segments
    /// are far shorter: at most the segment token cap, 32 by default).
    static var longestDraft: Int { 128 }

    /// T1 from the committed state, taking tokens from `checked`'s predictions while they apply.
    private func propose(rule: SegmentBoundaryRule, tokenCap: Int, checked: CheckedDraftCandidate?) throws -> SegmentProposal {
        guard tokenCap >= 1 else { throw FusionError.invalidTokenCap(tokenCap) }
        let reused = pending.count
        var generated = 0
        var fromDraft = 0
        var drawn = pending
        defer { pending = drawn }
        let outcome = try drawn.draw(rule: rule, tokenCap: tokenCap, generated: &generated) { current in
            let next: GeneratedToken
            // The prediction after draft[0..<i] is this model's next token while the tokens so far
            // are exactly that prefix.
            if let checked, current.count < checked.check.predictions.count,
               current.tokens.elementsEqual(checked.tokens.prefix(current.count)) {
                next = checked.check.predictions[current.count]
                // The first token comes from the pass that feeds the missed text either way.
                if current.count > 0 { fromDraft += 1 }
                greedySteps += 1
            } else {
                pending = current
                next = try generateOne()
            }
            if tokenizer.isEndOfGeneration(next.token) { return .end(logProb: next.logProb, confidence: next.confidence) }
            return .token(next, bytes: tokenizer.bytes(of: next.token))
        }
        guard case .cut(let cut) = outcome else { throw FusionError.generationEnded(model: name) }
        let own = drawn.proposal(at: cut, canonical: tokenizer.encodeContinuation, endToken: tokenizer.endOfGenerationToken)
        phase = .proposed(own, draft: checked)
        return SegmentProposal(candidate: own.candidate, alignment: cut.alignment, tokensGenerated: generated,
                               tokensReused: reused, confidences: own.confidences, tokensFromDraft: fromDraft)
    }
}

/// Another model's segment checked by this model (`nextSegment(rule:tokenCap:draft:)`): its text,
/// this model's tokens for it as scored (end-of-generation included for a final one), and what the
/// check found.
struct CheckedDraftCandidate {
    var candidate: Candidate
    var tokens: [TokenID]
    var check: CheckedDraft
}
