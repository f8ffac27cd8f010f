/// Which earlier tokens each token of a forward batch may attend to.
///
/// A batch of N new tokens follows a cached prefix of P positions and is split into segments.
/// Token i of segment s sees the whole prefix and the tokens of s up to itself, and sits at position
/// P + (i − start of s). One segment is an ordinary causal append; several segments are candidate
/// continuations of the same prefix scored in one pass, none seeing another.
struct BatchLayout: Sendable {
    /// Cached positions before the batch (P).
    let prefixCount: Int
    /// Start index of each segment in the batch, ascending, first is 0.
    let segmentStarts: [Int]
    /// Tokens in the batch (N).
    let tokenCount: Int
    /// Per token: index of the first token of its segment. [N]
    let segmentStartOfToken: [Int]

    init(prefixCount: Int, segmentLengths: [Int]) {
        self.prefixCount = prefixCount
        var starts: [Int] = []
        var perToken: [Int] = []
        var offset = 0
        for length in segmentLengths {
            starts.append(offset)
            perToken.append(contentsOf: repeatElement(offset, count: length))
            offset += length
        }
        segmentStarts = starts
        tokenCount = offset
        segmentStartOfToken = perToken
    }

    /// Position of batch token `i` in its sequence.
    @inline(__always) func position(of i: Int) -> Int {
        prefixCount + i - segmentStartOfToken[i]
    }

    /// Batch rows of segment `s`.
    func rows(ofSegment s: Int) -> Range<Int> {
        let end = s + 1 < segmentStarts.count ? segmentStarts[s + 1] : tokenCount
        return segmentStarts[s]..<end
    }
}
