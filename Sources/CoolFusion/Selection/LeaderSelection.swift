/// `leader`: the candidate of the model with the largest weight (the most accurate one, with weights
/// from `coolfusion calibrate`) wins; perplexities are not used. Usually combined as
/// `majority+leader`: two models that agree overrule the leader, otherwise the leader writes.
///
/// Why: measured on the mixed dev set (docs/SELECTION.md), perplexity-based rules lose most where one
/// model is far better than the others (Qwen2.5 on arithmetic: 58–75% alone, 17–58% fused), because
/// the weaker models' confidence in their own wrong numbers outweighs it, and rank votes let the two
/// weaker models outvote it. Deferring to the calibrated leader unless two models agree keeps the
/// fusion near its best model where one model dominates, and takes the majority where they disagree
/// with it together.
///
/// Score (trace): minus the largest weight among the candidate's proposers (lower wins); a candidate
/// without known proposers scores +infinity. Without proposer information at all, the weighted
/// `paper` rule decides. Ties between equally weighted leaders go to `paper`, then the lower index.
public struct LeaderSelection: SelectionRule, Equatable {
    /// One positive weight per model; nil means equal weights (the first model leads).
    public var weights: [Double]?

    public init(weights: [Double]? = nil) {
        self.weights = weights
    }

    public var name: String { "leader" }

    public func validate(modelCount: Int) throws {
        try SelectionWeights.validate(weights, modelCount: modelCount)
    }

    public func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision? {
        let paper = MeanSelection(metric: .ppl, weights: weights)
        guard proposers.contains(where: { !$0.isEmpty }) else { return paper.decide(columns, proposers: proposers) }
        let scores = columns.indices.map { column -> Double in
            let models = column < proposers.count ? proposers[column] : []
            // A proposer without a weight (e.g. Cool's own answer in cool+rerank) does not lead.
            let weightsOfProposers = models.compactMap { model -> Double? in
                guard let weights else { return model == 0 ? 1 : 0 }
                return model < weights.count ? weights[model] : nil
            }
            guard let strongest = weightsOfProposers.max() else { return .infinity }
            return -strongest
        }
        return SelectionDecision.lowest(scores, tieBreak: columns.map(paper.mean))
    }
}
