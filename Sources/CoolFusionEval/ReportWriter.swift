import Foundation

/// Writes `report.json`, `report.md` and `report.svg` into a results directory.
public enum ReportWriter {
    public static let files = ["report.json", "report.md", "report.svg"]

    /// Builds the report from everything in `directory` and writes its three files there.
    @discardableResult
    public static func write(to directory: ResultsDirectory) throws -> EvalReport {
        let report = try ReportBuilder.build(from: directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // JSON has no infinity or NaN; the report holds neither (means of finite values).
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        try directory.write(json + "\n", to: "report.json")
        try directory.write(MarkdownReport.render(report), to: "report.md")
        try directory.write(SVGChart.render(report), to: "report.svg")
        return report
    }
}
