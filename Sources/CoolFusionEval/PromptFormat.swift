/// How a task writes one question and its answer, and how few-shot examples are joined, as
/// lm-evaluation-harness does: `doc_to_text` = `"{label} {question}\n{answerLabel}"`, the target
/// follows after one space, and examples are joined by a blank line (`fewshot_delimiter = "\n\n"`).
public struct PromptFormat: Sendable, Equatable {
    public var questionLabel: String
    public var answerLabel: String
    /// Between the answer label and an example's answer.
    public var targetDelimiter: String = " "
    /// Between examples, and between the last example and the question.
    public var fewShotDelimiter: String = "\n\n"

    public init(questionLabel: String, answerLabel: String) {
        self.questionLabel = questionLabel
        self.answerLabel = answerLabel
    }

    /// `[context\n]{questionLabel} {question}\n{answerLabel}`: a question without its answer.
    public func question(_ item: EvalItem) -> String {
        let context = item.context.map { $0 + "\n" } ?? ""
        return context + questionLabel + " " + item.question + "\n" + answerLabel
    }

    /// A worked example: the question, then its answer after the target delimiter.
    public func example(_ exemplar: EvalItem) -> String {
        question(exemplar) + targetDelimiter + exemplar.demonstration
    }

    /// The full prompt: the examples, then the question, each separated by the few-shot delimiter.
    public func prompt(for item: EvalItem, exemplars: [EvalItem]) -> String {
        (exemplars.map(example) + [question(item)]).joined(separator: fewShotDelimiter)
    }
}
