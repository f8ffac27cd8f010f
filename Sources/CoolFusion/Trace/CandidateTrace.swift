/// One model's candidate in one step, as recorded in the trace and the `--json` output.
public struct CandidateTrace: Sendable, Codable, Equatable {
    /// Index of the proposing model; nil for Cool's own fused answer (a candidate of `cool+rerank`).
    public var model: Int?
    public var text: String
    /// Perplexity of this candidate under each scoring model, in model order (null: not assessable).
    public var ppl: [Double?]
    /// The selection rule's score, lower wins (`paper`: the mean PPL; `vote`: the rank sum); null if infinite.
    public var score: Double?
    /// How its end was chosen.
    public var alignment: SegmentAlignment
    /// True when the candidate ends the generation.
    public var final: Bool
    /// Tokens the model generated for it in this step, and tokens it reused from the previous step.
    public var tokensGenerated: Int
    public var tokensReused: Int

    public init(model: Int?, text: String, ppl: [Double?], score: Double?, alignment: SegmentAlignment,
                final: Bool, tokensGenerated: Int, tokensReused: Int) {
        self.model = model
        self.text = text
        self.ppl = ppl
        self.score = score
        self.alignment = alignment
        self.final = final
        self.tokensGenerated = tokensGenerated
        self.tokensReused = tokensReused
    }
}
