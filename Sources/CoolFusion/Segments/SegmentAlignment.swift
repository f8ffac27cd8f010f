/// How a candidate segment's end was chosen (recorded in the trace).
public enum SegmentAlignment: String, Sendable, Codable {
    /// Ends at a complete word boundary of every tokenizer (or of its own, under Cool−align).
    case aligned
    /// The model emitted end-of-generation: the candidate is all the text it produced, and is final.
    case endOfGeneration = "end-of-generation"
    /// A stop sequence is complete in the text: cut at the end of the token that completes it (the
    /// output ends where the stop sequence starts if this candidate wins).
    case stopSequence = "stop-sequence"
    /// The token cap was reached; cut at the generating model's own last complete word boundary.
    case cappedAtOwnBoundary = "capped-own-boundary"
    /// The token cap was reached with no usable boundary; the whole generated text was taken.
    case cappedWhole = "capped-whole"

    /// Whether the end is a boundary every tokenizer agrees on, or one after which nothing follows.
    public var isAligned: Bool { self == .aligned || self == .endOfGeneration || self == .stopSequence }
}
