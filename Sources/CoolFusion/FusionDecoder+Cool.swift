import Foundation

/// The Cool-Fusion loop (DESIGN.md §1): T1 on every model, M3 on every distinct candidate by every
/// model, selection (Eq. 3), M4 on every model; until a final segment, a stop sequence or the budget.
extension FusionDecoder {
    func cool(prompts: [String], onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let k = models.count
        let splitters = models.map(\.wordSplitter)
        let ownOnly = options.method == .coolAlign
        let cap = options.segmentTokenCap
        let selection = options.selection

        _ = try await eachModel { index, model in try await model.open(prompt: prompts[index]) }

        var transcript = SegmentTranscript()
        var won = [Int](repeating: 0, count: k)
        var generated = [Int](repeating: 0, count: k)
        var reused = [Int](repeating: 0, count: k)
        var committedCounts = [Int](repeating: 0, count: k)
        var unaligned = 0
        var stopReason = StopReason.maxTokens
        var phaseSeconds = (generate: 0.0, assess: 0.0, commit: 0.0)

        while true {
            try Task.checkCancellation()
            // T1: every model proposes a segment from its own state.
            // The segment cap shrinks to the budget left, so no model's committed text can pass
            // `maxTokens` by more than a re-tokenisation difference (not by a whole segment).
            let t1Start = clock.now
            let stepCap = max(1, min(cap, options.maxTokens - (committedCounts.max() ?? 0)))
            let proposals = try await eachModel { index, model in
                try await model.nextSegment(
                    rule: SegmentBoundaryRule(splitters: splitters, ownIndex: index, ownBoundariesOnly: ownOnly),
                    tokenCap: stepCap)
            }
            // M3: every model scores every distinct candidate from the same (committed) state.
            let m3Start = clock.now
            phaseSeconds.generate += (m3Start - t1Start).seconds
            let set = CandidateSet(proposals.map(\.candidate))
            let distinct = set.distinct
            let matrix = try await eachModel { _, model in try await model.assess(distinct) }
            let columns = distinct.indices.map { column in matrix.map { $0[column] } }
            // Selection: by default the lowest mean perplexity; ties go to the lower model index.
            let decision = selection.decide(columns, proposers: set.proposers)
            let winningColumn = decision?.winner ?? 0
            let winnerModel = set.firstProposal(of: winningColumn)
            // M4: every model adopts the winner's state.
            let m4Start = clock.now
            phaseSeconds.assess += (m4Start - m3Start).seconds
            let committedNow = try await eachModel { _, model in try await model.commit(candidateAt: winningColumn) }
            phaseSeconds.commit += (clock.now - m4Start).seconds

            for index in 0..<k {
                generated[index] += proposals[index].tokensGenerated
                reused[index] += proposals[index].tokensReused
                committedCounts[index] += committedNow[index].count
                // A cut forced by the budget's last tokens is not the pathological cap fallback.
                if !proposals[index].alignment.isAligned, stepCap == cap { unaligned += 1 }
            }
            won[winnerModel] += 1
            let traces = proposals.enumerated().map { index, proposal in
                let columnIndex = set.columnOfProposal[index]
                let column = columns[columnIndex]
                return CandidateTrace(
                    model: index, text: proposal.candidate.text,
                    ppl: column.map { $0.perplexity.flatMap(\.finiteOrNil) },
                    score: decision?.scores[columnIndex].finiteOrNil,
                    alignment: proposal.alignment, final: proposal.candidate.isFinal,
                    tokensGenerated: proposal.tokensGenerated, tokensReused: proposal.tokensReused)
            }
            let winner = distinct[winningColumn]
            let stopped = transcript.append(
                FusionSegment(text: winner.text, winner: winnerModel, candidates: traces),
                stopSequences: options.stopSequences)
            if let last = transcript.segments.last { onSegment?(last) }

            if stopped { stopReason = .stopSequence; break }
            if winner.isFinal { stopReason = .endOfGeneration; break }
            if committedCounts.contains(where: { $0 >= options.maxTokens }) { stopReason = .maxTokens; break }
        }

        let seconds = (clock.now - start).seconds
        var stats = FusionStats(stopReason: stopReason, seconds: seconds, segments: transcript.segments.count,
                                segmentsWon: won, tokensGenerated: generated, tokensReused: reused,
                                committedTokens: committedCounts, unalignedCandidates: unaligned)
        stats.generateSeconds = phaseSeconds.generate
        stats.assessSeconds = phaseSeconds.assess
        stats.commitSeconds = phaseSeconds.commit
        return FusionResult(
            text: transcript.text, method: options.method, models: modelNames, segments: transcript.segments,
            stats: stats)
    }
}

extension Double {
    /// JSON has no infinities or NaN: those become null in the trace.
    var finiteOrNil: Double? { isFinite ? self : nil }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
