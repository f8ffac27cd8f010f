/// `median`: the median over the scoring models of each candidate's perplexity; the lowest wins,
/// ties go to `paper`, then to the lower index.
///
/// The median ignores the most extreme opinions: with three models, one model's very low (or very
/// high) perplexity cannot decide alone, unlike in the mean. In the yes/no case of docs/SELECTION.md the medians are
/// 2.02 for " No" and 1.98 for " Yes", so " Yes" wins where the mean picks " No". With an even
/// number of models, the mean of the two middle values. Models that cannot assess a candidate are
/// left out; a candidate no model can assess scores +infinity.
public struct MedianSelection: SelectionRule, Equatable {
    public init() {}

    public var name: String { "median" }

    public func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision? {
        SelectionDecision.lowest(columns.map(Self.median), tieBreak: columns.map(MeanSelection.paper.mean))
    }

    static func median(_ column: [CandidateAssessment]) -> Double {
        let values = column.compactMap(\.perplexity).sorted()
        guard !values.isEmpty else { return .infinity }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
