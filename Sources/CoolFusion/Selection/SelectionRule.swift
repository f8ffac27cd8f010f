import Foundation

/// How one step's winner is chosen from the perplexity matrix (the paper's Eq. 3 and alternatives).
///
/// The decoder hands a rule the matrix of one step: `columns[c][m]` is model `m`'s assessment of the
/// `c`-th distinct candidate, and `proposers[c]` the indices of the proposals (models; for
/// `cool+rerank` also Cool's answer, index `models.count`) whose candidate is `c`. Columns come in
/// order of first proposal, so "ties go to the lower index" means ties go to the lower model.
///
/// Rules (one type each in `Selection/`, built by name with `SelectionRules.make`):
/// `paper` (mean of perplexities, Eq. 3, the default), `logppl`, `weighted`, `vote`, `median`,
/// `leader`, `majority[+RULE]`.
public protocol SelectionRule: Sendable {
    /// The name that selects the rule (`--selection`, `cool:selection=...`).
    var name: String { get }

    /// Checks the rule's settings against the number of scoring models (e.g. one weight per model).
    func validate(modelCount: Int) throws

    /// The step's decision, or nil when there are no columns.
    func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision?
}

/// The outcome of one selection: the winning column and every column's score (the trace's `score`).
public struct SelectionDecision: Sendable, Equatable {
    public var winner: Int
    /// One score per column; lower is better. What it measures depends on the rule (a mean
    /// perplexity, a rank sum, ...); +infinity when a column could not be scored.
    public var scores: [Double]

    public init(winner: Int, scores: [Double]) {
        self.winner = winner
        self.scores = scores
    }

    /// The column with the lowest score; ties (and NaN, read as +infinity) go to the lower index.
    /// `tieBreak` (lower is better) orders columns whose scores are equal.
    public static func lowest(_ scores: [Double], tieBreak: [Double]? = nil) -> SelectionDecision? {
        guard !scores.isEmpty else { return nil }
        func key(_ value: Double) -> Double { value.isNaN ? .infinity : value }
        var best = 0
        for index in scores.indices.dropFirst() {
            let (score, bestScore) = (key(scores[index]), key(scores[best]))
            if score < bestScore {
                best = index
            } else if score == bestScore, let tieBreak, key(tieBreak[index]) < key(tieBreak[best]) {
                best = index
            }
        }
        return SelectionDecision(winner: best, scores: scores)
    }
}

extension SelectionRule {
    public func validate(modelCount: Int) throws {}

    /// The winning column; `proposers` may be left out when the rule does not need it.
    public func winner(of columns: [[CandidateAssessment]], proposers: [[Int]] = []) -> Int? {
        decide(columns, proposers: proposers)?.winner
    }

    /// The score of one column on its own (for rules whose score depends on the other columns,
    /// such as ranks, the score it has when it is the only candidate).
    public func score(_ column: [CandidateAssessment]) -> Double {
        decide([column], proposers: [])?.scores.first ?? .infinity
    }
}
