/// T1, individual text generation (paper §2.2): greedy tokens until `PendingTokens` finds the cut.
extension LocalSourceModel {
    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) throws -> SegmentProposal {
        try prepareForStep()
        guard tokenCap >= 1 else { throw FusionError.invalidTokenCap(tokenCap) }
        let reused = pending.count
        var generated = 0
        var drawn = pending
        defer { pending = drawn }
        let outcome = try drawn.draw(rule: rule, tokenCap: tokenCap, generated: &generated) { current in
            pending = current
            let next = try generateOne()
            if tokenizer.isEndOfGeneration(next.token) { return .end(logProb: next.logProb, confidence: next.confidence) }
            return .token(next, bytes: tokenizer.bytes(of: next.token))
        }
        guard case .cut(let cut) = outcome else { throw FusionError.generationEnded(model: name) }
        let own = drawn.proposal(at: cut, canonical: tokenizer.encodeContinuation, endToken: tokenizer.endOfGenerationToken)
        phase = .proposed(own)
        return SegmentProposal(candidate: own.candidate, alignment: cut.alignment, tokensGenerated: generated,
                               tokensReused: reused, confidences: own.confidences)
    }
}
