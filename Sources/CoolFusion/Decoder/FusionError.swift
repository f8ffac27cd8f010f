/// Errors of the fusion decoder and its source models; each description names the problem.
public enum FusionError: Error, CustomStringConvertible, Equatable {
    case noModels
    case emptyPrompt(model: String)
    case generationEnded(model: String)
    case noAssessment(model: String)
    case candidateIndexOutOfRange(model: String, index: Int, count: Int)
    case weightsMismatch(weights: Int, models: Int)
    case invalidWeight(Double)
    case singleNeedsOneModel(count: Int)
    case invalidTokenCap(Int)
    case invalidMaxTokens(Int)
    case reuseNeedsRerank(method: String)
    case reusedAnswersMismatch(answers: Int, models: Int)
    case reuseNeedsCoolAnswer
    case reusedAssessmentsMismatch(rows: Int, answers: Int, models: Int)
    case promptsMismatch(prompts: Int, models: Int)
    case invalidLeader(index: Int, models: Int)
    case invalidGateThreshold(Double)

    public var description: String {
        switch self {
        case .noModels:
            return "fusion needs at least one source model"
        case .emptyPrompt(let model):
            return "the prompt encodes to no tokens for \(model); give a non-empty prompt"
        case .generationEnded(let model):
            return "\(model) already committed a final segment; open a new generation first"
        case .noAssessment(let model):
            return "commit called on \(model) without a preceding assessment of candidates"
        case .candidateIndexOutOfRange(let model, let index, let count):
            return "candidate \(index) committed on \(model), but only \(count) were assessed"
        case .weightsMismatch(let weights, let models):
            return "\(weights) model weights given for \(models) models; give one weight per model"
        case .invalidWeight(let weight):
            return "model weight \(weight) is not a finite positive number"
        case .singleNeedsOneModel(let count):
            return "method single runs exactly one model, but \(count) were given"
        case .invalidTokenCap(let cap):
            return "segment token cap \(cap) must be at least 1"
        case .invalidMaxTokens(let n):
            return "max tokens \(n) must be at least 1"
        case .reuseNeedsRerank(let method):
            return "only rerank and cool+rerank can reuse earlier answers, not \(method)"
        case .reusedAnswersMismatch(let answers, let models):
            return "\(answers) earlier answers given for \(models) models; give one answer per model"
        case .reuseNeedsCoolAnswer:
            return "cool+rerank needs Cool's answer among the earlier answers"
        case .reusedAssessmentsMismatch(let rows, let answers, let models):
            return "known assessments have \(rows) rows for \(answers) answers; give one row per answer, one entry per each of \(models) models"
        case .promptsMismatch(let prompts, let models):
            return "\(prompts) prompts given for \(models) models; give one prompt per model"
        case .invalidLeader(let index, let models):
            return "gated fusion's leader is model \(index), but there are \(models) models (0..<\(models))"
        case .invalidGateThreshold(let value):
            return "gate threshold \(value) is not a number; give a finite threshold (or ±infinity to never/always fuse)"
        }
    }
}
