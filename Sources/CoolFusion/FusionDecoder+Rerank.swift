import Foundation

/// The whole-answer methods: `single`, `rerank` and `cool+rerank` (paper §3 baselines).
extension FusionDecoder {
    /// One model, greedy, as one segment.
    func single(prompt: String, onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let model = models[0]
        try await model.open(prompt: prompt)
        let answer = try await model.generateAnswer(maxTokens: options.maxTokens, stopSequences: options.stopSequences)
        let segment = FusionSegment(text: answer.text, winner: 0, candidates: [
            CandidateTrace(model: 0, text: answer.text, ppl: [], score: nil,
                           alignment: answer.endedByModel ? .endOfGeneration : .aligned, final: answer.endedByModel,
                           tokensGenerated: answer.tokenCount, tokensReused: 0),
        ])
        onSegment?(segment)
        let seconds = (clock.now - start).seconds
        return FusionResult(
            text: answer.text, method: .single, models: modelNames, segments: [segment],
            stats: FusionStats(stopReason: stopReason(of: answer), seconds: seconds, segments: 1, segmentsWon: [1],
                               tokensGenerated: [answer.tokenCount], tokensReused: [0],
                               committedTokens: [answer.tokenCount], unalignedCandidates: 0))
    }

    /// Every model writes a whole answer; every model scores every distinct answer from the prompt;
    /// the lowest average perplexity wins. With `includingCool`, Cool's answer competes too
    /// (its candidate has model index `models.count`).
    func rerank(prompt: String, includingCool: Bool,
                onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let k = models.count
        var coolResult: FusionResult?
        if includingCool {
            var coolOptions = options
            coolOptions.method = .cool
            coolResult = try await FusionDecoder(models: models, options: coolOptions).cool(prompt: prompt, onSegment: nil)
        }
        let maxTokens = options.maxTokens
        let stops = options.stopSequences
        let answers = try await eachModel { _, model in
            try await model.open(prompt: prompt)
            return try await model.generateAnswer(maxTokens: maxTokens, stopSequences: stops)
        }
        var proposals = answers.map { Candidate(text: $0.text, isFinal: $0.endedByModel) }
        if let coolResult {
            proposals.append(Candidate(text: coolResult.text, isFinal: coolResult.stats.stopReason == .endOfGeneration))
        }
        let set = CandidateSet(proposals)
        let distinct = set.distinct
        let matrix = try await eachModel { _, model in try await model.assess(distinct) }
        let columns = distinct.indices.map { column in matrix.map { $0[column] } }
        let decision = options.selection.decide(columns, proposers: set.proposers)
        let winningColumn = decision?.winner ?? 0
        let winner = set.firstProposal(of: winningColumn)

        let traces = proposals.enumerated().map { index, candidate in
            let columnIndex = set.columnOfProposal[index]
            let column = columns[columnIndex]
            let isCool = index == k
            return CandidateTrace(
                model: index, text: candidate.text,
                ppl: column.map { $0.perplexity.flatMap(\.finiteOrNil) },
                score: decision?.scores[columnIndex].finiteOrNil,
                alignment: candidate.isFinal ? .endOfGeneration : .aligned, final: candidate.isFinal,
                tokensGenerated: isCool ? (coolResult?.stats.tokensGenerated.reduce(0, +) ?? 0) : answers[index].tokenCount,
                tokensReused: 0)
        }
        let segment = FusionSegment(text: distinct[winningColumn].text, winner: winner, candidates: traces)
        onSegment?(segment)
        var won = [Int](repeating: 0, count: k)
        if winner < k { won[winner] = 1 }
        let stop: StopReason = winner < k ? stopReason(of: answers[winner]) : (coolResult?.stats.stopReason ?? .maxTokens)
        let seconds = (clock.now - start).seconds
        var generatedTokens = answers.map(\.tokenCount)
        if let coolResult {
            for index in 0..<k { generatedTokens[index] += coolResult.stats.tokensGenerated[index] }
        }
        let committed = winner < k
            ? models.map { $0.encode(distinct[winningColumn].text).count }
            : (coolResult?.stats.committedTokens ?? [])
        return FusionResult(
            text: segment.text, method: options.method, models: modelNames, segments: [segment],
            stats: FusionStats(stopReason: stop, seconds: seconds, segments: 1, segmentsWon: won,
                               tokensGenerated: generatedTokens, tokensReused: [Int](repeating: 0, count: k),
                               committedTokens: committed, unalignedCandidates: coolResult?.stats.unalignedCandidates ?? 0))
    }

    private func stopReason(of answer: GeneratedAnswer) -> StopReason {
        if answer.endedByModel { return .endOfGeneration }
        return answer.tokenCount >= options.maxTokens ? .maxTokens : .stopSequence
    }
}
