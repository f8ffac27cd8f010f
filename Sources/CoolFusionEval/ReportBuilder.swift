/// Builds the report from the results of one or more datasets.
public enum ReportBuilder {
    /// The report over every dataset in `directory`.
    public static func build(from directory: ResultsDirectory) throws -> EvalReport {
        let datasets = try directory.datasets()
        guard !datasets.isEmpty else { throw EvalError.noResults(directory: directory.root) }
        return build(try datasets.map { ($0, try directory.records(of: $0)) })
    }

    /// The report over datasets given with their records by column id.
    public static func build(_ datasets: [(settings: RunSettings, records: [String: [EvalRecord]])]) -> EvalReport {
        var models: [String] = []
        var groups: [ReportGroup] = []
        for (settings, records) in datasets {
            for model in settings.models where !models.contains(model) { models.append(model) }
            let subsets = Set(records.values.joined().compactMap(\.subset)).sorted()
            groups.append(group(settings: settings, subset: nil, records: records))
            // A mixed benchmark also gets one group per subset (one subset would repeat the dataset's row).
            for subset in subsets where subsets.count > 1 {
                groups.append(group(settings: settings, subset: subset,
                                    records: records.mapValues { $0.filter { $0.subset == subset } }))
            }
        }
        return EvalReport(models: models, groups: groups)
    }

    static func group(settings: RunSettings, subset: String?, records: [String: [EvalRecord]]) -> ReportGroup {
        let singles = settings.methods.filter(\.isSingle).map(\.id)
        let others = settings.methods.filter { !$0.isSingle }.map(\.id)
        let columns = singles + others
        let scorer = settings.task.scorer
        let metrics = scorer.metrics.map { metric in
            metricRow(metric: metric, isPrimary: metric == scorer.primaryMetric, columns: columns,
                      singles: singles, records: records)
        }
        return ReportGroup(
            dataset: settings.dataset, subset: subset, task: settings.task, shots: settings.shots,
            items: Set(records.values.joined().map(\.itemID)).count,
            columns: columns, singleColumns: singles, metrics: metrics,
            perplexity: columns.map { perplexityCell(column: $0, records: records[$0] ?? [], models: settings.models) },
            cost: costCells(columns: columns, records: records,
                            bestSingle: metrics.first(where: \.isPrimary)?.bestSingle))
    }

    static func metricRow(metric: String, isPrimary: Bool, columns: [String], singles: [String],
                          records: [String: [EvalRecord]]) -> MetricRow {
        func scores(_ column: String) -> [Double] { (records[column] ?? []).map { $0.scores[metric] ?? 0 } }
        var best: (column: String, mean: Double)?
        for column in singles where !(records[column] ?? []).isEmpty {
            let mean = Statistics.mean(scores(column))
            if let current = best, mean <= current.mean { continue }
            best = (column, mean)
        }
        let cells = columns.map { column in
            let values = scores(column)
            let mean = Statistics.mean(values)
            let gain = singles.contains(column) || values.isEmpty ? nil : best.map { mean - $0.mean }
            return ScoreCell(column: column, n: values.count, mean: mean,
                             standardError: Statistics.standardError(values), gainOverBestSingle: gain)
        }
        var comparisons: [PairedComparison] = []
        if let best {
            let baseline = Dictionary((records[best.column] ?? []).map { ($0.itemID, $0.scores[metric] ?? 0) },
                                      uniquingKeysWith: { first, _ in first })
            for column in columns where !singles.contains(column) {
                var wins = 0, losses = 0, ties = 0
                for record in records[column] ?? [] {
                    guard let other = baseline[record.itemID] else { continue }
                    let score = record.scores[metric] ?? 0
                    if score > other { wins += 1 } else if score < other { losses += 1 } else { ties += 1 }
                }
                comparisons.append(PairedComparison(
                    column: column, baseline: best.column, n: wins + losses + ties, wins: wins, losses: losses,
                    ties: ties, pValue: Statistics.signTestPValue(wins: wins, losses: losses)))
            }
        }
        return MetricRow(metric: metric, isPrimary: isPrimary, cells: cells, bestSingle: best?.column,
                         comparisons: comparisons)
    }

    static func perplexityCell(column: String, records: [EvalRecord], models: [String]) -> PerplexityCell {
        let means = records.compactMap(\.meanPerplexity)
        var byModel: [String: Double] = [:]
        for model in models {
            let values = records.compactMap { $0.perplexities[model] }
            if !values.isEmpty { byModel[model] = Statistics.mean(values) }
        }
        return PerplexityCell(column: column, n: means.count, mean: means.isEmpty ? nil : Statistics.mean(means),
                              standardError: Statistics.standardError(means), byModel: byModel)
    }

    static func costCells(columns: [String], records: [String: [EvalRecord]], bestSingle: String?) -> [CostCell] {
        func seconds(_ column: String) -> Double { Statistics.mean((records[column] ?? []).map(\.seconds)) }
        let baseline = bestSingle.map(seconds).flatMap { $0 > 0 ? $0 : nil }
        func traffic(_ column: String) -> Double? {
            let rows = records[column] ?? []
            return rows.isEmpty ? nil : Statistics.total(rows.map(\.weightBytes)).map { $0 / Double(rows.count) }
        }
        let baselineTraffic = bestSingle.flatMap(traffic).flatMap { $0 > 0 ? $0 : nil }
        return columns.map { column in
            let rows = records[column] ?? []
            let gated = rows.filter { $0.fusedSegments != nil }
            let segments = gated.compactMap(\.segments).reduce(0, +)
            return CostCell(column: column, n: rows.count, secondsPerItem: seconds(column),
                            generatedTokensPerItem: Statistics.mean(rows.map { Double($0.generatedTokens) }),
                            secondsOverBestSingle: rows.isEmpty ? nil : baseline.map { seconds(column) / $0 },
                            weightBytesPerItem: traffic(column),
                            trafficOverBestSingle: traffic(column).flatMap { bytes in baselineTraffic.map { bytes / $0 } },
                            fusedShare: gated.isEmpty || segments == 0 ? nil
                                : Double(gated.compactMap(\.fusedSegments).reduce(0, +)) / Double(segments))
        }
    }
}
