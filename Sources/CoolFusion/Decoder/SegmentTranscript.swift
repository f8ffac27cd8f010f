/// The output so far as a list of segments, kept so that the text is always exactly the
/// concatenation of the segments, also when a stop sequence cuts it.
struct SegmentTranscript {
    private(set) var segments: [FusionSegment] = []
    private(set) var text = ""

    /// Appends `segment`; if a stop sequence now appears in the text, cuts the text where it starts
    /// (dropping or shortening segments, since the sequence may begin in an earlier one) and returns true.
    mutating func append(_ segment: FusionSegment, stopSequences: [String]) -> Bool {
        segments.append(segment)
        text += segment.text
        guard let stop = StopSequences.firstMatch(in: text, stopSequences: stopSequences) else { return false }
        truncate(toUTF8Count: text.utf8.distance(from: text.startIndex, to: stop))
        return true
    }

    /// Keeps the first `count` UTF-8 bytes of the text (a character boundary), trimming segments.
    private mutating func truncate(toUTF8Count count: Int) {
        var kept: [FusionSegment] = []
        var remaining = count
        for var segment in segments {
            let length = segment.text.utf8.count
            if remaining >= length {
                kept.append(segment)
                remaining -= length
            } else {
                // The step in which the stop sequence starts stays in the trace, with its text cut.
                segment.text = String(decoding: segment.text.utf8.prefix(remaining), as: UTF8.self)
                kept.append(segment)
                break
            }
        }
        segments = kept
        text = kept.map(\.text).joined()
    }
}
