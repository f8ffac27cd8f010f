/// The step's candidates, deduplicated: identical proposals are assessed once (paper §2.4).
struct CandidateSet {
    /// Distinct candidates, in order of first proposal (so ties go to the lower model index).
    private(set) var distinct: [Candidate] = []
    /// For each proposal (in model order), its index in `distinct`.
    private(set) var columnOfProposal: [Int] = []

    init(_ proposals: [Candidate]) {
        var columnOf: [Candidate: Int] = [:]
        for candidate in proposals {
            if let column = columnOf[candidate] {
                columnOfProposal.append(column)
            } else {
                columnOf[candidate] = distinct.count
                columnOfProposal.append(distinct.count)
                distinct.append(candidate)
            }
        }
    }

    /// For each distinct candidate, the proposals (model indices) whose candidate it is.
    var proposers: [[Int]] {
        var result = [[Int]](repeating: [], count: distinct.count)
        for (proposal, column) in columnOfProposal.enumerated() { result[column].append(proposal) }
        return result
    }

    /// The first proposal (model index) whose candidate is `column`.
    func firstProposal(of column: Int) -> Int {
        columnOfProposal.firstIndex(of: column) ?? 0
    }
}
