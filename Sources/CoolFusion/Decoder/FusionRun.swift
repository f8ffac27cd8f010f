/// The bookkeeping of one step-by-step generation (`cool`, `cool-align`, `gated`): the transcript,
/// per-model counters and the time spent in each phase, turned into a `FusionResult` at the end.
struct FusionRun {
    let modelCount: Int
    let options: FusionOptions
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    private(set) var transcript = SegmentTranscript()
    private(set) var generated: [Int]
    private(set) var reused: [Int]
    private(set) var committed: [Int]
    private(set) var catchUp: [Int]
    private(set) var fromDraft: [Int]
    private(set) var unaligned = 0
    var generateSeconds = 0.0
    var assessSeconds = 0.0
    var commitSeconds = 0.0

    init(modelCount: Int, options: FusionOptions) {
        self.modelCount = modelCount
        self.options = options
        start = clock.now
        generated = [Int](repeating: 0, count: modelCount)
        reused = generated
        committed = generated
        catchUp = generated
        fromDraft = generated
    }

    var now: ContinuousClock.Instant { clock.now }

    /// The segment token cap for the next step: the configured cap, shrunk to the budget left, so no
    /// model's committed text can pass `maxTokens` by more than a re-tokenisation difference.
    var stepCap: Int { max(1, min(options.segmentTokenCap, options.maxTokens - (committed.max() ?? 0))) }

    /// The request's stop sequences for the next step's T1, with the end of the text so far.
    var segmentStop: SegmentStop? { SegmentStop(sequences: options.stopSequences, following: transcript.text) }

    /// Counts one model's proposal of this step. A cut forced by the budget's last tokens is not the
    /// pathological cap fallback, so it is not counted as unaligned.
    mutating func record(proposal: SegmentProposal, of model: Int, stepCap: Int) {
        generated[model] += proposal.tokensGenerated
        reused[model] += proposal.tokensReused
        fromDraft[model] += proposal.tokensFromDraft
        if !proposal.alignment.isAligned, stepCap == options.segmentTokenCap { unaligned += 1 }
    }

    mutating func record(committed tokens: Int, by model: Int) { committed[model] += tokens }

    mutating func record(caughtUp tokens: Int, by model: Int) {
        catchUp[model] += tokens
        committed[model] += tokens
    }

    /// Appends the step's segment; true when the generation stops after it (`stopReason` says why).
    mutating func append(_ segment: FusionSegment, final: Bool,
                         onSegment: (@Sendable (FusionSegment) -> Void)?) -> Bool {
        let stopped = transcript.append(segment, stopSequences: options.stopSequences)
        if let last = transcript.segments.last { onSegment?(last) }
        if stopped { stopReason = .stopSequence } else if final { stopReason = .endOfGeneration }
        return stopped || final || committed.contains { $0 >= options.maxTokens }
    }

    private(set) var stopReason = StopReason.maxTokens

    func result(models: [String], gated: Bool) -> FusionResult {
        // Counted over the segments the transcript keeps: a stop sequence may drop the segments after
        // the one it begins in, and the segments won must add up to the segments of the output.
        var won = [Int](repeating: 0, count: modelCount)
        for case let winner? in transcript.segments.map(\.winnerModel) { won[winner] += 1 }
        var stats = FusionStats(stopReason: stopReason, seconds: (clock.now - start).seconds,
                                segments: transcript.segments.count, segmentsWon: won, tokensGenerated: generated,
                                tokensReused: reused, committedTokens: committed, unalignedCandidates: unaligned)
        stats.generateSeconds = generateSeconds
        stats.assessSeconds = assessSeconds
        stats.commitSeconds = commitSeconds
        if gated {
            stats.fusedSegments = transcript.segments.filter { $0.gate?.fused == true }.count
            stats.catchUpTokens = catchUp
            stats.tokensFromDraft = fromDraft
        }
        return FusionResult(text: transcript.text, method: options.method, models: models,
                            segments: transcript.segments, stats: stats, gate: gated ? options.gate : nil)
    }
}
