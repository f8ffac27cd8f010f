import CoolFusion
import Foundation

/// Human-readable renderings of a generation: the output coloured by the model whose segment won,
/// a legend, a per-step trace (candidates and the perplexity matrix) and a summary. In gated fusion the
/// segments of full fusion steps are also underlined, so one sees where the leader was unsure.
public struct FusionTraceFormatter: Sendable {
    public var modelNames: [String]
    /// Use ANSI colours (for a terminal).
    public var useColor: Bool

    public init(modelNames: [String], useColor: Bool) {
        self.modelNames = modelNames
        self.useColor = useColor
    }

    /// ANSI foreground colours, one per model index (cycled); Cool's answer in `cool+rerank` is bold.
    private static let palette = ["36", "33", "35", "32", "34", "31"]

    private func paint(_ text: String, model: Int?, underlined: Bool = false) -> String {
        guard useColor else { return text }
        let colour = model.map { Self.palette[$0 % Self.palette.count] } ?? "1"
        let code = underlined ? colour + ";4" : colour
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Display name of a candidate's source (`cool` for Cool's own answer in `cool+rerank`).
    public func name(of model: Int?) -> String {
        guard let model else { return "cool" }
        return model < modelNames.count ? modelNames[model] : "model \(model)"
    }

    /// The segment's text in its winner's colour.
    public func colored(_ segment: FusionSegment) -> String {
        paint(segment.text, model: segment.winnerModel, underlined: segment.gate?.fused == true)
    }

    /// One line naming each model in its colour.
    public func legend() -> String {
        "models: " + modelNames.indices.map { paint("[\($0)] \(modelNames[$0])", model: $0) }.joined(separator: "  ")
    }

    /// A multi-line trace of one step: each candidate (model, text, tokens generated/reused, how its end
    /// was chosen) with its perplexity under every scorer and its selection score; `*` marks the winner.
    public func step(_ segment: FusionSegment, number: Int) -> String {
        let scorerWidth = max(8, modelNames.map(\.count).max() ?? 0)
        var lines = ["step \(number): \(Self.quoted(segment.text)) from \(name(of: segment.winnerModel))"
                     + (segment.gate.map(Self.describe) ?? "")]
        let header = "    " + "model".padding(toLength: scorerWidth, withPad: " ", startingAt: 0)
            + "  gen reuse  end                  "
            + modelNames.map { ("ppl " + $0).prefix(scorerWidth).padding(toLength: scorerWidth, withPad: " ", startingAt: 0) }
                .joined(separator: " ")
            + "  score     candidate"
        lines.append(header)
        for (index, candidate) in segment.candidates.enumerated() {
            let mark = index == segment.winner ? "  * " : "    "
            let ppl = candidate.ppl.map { Self.number($0).padding(toLength: scorerWidth, withPad: " ", startingAt: 0) }
                .joined(separator: " ")
            let line = mark
                + name(of: candidate.model).padding(toLength: scorerWidth, withPad: " ", startingAt: 0)
                + "  " + String(candidate.tokensGenerated).leftPadded(3)
                + " " + String(candidate.tokensReused).leftPadded(5)
                + "  " + candidate.alignment.rawValue.padding(toLength: 21, withPad: " ", startingAt: 0)
                + ppl + "  " + Self.number(candidate.score).padding(toLength: 9, withPad: " ", startingAt: 0)
                + " " + Self.quoted(candidate.text)
            lines.append(paint(line, model: candidate.model))
        }
        return lines.joined(separator: "\n")
    }

    /// Segments won per model, speed, and why the generation stopped (for gated fusion also how many
    /// segments were fused and the tokens each follower appended to catch up).
    public func summary(_ result: FusionResult) -> String {
        let stats = result.stats
        let won = stats.segmentsWon.enumerated().map { index, count -> String in
            let share = stats.segments > 0 ? 100 * Double(count) / Double(stats.segments) : 0
            return paint("\(name(of: index)) \(count) (\(String(format: "%.0f", share))%)", model: index)
        }.joined(separator: ", ")
        let timing = String(format: "%.2f s (%.2f segments/s)", stats.seconds, stats.segmentsPerSecond)
        var lines = ["method \(result.method.rawValue): \(stats.segments) segments in \(timing), stopped by \(stats.stopReason.rawValue)"]
        lines.append("segments won: " + won)
        let tokens = "tokens generated: " + Self.list(stats.tokensGenerated) + ", reused: " + Self.list(stats.tokensReused)
            + ", committed: " + Self.list(stats.committedTokens)
        lines.append(tokens + ", unaligned candidates: \(stats.unalignedCandidates)")
        if let fused = stats.fusedSegments {
            let share = stats.segments > 0 ? 100 * Double(fused) / Double(stats.segments) : 0
            let gate = result.gate.map { gate in
                "\(name(of: gate.leader)) leading, fused where \(gate.signal.rawValue) \(gate.signal.unsureComparison) "
                    + String(format: "%g", gate.threshold) + "; "
            } ?? ""
            lines.append(gate + "fused segments: \(fused) of \(stats.segments) (\(String(format: "%.0f", share))%), catch-up tokens: "
                         + Self.list(stats.catchUpTokens ?? []) + ", generated from the leader's draft: "
                         + Self.list(stats.tokensFromDraft ?? []))
        }
        if let passes = stats.forwardPasses, let rows = stats.forwardRows {
            var line = "forward passes: " + Self.list(passes) + " (rows " + Self.list(rows)
            if let outputs = stats.outputRows { line += ", output rows " + Self.list(outputs) }
            line += ")"
            if let seconds = stats.forwardSeconds, let output = stats.outputSeconds {
                line += " in " + seconds.map { String(format: "%.2f", $0) }.joined(separator: " / ") + " s (output rows "
                    + output.map { String(format: "%.2f", $0) }.joined(separator: " / ") + " s)"
                // Models that ran concurrently share one pool: each one's passes include the others' turns.
                if seconds.reduce(0, +) > stats.seconds {
                    line += "; the models ran at once, so each one's seconds include waiting for the others'"
                }
            }
            lines.append(line)
        }
        if stats.generateSeconds + stats.assessSeconds > 0 {
            lines.append(String(format: "phases: generate %.2f s, assess %.2f s, commit %.2f s",
                                stats.generateSeconds, stats.assessSeconds, stats.commitSeconds))
        }
        return lines.joined(separator: "\n")
    }

    private static func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: " / ") }

    /// The gate's decision of a step, e.g. ` [fused: margin 0.42]`.
    static func describe(_ gate: GateTrace) -> String {
        let value = gate.value.map { String(format: "%.3g", $0) } ?? "unknown"
        return " [\(gate.fused ? "fused" : "gated"): \(gate.signal.rawValue) \(value)]"
    }

    /// Text in double quotes with newlines, tabs, quotes and backslashes escaped, so whitespace shows.
    public static func quoted(_ text: String) -> String { VisibleText.quoted(text) }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value >= 1000 ? String(format: "%.3g", value) : String(format: "%.3f", value)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
