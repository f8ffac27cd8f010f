import Foundation

/// The whole-answer methods: `single`, `rerank` and `cool+rerank` (paper §3 baselines).
extension FusionDecoder {
    /// One model, greedy, as one segment.
    func single(prompts: [String], onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let model = models[0]
        try await model.open(prompt: prompts[0], sampling: sampling(of: 0))
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
    /// the lowest average perplexity wins. With `includingCool`, Cool's answer competes too (as the
    /// last candidate, with no model).
    func rerank(prompts: [String], includingCool: Bool,
                onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let start = ContinuousClock().now
        var cool: GeneratedAnswer?
        var coolResult: FusionResult?
        if includingCool {
            var coolOptions = options
            coolOptions.method = .cool
            let result = try await FusionDecoder(models: models, options: coolOptions).cool(prompts: prompts, onSegment: nil)
            coolResult = result
            cool = GeneratedAnswer(text: result.text, endedByModel: result.stats.stopReason == .endOfGeneration,
                                   tokenCount: result.stats.tokensGenerated.reduce(0, +))
        }
        let maxTokens = options.maxTokens
        let stops = options.stopSequences
        try Task.checkCancellation()
        let answers = try await eachModel { index, model in
            try await model.open(prompt: prompts[index], sampling: sampling(of: index))
            return try await model.generateAnswer(maxTokens: maxTokens, stopSequences: stops)
        }
        try Task.checkCancellation()
        // Each model's committed state is still the prompt (answers are not committed), so no reopen.
        return try await pick(prompts: prompts, from: RerankInputs(answers: answers, cool: cool), coolResult: coolResult,
                              reopen: false, since: start, onSegment: onSegment)
    }

    /// `rerank` or `cool+rerank` (the decoder's method) over answers written earlier: only the
    /// scoring runs. `stats.tokensGenerated` counts nothing new; `stats.seconds` is the scoring time.
    public func rerank(prompt: String, reusing inputs: RerankInputs,
                       onSegment: (@Sendable (FusionSegment) -> Void)? = nil) async throws -> FusionResult {
        guard options.method == .rerank || options.method == .coolPlusRerank else {
            throw FusionError.reuseNeedsRerank(method: options.method.rawValue)
        }
        guard inputs.answers.count == models.count else {
            throw FusionError.reusedAnswersMismatch(answers: inputs.answers.count, models: models.count)
        }
        var inputs = inputs
        if options.method == .rerank { inputs.cool = nil }
        guard options.method == .rerank || inputs.cool != nil else { throw FusionError.reuseNeedsCoolAnswer }
        return try await pick(prompts: models.map { _ in prompt }, from: inputs, coolResult: nil, reopen: true,
                              since: ContinuousClock().now, onSegment: onSegment)
    }

    /// Scores every distinct answer by every model from the prompt and picks the winner.
    /// `coolResult`, when Cool ran here, supplies its exact token statistics; `reopen` opens the
    /// prompt first (when the models' states may hold something else).
    private func pick(prompts: [String], from inputs: RerankInputs, coolResult: FusionResult?, reopen: Bool,
                      since start: ContinuousClock.Instant,
                      onSegment: (@Sendable (FusionSegment) -> Void)?) async throws -> FusionResult {
        let k = models.count
        let answers = inputs.answers
        var proposals = answers.map { Candidate(text: $0.text, isFinal: $0.endedByModel) }
        if let cool = inputs.cool { proposals.append(Candidate(text: cool.text, isFinal: cool.endedByModel)) }
        let set = CandidateSet(proposals)
        let distinct = set.distinct
        let columns: [[CandidateAssessment]]
        if let known = inputs.assessments {
            guard known.count == proposals.count, known.allSatisfy({ $0.count == k }) else {
                throw FusionError.reusedAssessmentsMismatch(rows: known.count, answers: proposals.count, models: k)
            }
            columns = distinct.indices.map { known[set.firstProposal(of: $0)] }
        } else {
            let matrix = try await eachModel { index, model in
                if reopen { try await model.open(prompt: prompts[index]) }  // to score only: nothing is drawn
                return try await model.assess(distinct)
            }
            columns = distinct.indices.map { column in matrix.map { $0[column] } }
        }
        let decision = options.selection.decide(columns, proposers: set.proposers)
        let winningColumn = decision?.winner ?? 0
        let winner = set.firstProposal(of: winningColumn)

        let traces = proposals.enumerated().map { index, candidate in
            let columnIndex = set.columnOfProposal[index]
            let column = columns[columnIndex]
            return CandidateTrace(
                model: index < k ? index : nil, text: candidate.text,
                ppl: column.map { $0.perplexity.flatMap(\.finiteOrNil) },
                score: decision?.scores[columnIndex].finiteOrNil,
                alignment: candidate.isFinal ? .endOfGeneration : .aligned, final: candidate.isFinal,
                tokensGenerated: index < k ? answers[index].tokenCount : (inputs.cool?.tokenCount ?? 0),
                tokensReused: 0)
        }
        let segment = FusionSegment(text: distinct[winningColumn].text, winner: winner, candidates: traces)
        onSegment?(segment)
        var won = [Int](repeating: 0, count: k)
        if winner < k { won[winner] = 1 }
        let stop: StopReason
        if winner < k {
            stop = stopReason(of: answers[winner])
        } else if let coolResult {
            stop = coolResult.stats.stopReason
        } else {
            stop = inputs.cool.map { $0.endedByModel ? .endOfGeneration : stopReason(of: $0) } ?? .maxTokens
        }
        var generatedTokens = answers.map(\.tokenCount)
        if let coolResult {
            for index in 0..<k { generatedTokens[index] += coolResult.stats.tokensGenerated[index] }
        }
        let committed = winner == k && coolResult != nil
            ? coolResult?.stats.committedTokens ?? []
            : models.map { $0.encode(distinct[winningColumn].text).count }
        return FusionResult(
            text: segment.text, method: options.method, models: modelNames, segments: [segment],
            stats: FusionStats(stopReason: stop, seconds: (ContinuousClock().now - start).seconds, segments: 1, segmentsWon: won,
                               tokensGenerated: generatedTokens, tokensReused: [Int](repeating: 0, count: k),
                               committedTokens: committed,
                               unalignedCandidates: coolResult?.stats.unalignedCandidates ?? 0))
    }

    private func stopReason(of answer: GeneratedAnswer) -> StopReason {
        if answer.endedByModel { return .endOfGeneration }
        return answer.tokenCount >= options.maxTokens ? .maxTokens : .stopSequence
    }
}
