/// T1, individual text generation (paper §2.2, DESIGN.md §1 step 1).
extension LocalSourceModel {
    /// UTF-8 characters are at most 4 bytes, so past the cap this many more tokens always complete one.
    static var utf8CompletionAllowance: Int { 4 }

    public func nextSegment(rule: SegmentBoundaryRule, tokenCap: Int) throws -> SegmentProposal {
        guard !ended else { throw FusionError.generationEnded(model: name) }
        guard tokenCap >= 1 else { throw FusionError.invalidTokenCap(tokenCap) }
        let reused = pending.count
        var generated = 0
        // bytes of pending tokens; tokenEnds[i] = byte offset where pending token i ends.
        var bytes: [UInt8] = []
        var tokenEnds: [Int] = []
        for (token, _) in pending {
            bytes += tokenizer.bytes(of: token)
            tokenEnds.append(bytes.count)
        }
        while true {
            if !pending.isEmpty, UTF8Prefix.isComplete(bytes) {
                let text = UTF8Prefix.text(bytes)
                if let cut = rule.firstCut(in: text) {
                    return propose(bytes: bytes, cut: cut, tokenEnds: tokenEnds, alignment: .aligned,
                                   generated: generated, reused: reused)
                }
                if pending.count >= tokenCap {
                    let fallback = rule.fallbackCut(in: text)
                    return propose(bytes: bytes, cut: fallback?.offset ?? bytes.count, tokenEnds: tokenEnds,
                                   alignment: fallback?.kind ?? .cappedWhole, generated: generated, reused: reused)
                }
            } else if pending.count >= tokenCap + Self.utf8CompletionAllowance {
                // Tokens that never complete a character (a model emitting stray bytes): stop anyway.
                let valid = UTF8Prefix.validLength(bytes)
                return propose(bytes: bytes, cut: valid > 0 ? valid : bytes.count, tokenEnds: tokenEnds,
                               alignment: .cappedWhole, generated: generated, reused: reused)
            }
            let next = try generateOne()
            generated += 1
            if tokenizer.isEndOfGeneration(next.token) {
                let valid = UTF8Prefix.validLength(bytes)
                return propose(bytes: bytes, cut: valid, tokenEnds: tokenEnds, alignment: .endOfGeneration,
                               generated: generated, reused: reused, endLogProb: next.logProb)
            }
            pending.append(next)
            bytes += tokenizer.bytes(of: next.token)
            tokenEnds.append(bytes.count)
        }
    }

    /// Records and returns the proposal cut at byte `cut`. If the pending tokens up to the cut are
    /// exactly this model's tokenization of the candidate text, they (and their log-probs) are reused
    /// if it wins, and the tokens after the cut start the next segment.
    private func propose(bytes: [UInt8], cut: Int, tokenEnds: [Int], alignment: SegmentAlignment,
                         generated: Int, reused: Int, endLogProb: Float? = nil) -> SegmentProposal {
        let isFinal = alignment == .endOfGeneration
        let candidate = Candidate(text: UTF8Prefix.text(bytes[..<cut]), isFinal: isFinal)
        var own = OwnProposal(candidate: candidate, reusableTokenCount: nil, reusableLogProbs: nil)
        let tokenCount = cut == 0 ? 0 : tokenEnds.firstIndex(of: cut).map { $0 + 1 }
        if let tokenCount, isFinal ? tokenCount == pending.count : true {
            let tokens = pending.prefix(tokenCount).map(\.token)
            if tokens == tokenizer.encodeContinuation(candidate.text) {
                var logProbs = pending.prefix(tokenCount).map(\.logProb)
                if isFinal {
                    if tokenizer.endOfGenerationToken != nil, let endLogProb { logProbs.append(endLogProb) }
                }
                own.reusableTokenCount = tokenCount
                own.reusableLogProbs = logProbs
            }
        }
        lastProposal = own
        return SegmentProposal(candidate: candidate, alignment: alignment, tokensGenerated: generated,
                               tokensReused: reused)
    }
}
