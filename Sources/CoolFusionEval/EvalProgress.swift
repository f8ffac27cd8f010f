/// Where a run stands, reported after every item.
public struct EvalProgress: Sendable, Equatable {
    /// Per column: items scored so far (including those found finished on resume) and their sum
    /// of primary-metric scores.
    public struct Tally: Sendable, Equatable {
        public var count: Int
        public var scoreSum: Double

        public init(count: Int = 0, scoreSum: Double = 0) {
            self.count = count
            self.scoreSum = scoreSum
        }

        public var accuracy: Double { count > 0 ? scoreSum / Double(count) : 0 }
    }

    public var dataset: String
    public var total: Int
    /// Items with every column finished.
    public var done: Int
    /// Items generated in this session (for the rate; resumed items cost nothing).
    public var generatedThisSession = 0
    public var secondsThisSession = 0.0
    /// Column ids in order, with their tallies.
    public var columns: [String]
    public var tallies: [String: Tally]

    public init(dataset: String, total: Int, done: Int, columns: [String], tallies: [String: Tally]) {
        self.dataset = dataset
        self.total = total
        self.done = done
        self.columns = columns
        self.tallies = tallies
    }

    /// Estimated seconds to finish, from this session's rate; nil before the first generated item.
    public var etaSeconds: Double? {
        guard generatedThisSession > 0 else { return nil }
        return secondsThisSession / Double(generatedThisSession) * Double(total - done)
    }
}
