/// The request's stop sequences as T1 sees them: a model that has written a stop sequence stops
/// generating there, since no text after it can reach the output. Without this, a candidate would run
/// on to the next word boundary every tokenizer shares (`"\n\nQuestion:"` and the token after it,
/// where the stop is `"\n"`), and those tokens would be computed only to be cut away.
///
/// A stop sequence can begin in text committed earlier and end in the new segment, so the rule
/// carries the end of the committed text that could hold its beginning (`context`).
public struct SegmentStop: Sendable, Equatable {
    /// The stop sequences (empty ones are ignored).
    public let sequences: [String]
    /// The end of the committed output: at most one byte shorter than the longest stop sequence,
    /// starting at a character.
    public let context: String

    /// `context` as given (a worker receives it on the wire).
    public init(sequences: [String], context: String) {
        self.sequences = sequences.filter { !$0.isEmpty }
        self.context = context
    }

    /// The stop for a segment that follows `committedText`, or nil without stop sequences.
    public init?(sequences: [String], following committedText: String) {
        let stops = sequences.filter { !$0.isEmpty }
        guard let longest = stops.map(\.utf8.count).max() else { return nil }
        let bytes = Array(committedText.utf8)
        var start = max(0, bytes.count - (longest - 1))
        while start < bytes.count, bytes[start] & 0xC0 == 0x80 { start += 1 }
        self.init(sequences: stops, context: String(decoding: bytes[start...], as: UTF8.self))
    }

    /// The UTF-8 offset in `pending` (text generated after the committed output) at which a stop
    /// sequence is complete, if one is: the first end of an occurrence in the context and `pending`
    /// together that lies in `pending`.
    public func end(inPending pending: [UInt8]) -> Int? {
        let contextBytes = Array(context.utf8)
        guard let end = StopSequences.firstEnd(inUTF8: contextBytes + pending, after: contextBytes.count,
                                               stopSequences: sequences) else { return nil }
        return end - contextBytes.count
    }
}
