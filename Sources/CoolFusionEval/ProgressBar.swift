import Foundation

/// A one-line progress display on standard error: a bar, items done, running accuracy per column
/// and the ETA. In a terminal the line is redrawn in place; otherwise one line per item is printed
/// (so logs of background runs stay readable).
public struct ProgressBar: Sendable {
    public var width = 20
    public let redraw: Bool

    public init(redraw: Bool = isatty(STDERR_FILENO) == 1) {
        self.redraw = redraw
    }

    /// The text of the line, e.g.
    /// `gsm [#####...............] 25/100  smollm2-135m 4.0%  cool 8.0%  3.2 s/item  ETA 4m00s`.
    public func line(_ progress: EvalProgress) -> String {
        let fraction = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 1
        let filled = min(width, Int((fraction * Double(width)).rounded(.down)))
        var parts = ["\(progress.dataset) [" + String(repeating: "#", count: filled)
            + String(repeating: ".", count: width - filled) + "] \(progress.done)/\(progress.total)"]
        for column in progress.columns {
            let tally = progress.tallies[column] ?? EvalProgress.Tally()
            parts.append(column + " " + String(format: "%.1f%%", tally.accuracy * 100))
        }
        if progress.generatedThisSession > 0 {
            parts.append(String(format: "%.1f s/item", progress.secondsThisSession / Double(progress.generatedThisSession)))
        }
        parts.append("ETA " + (progress.etaSeconds.map(Self.duration) ?? "--"))
        return parts.joined(separator: "  ")
    }

    /// `95` → `1m35s`, `4000` → `1h06m40s`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, (total % 3600) / 60, total % 60)
        if hours > 0 { return String(format: "%dh%02dm%02ds", hours, minutes, secs) }
        if minutes > 0 { return String(format: "%dm%02ds", minutes, secs) }
        return "\(secs)s"
    }

    /// Shows the progress on standard error.
    public func show(_ progress: EvalProgress) {
        let text = redraw ? "\r" + line(progress) + "\u{1B}[K" : line(progress) + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Ends the redrawn line.
    public func finish() {
        if redraw { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
