import Foundation

/// `report.svg`: a grouped bar chart of the primary metric, one group per dataset (or subset), one
/// bar per column, with ± one standard error bars. Hand-written SVG 1.1, no dependencies.
public enum SVGChart {
    // Layout, in SVG user units (pixels).
    static let barWidth = 18.0
    static let barGap = 3.0
    static let groupGap = 34.0
    static let plotHeight = 260.0
    static let left = 56.0
    static let right = 24.0
    static let legendRowHeight = 18.0
    /// Single models in cool greys/blues, fusion methods in warm colours.
    static let singlePalette = ["#9aa5b1", "#5d7a99", "#2f4b6e", "#b6c7d9", "#7f8c8d"]
    static let otherPalette = ["#e07a1f", "#c0392b", "#27ae60", "#8e44ad", "#f1c40f", "#16a085", "#d35400"]

    public static func render(_ report: EvalReport) -> String {
        let rows = report.groups.compactMap { group in group.metrics.first(where: \.isPrimary).map { (group, $0) } }
        var columns: [String] = []
        var singles: Set<String> = []
        for (group, _) in rows {
            for column in group.columns where !columns.contains(column) { columns.append(column) }
            singles.formUnion(group.singleColumns)
        }
        let colours = colourMap(columns: columns, singles: singles)

        let groupWidths = rows.map { Double($0.0.columns.count) * (barWidth + barGap) - barGap }
        let plotWidth = max(360, groupWidths.reduce(0, +) + groupGap * Double(rows.count))
        let metricNames = Set(rows.map(\.1.metric)).sorted().joined(separator: ", ")
        let title = "Score (\(metricNames)), % ± 1 standard error"
        // About 9 units per character of the 15-unit bold title.
        let width = max(left + plotWidth + right, left + Double(title.count) * 9 + right)
        let legendLines = legendLayout(columns: columns, singles: singles, width: width)
        let top = 40 + Double(legendLines.count) * legendRowHeight + 16
        let bottom = 56.0
        let height = top + plotHeight + bottom
        let maxValue = rows.flatMap { $0.1.cells }.map { $0.mean + ($0.standardError ?? 0) }.max() ?? 0
        let yMax = max(0.1, (maxValue * 10).rounded(.up) / 10)
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(max(value, 0), yMax) / yMax) }

        var svg: [String] = []
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" "
                   + "viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" font-family=\"DejaVu Sans, Arial, sans-serif\">")
        svg.append(tag("rect", ["width": "100%", "height": "100%", "fill": "#ffffff"]))
        svg.append(tag("text", ["x": fmt(left), "y": "22", "font-size": "15", "font-weight": "bold"], title))

        // Legend.
        for (lineIndex, line) in legendLines.enumerated() {
            var x = left
            let yLine = 40 + Double(lineIndex) * legendRowHeight
            for column in line {
                svg.append(tag("rect", ["x": fmt(x), "y": fmt(yLine - 10), "width": "12", "height": "12",
                                        "fill": colours[column] ?? "#888888"]))
                svg.append(tag("text", ["x": fmt(x + 16), "y": fmt(yLine), "font-size": "11"], legendLabel(column, singles)))
                x += legendItemWidth(column, singles) + 20
            }
        }

        // Axes and grid.
        for tick in 0...5 {
            let value = yMax * Double(tick) / 5
            let ty = y(value)
            svg.append(line(left, ty, left + plotWidth, ty, colour: "#e3e3e3"))
            svg.append(tag("text", ["x": fmt(left - 6), "y": fmt(ty + 4), "font-size": "11", "text-anchor": "end"],
                           String(format: "%.0f", value * 100)))
        }
        svg.append(line(left, top, left, top + plotHeight, colour: "#333333"))
        svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, colour: "#333333"))

        // Bars, left to right, one group per row.
        var x = left + groupGap / 2
        for (index, (group, row)) in rows.enumerated() {
            let groupStart = x
            for column in group.columns {
                defer { x += barWidth + barGap }
                guard let cell = row.cell(column), cell.n > 0 else { continue }
                let barTop = y(cell.mean)
                let tooltip = tag("title", [:], "\(group.label) \(column): \(String(format: "%.1f", cell.mean * 100))% (n=\(cell.n))")
                svg.append(tag("rect", ["x": fmt(x), "y": fmt(barTop), "width": fmt(barWidth),
                                        "height": fmt(top + plotHeight - barTop), "fill": colours[column] ?? "#888888"],
                               raw: tooltip))
                var labelY = barTop - 4
                if let error = cell.standardError, error > 0 {
                    let (high, low) = (y(cell.mean + error), y(cell.mean - error))
                    let centre = x + barWidth / 2
                    svg.append(line(centre, high, centre, low, colour: "#111111"))
                    svg.append(line(centre - 4, high, centre + 4, high, colour: "#111111"))
                    svg.append(line(centre - 4, low, centre + 4, low, colour: "#111111"))
                    labelY = high - 4
                }
                let mark = column == row.bestSingle ? "*" : ""
                svg.append(tag("text", ["x": fmt(x + barWidth / 2), "y": fmt(labelY), "font-size": "9", "text-anchor": "middle"],
                               String(format: "%.0f", cell.mean * 100) + mark))
            }
            let centre = groupStart + groupWidths[index] / 2
            svg.append(tag("text", ["x": fmt(centre), "y": fmt(top + plotHeight + 18), "font-size": "11", "text-anchor": "middle"],
                           group.label))
            svg.append(tag("text", ["x": fmt(centre), "y": fmt(top + plotHeight + 32), "font-size": "10", "fill": "#555555",
                                    "text-anchor": "middle"], row.metric))
            x += groupGap - barGap
        }
        svg.append(tag("text", ["x": fmt(left), "y": fmt(height - 8), "font-size": "10", "fill": "#555555"],
                       "* best single model. Bars: mean score; whiskers: ± one standard error."))
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// `<name a="v" ...>escaped text</name>` (attributes in key order, so output is deterministic),
    /// or a self-closing element without content.
    static func tag(_ name: String, _ attributes: [String: String], _ text: String? = nil, raw: String? = nil) -> String {
        let attributeText = attributes.keys.sorted().map { " \($0)=\"\(escape(attributes[$0] ?? ""))\"" }.joined()
        let content = (text.map(escape) ?? "") + (raw ?? "")
        return content.isEmpty ? "<\(name)\(attributeText)/>" : "<\(name)\(attributeText)>\(content)</\(name)>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String) -> String {
        tag("line", ["x1": fmt(x1), "y1": fmt(y1), "x2": fmt(x2), "y2": fmt(y2), "stroke": colour])
    }

    static func colourMap(columns: [String], singles: Set<String>) -> [String: String] {
        var map: [String: String] = [:]
        var (singleIndex, otherIndex) = (0, 0)
        for column in columns {
            if singles.contains(column) {
                map[column] = singlePalette[singleIndex % singlePalette.count]
                singleIndex += 1
            } else {
                map[column] = otherPalette[otherIndex % otherPalette.count]
                otherIndex += 1
            }
        }
        return map
    }

    static func legendLabel(_ column: String, _ singles: Set<String>) -> String {
        singles.contains(column) ? column : "fusion: " + column
    }

    /// Roughly 6.5 units per character at font size 11, plus the swatch.
    static func legendItemWidth(_ column: String, _ singles: Set<String>) -> Double {
        28 + Double(legendLabel(column, singles).count) * 6.5
    }

    static func legendLayout(columns: [String], singles: Set<String>, width: Double) -> [[String]] {
        var lines: [[String]] = [[]]
        var used = 0.0
        for column in columns {
            let itemWidth = legendItemWidth(column, singles) + 20
            if used + itemWidth > width - left - right, !(lines.last ?? []).isEmpty {
                lines.append([])
                used = 0
            }
            lines[lines.count - 1].append(column)
            used += itemWidth
        }
        return lines
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
