/// `majority` (or `majority+RULE`): when two or more models proposed the identical candidate, it
/// wins; otherwise (every model proposed something else) the fallback rule (`paper` by default)
/// decides.
///
/// Identical proposals are strong evidence: greedy decoding by two different models rarely agrees
/// on a wrong segment by chance, while a perplexity mean lets one model that is very sure of its
/// own candidate overrule two that agree (the yes/no case of docs/SELECTION.md). Precisely: among the candidates with the
/// most proposals, if that number is at least 2, the fallback chooses (so a 2–2 split among four
/// models is decided by the fallback between the two pairs); else the fallback chooses among all.
/// The scores in the trace are the fallback's over all candidates.
public struct MajoritySelection: SelectionRule {
    public var fallback: any SelectionRule

    public init(fallback: any SelectionRule = MeanSelection.paper) {
        self.fallback = fallback
    }

    public var name: String { fallback.name == "paper" ? "majority" : "majority+" + fallback.name }

    public func validate(modelCount: Int) throws {
        try fallback.validate(modelCount: modelCount)
    }

    public func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision? {
        guard let overall = fallback.decide(columns, proposers: proposers) else { return nil }
        let counts = columns.indices.map { $0 < proposers.count ? proposers[$0].count : 0 }
        let most = counts.max() ?? 0
        guard most >= 2 else { return overall }
        let agreed = columns.indices.filter { counts[$0] == most }
        if agreed.count == 1 { return SelectionDecision(winner: agreed[0], scores: overall.scores) }
        guard let among = fallback.decide(agreed.map { columns[$0] }, proposers: agreed.map { proposers[$0] }) else {
            return overall
        }
        return SelectionDecision(winner: agreed[among.winner], scores: overall.scores)
    }
}
