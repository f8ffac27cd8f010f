/// Whole answers already written for a prompt, so `rerank` and `cool+rerank` only need to score
/// them: each model's greedy answer (what `single` produces with the same prompt, budget and stop
/// sequences) and, for `cool+rerank`, Cool's answer. The evaluation harness passes the `single` and
/// `cool` columns' outputs of the same item, which saves regenerating every answer a second time.
public struct RerankInputs: Sendable {
    /// One answer per model, in model order.
    public var answers: [GeneratedAnswer]
    /// Cool's answer (its `tokenCount` = greedy steps it took over all models); needed for `cool+rerank`.
    public var cool: GeneratedAnswer?
    /// Each model's assessment of each answer from the prompt, if already known (then no model is
    /// called at all): one row per answer in `answers` order, then Cool's; one entry per model.
    public var assessments: [[CandidateAssessment]]?

    public init(answers: [GeneratedAnswer], cool: GeneratedAnswer? = nil, assessments: [[CandidateAssessment]]? = nil) {
        self.answers = answers
        self.cool = cool
        self.assessments = assessments
    }
}
