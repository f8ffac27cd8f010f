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

    public init(candidate: Candidate, alignment: SegmentAlignment, tokensGenerated: Int, tokensReused: Int) {
        self.candidate = candidate
        self.alignment = alignment
        self.tokensGenerated = tokensGenerated
        self.tokensReused = tokensReused
    }
}
