/// Short-answer QA scoring: the output's first line against every reference; each metric takes its
/// best reference (as SQuAD and TriviaQA do).
public struct QAScorer: AnswerScorer {
    public static let exactMatch = "exact-match"
    public static let f1 = "f1"

    public var metrics: [String] { [Self.exactMatch, Self.f1] }
    public var primaryMetric: String { Self.exactMatch }

    public init() {}

    public func score(output: String, references: [String]) -> ItemScore {
        let answer = QAAnswer.firstLine(output)
        let exact = references.map { QAAnswer.exactMatch(answer, $0) }.max() ?? 0
        let f1 = references.map { QAAnswer.tokenF1(answer, $0) }.max() ?? 0
        return ItemScore(extracted: [Self.exactMatch: answer, Self.f1: answer],
                         scores: [Self.exactMatch: exact, Self.f1: f1])
    }
}
