/// Counters and timing of one generation.
public struct FusionStats: Sendable, Codable, Equatable {
    public var stopReason: StopReason
    /// Wall-clock time of the generation, including opening the prompt.
    public var seconds: Double
    public var segments: Int
    public var segmentsPerSecond: Double
    /// Segments won by each model (index = model).
    public var segmentsWon: [Int]
    /// Tokens each model generated (greedy steps), and tokens it reused across steps.
    public var tokensGenerated: [Int]
    public var tokensReused: [Int]
    /// Tokens each model committed after the prompt (its tokenization of the output).
    public var committedTokens: [Int]
    /// Candidates that were cut by the token-cap fallback instead of at a common boundary.
    public var unalignedCandidates: Int
    /// Wall-clock seconds spent in each phase of the loop (T1 generation, M3 assessment, M4 commit);
    /// zero for whole-answer methods.
    public var generateSeconds: Double = 0
    public var assessSeconds: Double = 0
    public var commitSeconds: Double = 0
    /// For `gated`: segments that went to a full fusion step (the others the leader wrote alone), and
    /// the tokens each model appended to catch up with text committed while it was not consulted.
    public var fusedSegments: Int?
    public var catchUpTokens: [Int]?
    /// For `gated`: of each model's generated tokens, those its check of the leader's segment gave
    /// without a pass of their own (`SegmentProposal.tokensFromDraft`).
    public var tokensFromDraft: [Int]?
    /// Forward passes each model ran for the generation and the rows (tokens) they computed, where the
    /// caller counted them (`generate` does, for models in process; nil otherwise). A pass streams the
    /// model's weights once, so these are the work behind the times, without their noise.
    public var forwardPasses: [Int]?
    public var forwardRows: [Int]?
    /// Of `forwardRows`, those whose next-token distribution was computed (the output head's rows).
    public var outputRows: [Int]?
    /// Seconds each model spent in its forward passes, and the part of them on output rows (the
    /// product with the output matrix over the whole vocabulary and the use of each row's logits):
    /// with the counts above, a profile of where a generation's time went. With the models running
    /// concurrently on one thread pool (the default), a model's seconds include waiting for the
    /// others' products; with `--sequential` they add up to the time in passes.
    public var forwardSeconds: [Double]?
    public var outputSeconds: [Double]?
    /// The weight bytes one pass of each model streams, with `forwardPasses`: passes × these bytes is
    /// the generation's weight traffic, the quantity decode speed is bound by.
    public var weightBytesPerPass: [Int]?

    public init(stopReason: StopReason, seconds: Double, segments: Int, segmentsWon: [Int],
                tokensGenerated: [Int], tokensReused: [Int], committedTokens: [Int], unalignedCandidates: Int) {
        self.stopReason = stopReason
        self.seconds = seconds
        self.segments = segments
        self.segmentsPerSecond = seconds > 0 ? Double(segments) / seconds : 0
        self.segmentsWon = segmentsWon
        self.tokensGenerated = tokensGenerated
        self.tokensReused = tokensReused
        self.committedTokens = committedTokens
        self.unalignedCandidates = unalignedCandidates
    }
}
