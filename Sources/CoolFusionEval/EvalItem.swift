/// One evaluation item (a test question or a few-shot exemplar), read from one JSONL line.
/// The accepted fields are documented in docs/EVAL.md.
public struct EvalItem: Sendable, Equatable, Codable {
    /// Unique within its file; resuming a run relies on it. Defaults to `line-N`.
    public var id: String
    public var question: String
    /// Reference answers. For gsm8k a reference may be a whole worked solution ending in `#### N`;
    /// for math it may be a solution containing `\boxed{...}`; for qa any answer in the list counts.
    public var answers: [String]
    /// A worked solution, shown after `Answer:` when the item is a few-shot exemplar.
    public var solution: String?
    /// A passage placed before the question (reading-comprehension QA).
    public var context: String?
    /// A sub-task name for mixed benchmarks: the report gets one row per subset.
    public var subset: String?

    public init(id: String, question: String, answers: [String], solution: String? = nil,
                context: String? = nil, subset: String? = nil) {
        self.id = id
        self.question = question
        self.answers = answers
        self.solution = solution
        self.context = context
        self.subset = subset
    }

    /// What a few-shot example shows after the answer label: the worked solution if there is one,
    /// else the first reference answer (for GSM8K data that is the worked answer itself).
    public var demonstration: String { solution ?? answers.first ?? "" }
}
