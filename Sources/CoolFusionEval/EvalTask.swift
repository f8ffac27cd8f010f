/// The kinds of evaluation task (paper §3.2): how a prompt is written, where generation stops and how
/// an output is scored. Raw values are the `--task` spellings.
public enum EvalTask: String, Sendable, CaseIterable, Codable {
    /// Grade-school math (GSM8K, or generated GSM-style sets), scored as lm-evaluation-harness does.
    case gsm8k
    /// Competition math: the final `\boxed{...}` (or last number), normalised.
    case math
    /// Short-answer question answering: exact match and token F1 against reference answers.
    case qa
    /// Multilingual GSM: prompted and scored like `gsm8k`.
    case mgsm

    /// Parses a `--task` value; the error lists the valid ones.
    public static func parse(_ text: String) throws -> EvalTask {
        guard let task = EvalTask(rawValue: text.lowercased()) else {
            throw EvalError.unknownTask(text, valid: allCases.map(\.rawValue))
        }
        return task
    }

    /// How questions and answers are written in the prompt.
    public var promptFormat: PromptFormat {
        switch self {
        case .gsm8k, .mgsm, .qa: return PromptFormat(questionLabel: "Question:", answerLabel: "Answer:")
        // lm-evaluation-harness's hendrycks_math writes "Problem: ...\nAnswer:".
        case .math: return PromptFormat(questionLabel: "Problem:", answerLabel: "Answer:")
        }
    }

    /// Where generation stops (besides the models' end of generation). lm-evaluation-harness's gsm8k
    /// stops at `Question:`; a short answer ends with its line.
    public var defaultStopSequences: [String] {
        switch self {
        case .gsm8k, .mgsm: return ["Question:"]
        case .math: return ["Problem:"]
        case .qa: return ["\n"]
        }
    }

    /// Token budget per answer: lm-evaluation-harness's default of 256 for worked answers.
    public var defaultMaxTokens: Int {
        switch self {
        case .gsm8k, .mgsm: return 256
        case .math: return 512
        case .qa: return 32
        }
    }

    /// The metrics every item gets, in report order.
    public var metrics: [String] { scorer.metrics }

    /// The metric that decides "correct", the best single model and the paired comparisons.
    public var primaryMetric: String { scorer.primaryMetric }

    /// The scorer of this task's outputs.
    public var scorer: any AnswerScorer {
        switch self {
        case .gsm8k, .mgsm: return GSM8KScorer()
        case .math: return MathScorer()
        case .qa: return QAScorer()
        }
    }
}
