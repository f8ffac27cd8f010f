/// Scores one model output against an item's references.
public protocol AnswerScorer: Sendable {
    /// Metric names, in report order (e.g. `strict-match`, `flexible-extract`).
    var metrics: [String] { get }
    /// The metric that counts as "correct" and decides the best single model.
    var primaryMetric: String { get }
    func score(output: String, references: [String]) -> ItemScore
}

/// The extracted answer and the score (0...1) for each metric of one output.
public struct ItemScore: Sendable, Equatable, Codable {
    /// The answer each metric's extraction found; nil where it found none.
    public var extracted: [String: String]
    public var scores: [String: Double]

    public init(extracted: [String: String], scores: [String: Double]) {
        self.extracted = extracted
        self.scores = scores
    }
}
