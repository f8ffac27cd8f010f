/// The output of a generation: text, per-step trace and statistics. Encodes to the `--json` shape
/// `{"text", "method", "models", "segments": [{"text", "winner", "candidates": [...]}], "stats"}`.
public struct FusionResult: Sendable, Codable, Equatable {
    /// Exactly the concatenation of the segments' texts.
    public var text: String
    public var method: FusionMethod
    /// Model names, in index order.
    public var models: [String]
    public var segments: [FusionSegment]
    public var stats: FusionStats

    public init(text: String, method: FusionMethod, models: [String], segments: [FusionSegment], stats: FusionStats) {
        self.text = text
        self.method = method
        self.models = models
        self.segments = segments
        self.stats = stats
    }
}
