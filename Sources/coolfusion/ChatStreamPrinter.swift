import CoolFusion
import Foundation

/// Prints a chat answer as its segments are committed, each in its winner's colour, without ever
/// printing text the final answer does not have: the end of the text that could begin a stop sequence
/// is held back until the next segment shows it does not, and `finish` prints the rest from the
/// decoder's result (which has the answer cut at a stop sequence).
final class ChatStreamPrinter: @unchecked Sendable {
    private let formatter: FusionTraceFormatter
    private let stops: [String]
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    /// The segments reported so far; their texts joined are the answer so far.
    private var segments: [FusionSegment] = []
    /// UTF-8 bytes of the answer printed so far.
    private var printed = 0
    /// Set once the decoder reports an earlier segment again (cut short at a stop sequence): from then
    /// on only `finish` prints.
    private var replaced = false

    init(formatter: FusionTraceFormatter, stops: [String], write: @escaping @Sendable (String) -> Void) {
        self.formatter = formatter
        self.stops = stops
        self.write = write
    }

    func receive(_ segment: FusionSegment) {
        lock.lock()
        defer { lock.unlock() }
        guard !replaced else { return }
        // A segment whose candidates were already reported is an earlier step reported again with its
        // text cut at a stop sequence; every step has its own candidates and perplexities.
        if segments.contains(where: { $0.candidates == segment.candidates && $0.winner == segment.winner }) {
            replaced = true
            return
        }
        segments.append(segment)
        let text = segments.map(\.text).joined()
        printUpTo(StopSequences.streamableLength(of: text, stopSequences: stops))
    }

    /// Prints what is left of `result`'s answer.
    func finish(_ result: FusionResult) {
        lock.lock()
        defer { lock.unlock() }
        segments = result.segments
        printUpTo(result.text.utf8.count)
    }

    /// Prints bytes `printed..<end` of the joined segments, each part in its segment's colour.
    private func printUpTo(_ end: Int) {
        var offset = 0
        var out = ""
        for segment in segments {
            let bytes = Array(segment.text.utf8)
            let start = max(printed, offset), stop = min(end, offset + bytes.count)
            if start < stop {
                var piece = segment
                piece.text = String(decoding: bytes[(start - offset)..<(stop - offset)], as: UTF8.self)
                out += formatter.colored(piece)
            }
            offset += bytes.count
        }
        if end > printed { printed = end }
        if !out.isEmpty { write(out) }
    }
}
