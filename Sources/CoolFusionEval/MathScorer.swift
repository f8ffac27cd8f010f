/// MATH scoring: the output's final answer (last `\boxed{...}`, else last number) against each
/// reference's (its last boxed content if it is a whole solution), both normalised by `MathAnswer`.
public struct MathScorer: AnswerScorer {
    public static let exactMatch = "exact-match"

    public var metrics: [String] { [Self.exactMatch] }
    public var primaryMetric: String { Self.exactMatch }

    public init() {}

    public func score(output: String, references: [String]) -> ItemScore {
        let targets = Set(references.map { MathAnswer.normalize(MathAnswer.referenceAnswer($0)) })
        guard let answer = MathAnswer.extract(output) else {
            return ItemScore(extracted: [:], scores: [Self.exactMatch: 0])
        }
        let correct = targets.contains(MathAnswer.normalize(answer))
        return ItemScore(extracted: [Self.exactMatch: answer], scores: [Self.exactMatch: correct ? 1 : 0])
    }
}
