import Foundation

/// How the winning candidate is chosen from the perplexity matrix (paper Eq. 3 and alternatives).
public struct SelectionRule: Sendable, Equatable {
    /// What is averaged over the scoring models.
    public enum Metric: String, Sendable, CaseIterable, Codable {
        /// The paper's Eq. 3: the mean of the perplexities. The default.
        case ppl
        /// The mean of the log-perplexities (mean NLLs), so one very sure model cannot decide alone.
        case logppl
    }

    public var metric: Metric
    /// One positive weight per model (scorer), or nil for equal weights.
    public var weights: [Double]?

    public init(metric: Metric = .ppl, weights: [Double]? = nil) {
        self.metric = metric
        self.weights = weights
    }

    /// Checks the weights against the number of models.
    public func validate(modelCount: Int) throws {
        guard let weights else { return }
        guard weights.count == modelCount else {
            throw FusionError.weightsMismatch(weights: weights.count, models: modelCount)
        }
        for weight in weights where !(weight.isFinite && weight > 0) { throw FusionError.invalidWeight(weight) }
    }

    /// The score of one candidate from its column of the matrix (one assessment per scorer): the
    /// weighted mean over the scorers that could assess it; +infinity if none could.
    public func score(_ column: [CandidateAssessment]) -> Double {
        var total = 0.0
        var weightSum = 0.0
        for (scorer, assessment) in column.enumerated() {
            guard let meanNLL = assessment.meanNLL else { continue }
            let weight = weights?[scorer] ?? 1
            total += weight * (metric == .ppl ? exp(meanNLL) : meanNLL)
            weightSum += weight
        }
        return weightSum > 0 ? total / weightSum : .infinity
    }

    /// The index of the winning column: the lowest score; ties (and NaN) go to the lower index.
    public func winner(of columns: [[CandidateAssessment]]) -> Int? {
        var best: (index: Int, score: Double)?
        for (index, column) in columns.enumerated() {
            let score = score(column)
            if let current = best, !(score < current.score) { continue }
            best = (index, score)
        }
        return best?.index
    }
}
