/// Settings of one fused generation.
public struct FusionOptions: Sendable {
    public var method: FusionMethod
    /// Stop once any model's committed continuation has this many of its own tokens
    /// (for whole answers: at most this many tokens each).
    public var maxTokens: Int
    /// Stop where one of these first appears in the generated text (it and what follows are dropped).
    public var stopSequences: [String]
    /// At most this many tokens per candidate segment before the fallback cut (`SegmentBoundaryRule.fallbackCut`).
    public var segmentTokenCap: Int
    /// How the winner is chosen (default: the paper's Eq. 3).
    public var selection: any SelectionRule
    /// Run the models' steps concurrently (paper §2.4). Off gives the same output, one model at a time.
    public var concurrent: Bool
    /// The leader, signal and threshold of `gated`.
    public var gate: GateSettings
    /// How models choose the tokens of their proposals (T1) and whole answers; greedy by default.
    /// Assessment and selection are the same whatever it is.
    public var sampling: TokenSampling
    /// `gated`: in a fused step, followers check the leader's segment as a draft of their own
    /// (`SourceModel.nextSegment(rule:tokenCap:draft:)`): the same output in fewer passes. Off only to
    /// measure what it saves.
    public var followersCheckLeaderSegment: Bool

    public init(method: FusionMethod = .cool, maxTokens: Int = 128, stopSequences: [String] = [],
                segmentTokenCap: Int = 32, selection: any SelectionRule = MeanSelection.paper, concurrent: Bool = true,
                gate: GateSettings = GateSettings(), sampling: TokenSampling = .greedy,
                followersCheckLeaderSegment: Bool = true) {
        self.method = method
        self.maxTokens = maxTokens
        self.stopSequences = stopSequences
        self.segmentTokenCap = segmentTokenCap
        self.selection = selection
        self.concurrent = concurrent
        self.gate = gate
        self.sampling = sampling
        self.followersCheckLeaderSegment = followersCheckLeaderSegment
    }
}
