/// `vote`: every model ranks the candidates by its own perplexity, and the ranks are summed (Borda
/// count); the lowest rank sum wins, ties go to `paper` (the mean perplexity), then to the lower index.
///
/// Ranks ignore how *much* more confident a model is, so one model that is very sure of its own
/// candidate (docs/SELECTION.md's yes/no case: SmolLM2's " No" at PPL 1.25) has one vote, not a veto over the others.
/// Rank of candidate `c` for model `m`: the number of candidates `m` finds strictly better (lower
/// mean NLL), plus half of those it finds equally good (so tied candidates share a rank). A
/// candidate a model cannot assess counts as worse than every one it can; a model that can assess
/// none gives every candidate the same rank, i.e. abstains. With weights, model `m`'s ranks count
/// `weights[m]` times.
public struct RankVoteSelection: SelectionRule, Equatable {
    public var weights: [Double]?

    public init(weights: [Double]? = nil) {
        self.weights = weights
    }

    public var name: String { "vote" }

    public func validate(modelCount: Int) throws {
        try SelectionWeights.validate(weights, modelCount: modelCount)
    }

    public func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision? {
        let modelCount = columns.map(\.count).max() ?? 0
        var rankSums = [Double](repeating: 0, count: columns.count)
        for model in 0..<modelCount {
            // Shape [columns]: this model's mean NLL of each candidate (+infinity: cannot assess).
            let nll = columns.map { column in model < column.count ? (column[model].meanNLL ?? .infinity) : .infinity }
            let weight = weights.flatMap { model < $0.count ? $0[model] : nil } ?? 1
            for column in columns.indices {
                var rank = 0.0
                for other in columns.indices where other != column {
                    if nll[other] < nll[column] { rank += 1 } else if nll[other] == nll[column] { rank += 0.5 }
                }
                rankSums[column] += weight * rank
            }
        }
        let paper = MeanSelection(metric: .ppl, weights: weights)
        return SelectionDecision.lowest(rankSums, tieBreak: columns.map(paper.mean))
    }
}
