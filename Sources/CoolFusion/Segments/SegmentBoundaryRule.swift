/// Where a candidate segment may end: the rule of the paper's T1 step.
///
/// By default this is Cool-Fusion proper (a complete word boundary of EVERY tokenizer, §2.1); with
/// `ownBoundariesOnly` it is the paper's Cool−align ablation (the generating model's own first boundary).
public struct SegmentBoundaryRule: Sendable {
    /// Every model's word splitter, in model order (including the generating model's own).
    public let splitters: [any WordSplitter]
    /// Index into `splitters` of the generating model.
    public let ownIndex: Int
    /// True: only the generating model's own tokenizer decides (Cool−align).
    public let ownBoundariesOnly: Bool
    /// The request's stop sequences: a segment also ends where one is complete (nil: none).
    public let stop: SegmentStop?

    /// The generating model's splitter; nil if `ownIndex` names none (then every splitter decides).
    private let own: (any WordSplitter)?

    public init(splitters: [any WordSplitter], ownIndex: Int, ownBoundariesOnly: Bool = false,
                stop: SegmentStop? = nil) {
        self.splitters = splitters
        self.ownIndex = ownIndex
        self.ownBoundariesOnly = ownBoundariesOnly
        self.stop = stop
        own = splitters.indices.contains(ownIndex) ? splitters[ownIndex] : nil
    }

    /// The tokenizers that must agree on a boundary under this rule.
    private var deciding: [any WordSplitter] {
        if ownBoundariesOnly, let own { return [own] }
        return splitters
    }

    /// Offsets that are complete word boundaries for every deciding tokenizer, ascending.
    public func commonBoundaries(in text: String) -> [Int] {
        var common: Set<Int>? = nil
        for splitter in deciding {
            let mine = Set(splitter.completeBoundaries(in: text))
            common = common.map { $0.intersection(mine) } ?? mine
            if common?.isEmpty == true { return [] }
        }
        return (common ?? []).sorted()
    }

    /// The smallest offset > 0 that is a complete boundary for every deciding tokenizer, if any.
    public func firstCut(in text: String) -> Int? {
        commonBoundaries(in: text).first
    }

    /// The cut used when the segment token cap is reached without a common boundary
    /// (a segment must end somewhere, e.g. in a long CJK run an SPM tokenizer never splits): the last common boundary if one exists, else the last complete boundary of the
    /// generating model's own tokenizer (so at least its own tokens stay additive), else nothing
    /// (the caller then takes all of the text).
    public func fallbackCut(in text: String) -> (offset: Int, kind: SegmentAlignment)? {
        if let last = commonBoundaries(in: text).last { return (last, .aligned) }
        if let last = own?.completeBoundaries(in: text).last { return (last, .cappedAtOwnBoundary) }
        return nil
    }
}
