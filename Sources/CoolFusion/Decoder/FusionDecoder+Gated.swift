/// Gated fusion: the leader writes each segment alone (T1 on the leader, cut at a word boundary every
/// tokenizer shares); where its confidence in the segment is on the unsure side of the gate's threshold,
/// the step becomes a full Cool-Fusion step instead (every model proposes and assesses, the selection
/// rule picks; the leader's segment is one of the candidates).
///
/// Followers are called only when consulted. They open the prompt on first consultation, and the text
/// the leader committed meanwhile reaches them then, in one `commit(text:)` (one batched pass for a
/// local model, one call for a worker): a generation the leader is sure of end to end never runs them.
/// In a fused step each follower also receives the leader's segment as a draft of its own: a local
/// model checks it in the same pass as the missed text, so where it would have written the same
/// tokens they cost no pass of their own, and the leader's candidate is already scored by it.
extension FusionDecoder {
    func gated(prompts: [String], onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let gate = options.gate
        let leaderIndex = gate.leader
        let leader = models[leaderIndex]
        let splitters = models.map(\.wordSplitter)
        var run = FusionRun(modelCount: models.count, options: options)
        var opened = models.indices.map { $0 == leaderIndex }
        // Text each model has not seen yet (the leader's confident segments since it was last consulted).
        var backlog = models.map { _ in "" }
        try await leader.open(prompt: prompts[leaderIndex], sampling: sampling(of: leaderIndex))

        while true {
            try Task.checkCancellation()
            let t1Start = run.now
            let stepCap = run.stepCap
            let stop = run.segmentStop
            let rule = SegmentBoundaryRule(splitters: splitters, ownIndex: leaderIndex, stop: stop)
            let own = try await leader.nextSegment(rule: rule, tokenCap: stepCap)
            run.record(proposal: own, of: leaderIndex, stepCap: stepCap)
            let unsure = gate.isUnsure(own.confidences)
            let trace = GateTrace(fused: unsure, signal: gate.signal, confidences: own.confidences)

            if !unsure {
                run.generateSeconds += (run.now - t1Start).seconds
                // Confident: the leader commits its own segment (scored from its generation, no call).
                let m3Start = run.now
                let assessment = try await leader.assess([own.candidate])
                let tokens = try await leader.commit(candidateAt: 0)
                run.commitSeconds += (run.now - m3Start).seconds
                run.record(committed: tokens.count, by: leaderIndex)
                for index in models.indices where index != leaderIndex { backlog[index] += own.candidate.text }
                var ppl = [Double?](repeating: nil, count: models.count)
                ppl[leaderIndex] = assessment.first?.perplexity.flatMap(\.finiteOrNil)
                let candidate = CandidateTrace(model: leaderIndex, text: own.candidate.text, ppl: ppl, score: nil,
                                               alignment: own.alignment, final: own.candidate.isFinal,
                                               tokensGenerated: own.tokensGenerated, tokensReused: own.tokensReused)
                let segment = FusionSegment(text: own.candidate.text, winner: 0, candidates: [candidate], gate: trace)
                if run.append(segment, final: own.candidate.isFinal, onSegment: onSegment) { break }
                continue
            }

            // Unsure: the followers catch up and propose; everyone assesses everything.
            let missed = backlog
            let wasOpen = opened
            let followerProposals = try await eachModel { index, model -> (proposal: SegmentProposal, caughtUp: Int)? in
                guard index != leaderIndex else { return nil }
                if !wasOpen[index] { try await model.open(prompt: prompts[index], sampling: sampling(of: index)) }
                let caughtUp = missed[index].isEmpty ? 0 : try await model.commit(text: missed[index]).count
                let rule = SegmentBoundaryRule(splitters: splitters, ownIndex: index, stop: stop)
                // The leader's segment is a draft of the follower's own: where they agree, the
                // follower's tokens come from the pass that feeds it the missed text.
                let proposal = options.followersCheckLeaderSegment
                    ? try await model.nextSegment(rule: rule, tokenCap: stepCap, draft: own.candidate)
                    : try await model.nextSegment(rule: rule, tokenCap: stepCap)
                return (proposal, caughtUp)
            }
            run.generateSeconds += (run.now - t1Start).seconds
            var proposals: [SegmentProposal] = []
            for index in models.indices {
                opened[index] = true
                backlog[index] = ""
                guard let follower = followerProposals[index] else {
                    proposals.append(own)
                    continue
                }
                run.record(caughtUp: follower.caughtUp, by: index)
                run.record(proposal: follower.proposal, of: index, stepCap: stepCap)
                proposals.append(follower.proposal)
            }
            let step = try await fuse(proposals, run: &run, gate: trace)
            if run.append(step.segment, final: step.final, onSegment: onSegment) { break }
        }
        return run.result(models: modelNames, gated: true)
    }
}
