import Foundation

/// The Cool-Fusion loop (docs/ARCHITECTURE.md, "The fusion loop"): T1 on every model, M3 on every
/// distinct candidate by every model, selection (Eq. 3 by default), M4 on every model; until a final
/// segment, a stop sequence or the budget.
extension FusionDecoder {
    func cool(prompts: [String], onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let splitters = models.map(\.wordSplitter)
        let ownOnly = options.method == .coolAlign
        // The run's clock starts before the prompts are read, as for every other method.
        var run = FusionRun(modelCount: models.count, options: options)
        _ = try await eachModel { index, model in try await model.open(prompt: prompts[index], sampling: sampling(of: index)) }
        while true {
            try Task.checkCancellation()
            // T1: every model proposes a segment from its own state.
            let t1Start = run.now
            let stepCap = run.stepCap
            let stop = run.segmentStop
            let proposals = try await eachModel { index, model in
                try await model.nextSegment(
                    rule: SegmentBoundaryRule(splitters: splitters, ownIndex: index, ownBoundariesOnly: ownOnly, stop: stop),
                    tokenCap: stepCap)
            }
            run.generateSeconds += (run.now - t1Start).seconds
            for (index, proposal) in proposals.enumerated() { run.record(proposal: proposal, of: index, stepCap: stepCap) }
            let step = try await fuse(proposals, run: &run)
            if run.append(step.segment, final: step.final, onSegment: onSegment) { break }
        }
        return run.result(models: modelNames, gated: false)
    }

    /// One fused step over every model's proposal (in model order): M3 on every distinct candidate by
    /// every model from the same committed state, the selection rule, and M4 on every model.
    func fuse(_ proposals: [SegmentProposal], run: inout FusionRun, gate: GateTrace? = nil) async throws -> FusedStep {
        let m3Start = run.now
        let set = CandidateSet(proposals.map(\.candidate))
        let distinct = set.distinct
        let matrix = try await eachModel { _, model in try await model.assess(distinct) }
        let columns = distinct.indices.map { column in matrix.map { $0[column] } }
        // Ties go to the lower model index.
        let decision = options.selection.decide(columns, proposers: set.proposers)
        let winningColumn = decision?.winner ?? 0
        let winnerModel = set.firstProposal(of: winningColumn)
        let m4Start = run.now
        run.assessSeconds += (m4Start - m3Start).seconds
        let committed = try await eachModel { _, model in try await model.commit(candidateAt: winningColumn) }
        run.commitSeconds += (run.now - m4Start).seconds
        for (index, tokens) in committed.enumerated() { run.record(committed: tokens.count, by: index) }

        let traces = proposals.enumerated().map { index, proposal in
            let columnIndex = set.columnOfProposal[index]
            return CandidateTrace(
                model: index, text: proposal.candidate.text,
                ppl: columns[columnIndex].map { $0.perplexity.flatMap(\.finiteOrNil) },
                score: decision?.scores[columnIndex].finiteOrNil,
                alignment: proposal.alignment, final: proposal.candidate.isFinal,
                tokensGenerated: proposal.tokensGenerated, tokensReused: proposal.tokensReused)
        }
        let winner = distinct[winningColumn]
        return FusedStep(segment: FusionSegment(text: winner.text, winner: winnerModel, candidates: traces, gate: gate),
                         final: winner.isFinal)
    }
}

/// The outcome of one step: its segment for the trace (which names the model whose candidate won), and
/// whether the winner ends the generation.
struct FusedStep {
    var segment: FusionSegment
    var final: Bool
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
