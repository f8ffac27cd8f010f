import Foundation

/// `report.md`: the report as tables a reader can take in at a glance, like the paper's Tables 3–6,
/// with the uncertainty the small default models make necessary (docs/EVAL.md).
public enum MarkdownReport {
    public static func render(_ report: EvalReport) -> String {
        var lines: [String] = ["# CoolFusion evaluation", ""]
        lines.append("Models: " + report.models.map { "`\($0)`" }.joined(separator: ", ") + ".")
        lines.append("Rebuild this report from the JSONL results with `coolfusion eval --report DIR`.")
        lines.append("")
        lines += settingsSection(report)
        lines += scoresSection(report)
        lines += pairedSection(report)
        lines += perplexitySection(report)
        lines += costSection(report)
        return lines.joined(separator: "\n") + "\n"
    }

    static func settingsSection(_ report: EvalReport) -> [String] {
        var lines = ["## Datasets", "", "| dataset | task | items | shots |", "|---|---|---:|---:|"]
        for group in report.groups where group.subset == nil {
            lines.append("| \(group.dataset) | \(group.task.rawValue) | \(group.items) | \(group.shots) |")
        }
        return lines + [""]
    }

    /// Rows = datasets (× metric), columns = methods; best single model in bold, gains in points.
    static func scoresSection(_ report: EvalReport) -> [String] {
        var lines = ["## Scores", "",
                     "Each cell: score in % ± one standard error (items). **Bold**: the best single model; "
                     + "(+x.x) after a fusion method: its gain over the best single model, in points. "
                     + "A metric whose rows would repeat the primary metric's (F1 of one-word answers) is "
                     + "left out here; report.json has it.", ""]
        for columns in columnSets(report) {
            let tableGroups = report.groups.filter { $0.columns == columns }
            let singles = tableGroups.first?.singleColumns ?? []
            let others = columns.filter { !singles.contains($0) }
            lines.append("| dataset | metric | " + singles.joined(separator: " | ") + " | best single | "
                         + others.joined(separator: " | ") + " |")
            lines.append("|---|---|" + String(repeating: "---:|", count: columns.count + 1))
            for group in tableGroups {
                for row in shownRows(group) {
                    var cells = [group.label, row.metric + (row.isPrimary ? " (primary)" : "")]
                    for column in singles {
                        let text = row.cell(column).map(scoreText) ?? "–"
                        cells.append(column == row.bestSingle ? "**\(text)**" : text)
                    }
                    let best = row.bestSingle.flatMap { row.cell($0) }
                    cells.append(row.bestSingle.map { "\($0) " + (best.map { percent($0.mean) } ?? "") } ?? "–")
                    for column in others {
                        guard let cell = row.cell(column) else { cells.append("–"); continue }
                        let gain = cell.gainOverBestSingle.map { " (" + signedPoints($0) + ")" } ?? ""
                        cells.append(scoreText(cell) + gain)
                    }
                    lines.append("| " + cells.joined(separator: " | ") + " |")
                }
            }
            lines.append("")
        }
        return lines
    }

    static func pairedSection(_ report: EvalReport) -> [String] {
        var lines = ["## Paired comparison with the best single model", "",
                     "On the items both have: wins = the method scored higher than the best single model, "
                     + "losses = lower. p = exact two-sided sign test on wins vs losses (McNemar's exact test "
                     + "for right/wrong scores); p < 0.05 suggests a real difference, not noise.", "",
                     "| dataset | metric | method | best single | items | wins | losses | ties | p |",
                     "|---|---|---|---|---:|---:|---:|---:|---:|"]
        for group in report.groups {
            for row in shownRows(group) {
                for comparison in row.comparisons {
                    lines.append("| \(group.label) | \(row.metric) | \(comparison.column) | \(comparison.baseline) | "
                                 + "\(comparison.n) | \(comparison.wins) | \(comparison.losses) | \(comparison.ties) | "
                                 + String(format: "%.3g", comparison.pValue) + " |")
                }
            }
        }
        return lines + [""]
    }

    static func perplexitySection(_ report: EvalReport) -> [String] {
        var lines = ["## Average output perplexity", "",
                     "Mean over items of the models' mean perplexity of the output given the prompt "
                     + "(the paper's Table 3, first row; lower = the models together find the output more likely), "
                     + "± one standard error. Per-model means are in report.json.", ""]
        for columns in columnSets(report) {
            lines.append("| dataset | " + columns.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---:|", count: columns.count))
            for group in report.groups where group.columns == columns {
                let cells = columns.map { column -> String in
                    guard let cell = group.perplexity.first(where: { $0.column == column }), let mean = cell.mean else { return "–" }
                    return String(format: "%.3f", mean) + (cell.standardError.map { String(format: " ± %.3f", $0) } ?? "")
                }
                lines.append("| \(group.label) | " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        return lines
    }

    static func costSection(_ report: EvalReport) -> [String] {
        var lines = ["## Cost", "",
                     "Seconds and greedy decoding steps (all models together) per item; × best single: the seconds over "
                     + "the best single model's in the same rows (per task for a mixed benchmark); weight GB/item: "
                     + "the weight bytes all models streamed (forward passes times the bytes a pass reads), the "
                     + "same cost free of timing noise, and its × best single; fused: for gated fusion, the share "
                     + "of segments that went to a full fusion step.", "",
                     "| dataset | method | items | s/item | × best single | weight GB/item | × best single | generated tokens/item | fused |",
                     "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for group in report.groups {
            for cell in group.cost {
                lines.append("| \(group.label) | \(cell.column) | \(cell.n) | "
                             + String(format: "%.3f", cell.secondsPerItem) + " | "
                             + (cell.secondsOverBestSingle.map { String(format: "%.2f", $0) } ?? "–") + " | "
                             + (cell.weightBytesPerItem.map { String(format: "%.2f", $0 / 1e9) } ?? "–") + " | "
                             + (cell.trafficOverBestSingle.map { String(format: "%.2f", $0) } ?? "–") + " | "
                             + String(format: "%.1f", cell.generatedTokensPerItem) + " | "
                             + (cell.fusedShare.map { String(format: "%.0f%%", 100 * $0) } ?? "–") + " |")
            }
        }
        return lines + [""]
    }

    // MARK: formatting

    /// The primary metric and every other metric whose scores or comparisons differ from it.
    static func shownRows(_ group: ReportGroup) -> [MetricRow] {
        guard let primary = group.metrics.first(where: \.isPrimary) else { return group.metrics }
        return group.metrics.filter { row in
            row.isPrimary || row.cells != primary.cells || row.bestSingle != primary.bestSingle
                || zip(row.comparisons, primary.comparisons).contains { $0.wins != $1.wins || $0.losses != $1.losses }
        }
    }

    /// Groups sharing the same columns get one table.
    static func columnSets(_ report: EvalReport) -> [[String]] {
        var sets: [[String]] = []
        for group in report.groups where !sets.contains(group.columns) { sets.append(group.columns) }
        return sets
    }

    static func scoreText(_ cell: ScoreCell) -> String {
        guard cell.n > 0 else { return "–" }
        let error = cell.standardError.map { String(format: " ± %.1f", $0 * 100) } ?? ""
        return percent(cell.mean) + error + " (\(cell.n))"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f", value * 100) }

    static func signedPoints(_ value: Double) -> String { String(format: "%+.1f", value * 100) }
}
