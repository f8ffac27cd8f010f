import CoolFusionTokenizers

/// The tokens a model generated past its committed state, and T1's decisions over them: where the
/// candidate segment ends, and whether the generated tokens can stand for the candidate if it wins.
/// Every model that generates token by token (in this process or through a remote engine) keeps one,
/// so all of them cut segments, fall back at the token cap and treat their own final candidate alike.
///
/// A candidate is looked at only once its tokens decode to complete UTF-8. Its end is the first
/// offset that is a complete word boundary of every deciding tokenizer (`SegmentBoundaryRule`); at the
/// token cap without one, the rule's fallback cut; when the model ends the generation, everything it
/// wrote. Tokens past the cut stay pending: if the candidate wins they start the model's next segment.
public struct PendingTokens: Sendable {
    /// What T1 reads next: a generated token, the model's end of generation (with the log-probability
    /// of the end-of-generation token it chose, if known), or nothing yet (ask again once more tokens
    /// were fetched, for a model that receives tokens in chunks).
    public enum Next: Sendable {
        case token(GeneratedToken, bytes: [UInt8])
        case end(logProb: Float?, confidence: TokenConfidence? = nil)
        case notYet
    }

    /// The outcome of `draw`.
    public enum Draw: Sendable {
        /// The candidate segment ends at `cut`; with `endLogProb` when the model ended the generation.
        case cut(SegmentCut)
        /// `next` had no token yet: fetch some, then draw again.
        case needsTokens
    }

    /// UTF-8 characters are at most 4 bytes, so past the cap this many more tokens always complete one.
    public static let utf8CompletionAllowance = 4

    public private(set) var entries: [GeneratedToken] = []
    /// The bytes of the pending tokens, and where each token's bytes end.
    private var bytes: [UInt8] = []
    private var tokenEnds: [Int] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var tokens: [TokenID] { entries.map(\.token) }

    public mutating func append(_ entry: GeneratedToken, bytes tokenBytes: [UInt8]) {
        entries.append(entry)
        bytes += tokenBytes
        tokenEnds.append(bytes.count)
    }

    /// Drops the first `count` tokens (committed, or the start of a winner that was reused).
    public mutating func removeFirst(_ count: Int) {
        guard count > 0 else { return }
        guard count < entries.count else { return removeAll() }
        let cutBytes = tokenEnds[count - 1]
        entries.removeFirst(count)
        bytes.removeFirst(cutBytes)
        tokenEnds = tokenEnds.dropFirst(count).map { $0 - cutBytes }
    }

    public mutating func removeAll() {
        entries = []
        bytes = []
        tokenEnds = []
    }

    /// T1: takes tokens from `next` until the segment can be cut under `rule` (or `tokenCap` tokens
    /// are pending); `generated` counts the tokens taken. `next` is handed the pending tokens so far
    /// (the context the next token follows). Returns `.needsTokens` when `next` has none yet.
    public mutating func draw(rule: SegmentBoundaryRule, tokenCap: Int, generated: inout Int,
                              next: (PendingTokens) throws -> Next) rethrows -> Draw {
        while true {
            if let cut = cut(rule: rule, tokenCap: tokenCap) { return .cut(cut) }
            switch try next(self) {
            case .token(let entry, let tokenBytes):
                generated += 1
                append(entry, bytes: tokenBytes)
            case .end(let logProb, let confidence):
                generated += 1
                return .cut(SegmentCut(offset: UTF8Prefix.validLength(bytes), alignment: .endOfGeneration,
                                       endLogProb: logProb, endConfidence: confidence))
            case .notYet:
                return .needsTokens
            }
        }
    }

    /// Where the segment ends now, or nil while more tokens are needed.
    func cut(rule: SegmentBoundaryRule, tokenCap: Int) -> SegmentCut? {
        guard !entries.isEmpty else { return nil }
        if UTF8Prefix.isComplete(bytes) {
            let text = UTF8Prefix.text(bytes)
            let boundary = rule.firstCut(in: text)
            if let stopEnd = rule.stop?.end(inPending: bytes), let end = stopCut(coveringByte: stopEnd),
               boundary.map({ end <= $0 }) ?? true {
                return SegmentCut(offset: end, alignment: .stopSequence)
            }
            if let boundary { return SegmentCut(offset: boundary, alignment: .aligned) }
            if entries.count >= tokenCap {
                let fallback = rule.fallbackCut(in: text)
                return SegmentCut(offset: fallback?.offset ?? bytes.count, alignment: fallback?.kind ?? .cappedWhole)
            }
        } else if entries.count >= tokenCap + Self.utf8CompletionAllowance {
            // Tokens that never complete a character (a model emitting stray bytes): stop anyway.
            let valid = UTF8Prefix.validLength(bytes)
            return SegmentCut(offset: valid > 0 ? valid : bytes.count, alignment: .cappedWhole)
        }
        return nil
    }

    /// Where a segment that must hold the first `byteCount` bytes ends: at the end of the token that
    /// holds the last of them, so the tokens stand for the candidate, or at the first later token end
    /// that completes a character (nil: none yet).
    func stopCut(coveringByte byteCount: Int) -> Int? {
        tokenEnds.first { $0 >= byteCount && UTF8Prefix.validLength(bytes[..<$0]) == $0 }
    }

    /// The model's own proposal cut at `cut`. The pending tokens up to the cut stand for the candidate
    /// (their log-probabilities are its score, and they are committed as they are if it wins) only when
    /// they are exactly the model's own tokenization of the candidate text (`canonical`), and, for a
    /// final candidate with an end-of-generation token (`endToken`), when the log-probability of that
    /// end is known; otherwise the candidate is scored like any other.
    public func proposal(at cut: SegmentCut, canonical: (String) -> [TokenID], endToken: TokenID?) -> OwnProposal {
        let isFinal = cut.alignment == .endOfGeneration
        let candidate = Candidate(text: UTF8Prefix.text(bytes[..<cut.offset]), isFinal: isFinal)
        var own = OwnProposal(candidate: candidate, reusableTokenCount: nil, reusableLogProbs: nil,
                              confidences: [])
        let tokenCount = cut.offset == 0 ? 0 : tokenEnds.firstIndex(of: cut.offset).map { $0 + 1 }
        own.confidences = entries.prefix(tokenCount ?? entries.count).compactMap(\.confidence)
        if isFinal, let end = cut.endConfidence { own.confidences.append(end) }
        guard let tokenCount, !isFinal || tokenCount == entries.count else { return own }
        let used = entries.prefix(tokenCount)
        guard used.map(\.token) == canonical(candidate.text) else { return own }
        var logProbs = used.map(\.logProb)
        if isFinal, endToken != nil {
            guard let end = cut.endLogProb else { return own }
            logProbs.append(end)
        }
        own.reusableTokenCount = tokenCount
        own.reusableLogProbs = logProbs
        return own
    }
}

/// Where T1 ends a candidate: a byte offset into the pending text and how it was chosen; for the end
/// of the generation, the log-probability of (and the confidence in) the end-of-generation token when
/// the model reported them.
public struct SegmentCut: Sendable, Equatable {
    public var offset: Int
    public var alignment: SegmentAlignment
    public var endLogProb: Float?
    public var endConfidence: TokenConfidence?

    public init(offset: Int, alignment: SegmentAlignment, endLogProb: Float? = nil,
                endConfidence: TokenConfidence? = nil) {
        self.offset = offset
        self.alignment = alignment
        self.endLogProb = endLogProb
        self.endConfidence = endConfidence
    }
}

/// A model's own T1 proposal and what of it can be reused without a model call if it is assessed.
public struct OwnProposal: Sendable {
    public var candidate: Candidate
    /// How many leading pending tokens are exactly this model's tokenization of the candidate text;
    /// nil when they are not (then it is scored normally).
    public var reusableTokenCount: Int?
    /// Log-probs of those tokens (plus the end-of-generation token for a final candidate).
    public var reusableLogProbs: [Float]?
    /// How sure the model was of each token it generated for the candidate (when it reports it).
    public var confidences: [TokenConfidence]
}
