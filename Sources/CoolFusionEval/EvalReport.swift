/// The evaluation report (`report.json`): for each dataset (and each subset of a mixed one), every
/// column's score per metric with its standard error, the best single model, each other column's
/// gain over it with a paired comparison, average output perplexity and cost.
public struct EvalReport: Sendable, Equatable, Codable {
    public var models: [String]
    public var groups: [ReportGroup]

    public init(models: [String], groups: [ReportGroup]) {
        self.models = models
        self.groups = groups
    }
}

/// One row group of the report: a dataset, or one subset of it.
public struct ReportGroup: Sendable, Equatable, Codable {
    public var dataset: String
    /// Nil for the whole dataset.
    public var subset: String?
    public var task: EvalTask
    public var shots: Int
    /// Distinct items with at least one result.
    public var items: Int
    /// Column ids in display order: single models first, in model order.
    public var columns: [String]
    public var singleColumns: [String]
    public var metrics: [MetricRow]
    public var perplexity: [PerplexityCell]
    public var cost: [CostCell]

    /// `dataset` or `dataset/subset`.
    public var label: String { subset.map { dataset + "/" + $0 } ?? dataset }
}

/// One metric of one group across the columns.
public struct MetricRow: Sendable, Equatable, Codable {
    public var metric: String
    public var isPrimary: Bool
    public var cells: [ScoreCell]
    /// The single model with the highest mean (first in model order on ties); nil without singles.
    public var bestSingle: String?
    /// Each column that is not a single model, against the best single model.
    public var comparisons: [PairedComparison]

    public func cell(_ column: String) -> ScoreCell? { cells.first { $0.column == column } }
}

public struct ScoreCell: Sendable, Equatable, Codable {
    public var column: String
    public var n: Int
    /// Mean score, 0...1.
    public var mean: Double
    public var standardError: Double?
    /// `mean` minus the best single model's mean; nil for single models.
    public var gainOverBestSingle: Double?
}

/// A column against the best single model on the items both have.
public struct PairedComparison: Sendable, Equatable, Codable {
    public var column: String
    public var baseline: String
    public var n: Int
    /// Items where the column scored higher / lower / the same.
    public var wins: Int
    public var losses: Int
    public var ties: Int
    /// Exact two-sided sign test on wins against losses (McNemar's exact test for 0/1 scores).
    public var pValue: Double

    public init(column: String, baseline: String, n: Int, wins: Int, losses: Int, ties: Int, pValue: Double) {
        self.column = column
        self.baseline = baseline
        self.n = n
        self.wins = wins
        self.losses = losses
        self.ties = ties
        self.pValue = pValue
    }
}

public struct PerplexityCell: Sendable, Equatable, Codable {
    public var column: String
    /// Items whose output at least one model could score.
    public var n: Int
    /// Mean over items of the models' mean perplexity of the output.
    public var mean: Double?
    public var standardError: Double?
    /// Mean over items of each model's perplexity of the output.
    public var byModel: [String: Double]
}

public struct CostCell: Sendable, Equatable, Codable {
    public var column: String
    public var n: Int
    public var secondsPerItem: Double
    /// Greedy steps over all models, per item.
    public var generatedTokensPerItem: Double
    /// Seconds per item over the best single model's on the same group (the primary metric's best
    /// single); nil without one.
    public var secondsOverBestSingle: Double?
    /// Weight bytes every model streamed per item, and that over the best single model's: the same
    /// cost without the machine's timing noise; nil unless every row measured it.
    public var weightBytesPerItem: Double?
    public var trafficOverBestSingle: Double?
    /// For gated columns: the share of segments that went to a full fusion step, over all items.
    public var fusedShare: Double?
}
