/// Where a candidate segment may end: the rule of the paper's T1 step.
///
/// `common` is Cool-Fusion proper (a complete word boundary of EVERY tokenizer, §2.1); `own` is the
/// paper's Cool−align ablation (the generating model's own first word boundary).
public struct SegmentBoundaryRule: Sendable {
    /// Every model's word splitter, in model order (including the generating model's own).
    public let splitters: [any WordSplitter]
    /// Index into `splitters` of the generating model.
    public let ownIndex: Int
    /// True: only the generating model's own tokenizer decides (Cool−align).
    public let ownBoundariesOnly: Bool

    public init(splitters: [any WordSplitter], ownIndex: Int, ownBoundariesOnly: Bool = false) {
        self.splitters = splitters
        self.ownIndex = ownIndex
        self.ownBoundariesOnly = ownBoundariesOnly
    }

    /// The tokenizers that must agree on a boundary under this rule.
    private var deciding: [any WordSplitter] {
        ownBoundariesOnly ? [splitters[ownIndex]] : splitters
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
    /// (DESIGN.md §1): the last common boundary if one exists, else the last complete boundary of the
    /// generating model's own tokenizer (so at least its own tokens stay additive), else nothing
    /// (the caller then takes all of the text).
    public func fallbackCut(in text: String) -> (offset: Int, kind: SegmentAlignment)? {
        if let last = commonBoundaries(in: text).last { return (last, .aligned) }
        if let last = splitters[ownIndex].completeBoundaries(in: text).last { return (last, .cappedAtOwnBoundary) }
        return nil
    }
}
