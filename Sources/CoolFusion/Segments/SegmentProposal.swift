/// One model's result of individual text generation (the paper's T1) for one step.
public struct SegmentProposal: Sendable {
    /// The candidate segment: text cut at the chosen boundary, and whether it ends the generation.
    public var candidate: Candidate
    /// How the end was chosen.
    public var alignment: SegmentAlignment
    /// Tokens this model generated in this step (model calls, M2), excluding reused ones.
    public var tokensGenerated: Int
    /// Tokens kept from the previous step (generated past that step's cut) and reused here.
    public var tokensReused: Int
    /// How sure the model was of each token of the candidate, in order (empty when its backend does
    /// not report it). What the gate of `gated` fusion reads.
    public var confidences: [TokenConfidence]
    /// Of `tokensGenerated`, those read from the pass that checked another model's segment as a draft
    /// (`SourceModel.nextSegment(rule:tokenCap:draft:)`) that would otherwise have cost a pass each:
    /// every one after the first (which the pass feeding the committed state gives either way).
    public var tokensFromDraft: Int

    public init(candidate: Candidate, alignment: SegmentAlignment, tokensGenerated: Int, tokensReused: Int,
                confidences: [TokenConfidence] = [], tokensFromDraft: Int = 0) {
        self.candidate = candidate
        self.alignment = alignment
        self.tokensGenerated = tokensGenerated
        self.tokensReused = tokensReused
        self.confidences = confidences
        self.tokensFromDraft = tokensFromDraft
    }
}
