import Foundation

/// The (weighted) mean over the scoring models of each candidate's perplexity or log-perplexity;
/// the lowest mean wins.
///
/// - `paper`: the mean of perplexities, the paper's Eq. 3 (the default rule);
/// - `logppl`: the mean of log-perplexities (mean NLLs), so one very sure model weighs less;
/// - `weighted`: `paper` with one weight per model (by hand or from `coolfusion calibrate`);
///   weights also apply to `logppl`.
/// A model that cannot assess a candidate (no tokens) is left out of that candidate's mean.
public struct MeanSelection: SelectionRule, Equatable {
    /// What is averaged.
    public enum Metric: String, Sendable, CaseIterable, Codable {
        /// Perplexity, `exp(mean NLL)` (Eq. 3).
        case ppl
        /// Log-perplexity, the mean NLL.
        case logppl
    }

    public var metric: Metric
    /// One positive weight per scoring model, or nil for equal weights.
    public var weights: [Double]?

    public init(metric: Metric = .ppl, weights: [Double]? = nil) {
        self.metric = metric
        self.weights = weights
    }

    /// The paper's rule.
    public static let paper = MeanSelection()

    public var name: String {
        switch (metric, weights) {
        case (.ppl, nil): return "paper"
        case (.ppl, _): return "weighted"
        case (.logppl, _): return "logppl"
        }
    }

    public func validate(modelCount: Int) throws {
        try SelectionWeights.validate(weights, modelCount: modelCount)
    }

    public func decide(_ columns: [[CandidateAssessment]], proposers: [[Int]]) -> SelectionDecision? {
        SelectionDecision.lowest(columns.map(mean))
    }

    /// The weighted mean over the models that could assess the candidate; +infinity if none could.
    public func mean(_ column: [CandidateAssessment]) -> Double {
        var total = 0.0
        var weightSum = 0.0
        for (model, assessment) in column.enumerated() {
            guard let meanNLL = assessment.meanNLL else { continue }
            let weight = weights.flatMap { model < $0.count ? $0[model] : nil } ?? 1
            total += weight * (metric == .ppl ? exp(meanNLL) : meanNLL)
            weightSum += weight
        }
        return weightSum > 0 ? total / weightSum : .infinity
    }
}
