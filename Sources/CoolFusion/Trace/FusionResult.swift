/// The output of a generation: text, per-step trace and statistics. Encodes to the `--json` shape
/// `{"text", "method", "models", "segments": [{"text", "winner", "candidates": [...]}], "stats"}`, and
/// `"gate": {"leader", "signal", "threshold"}` for gated fusion.
public struct FusionResult: Sendable, Codable, Equatable {
    /// Exactly the concatenation of the segments' texts.
    public var text: String
    public var method: FusionMethod
    /// Model names, in index order.
    public var models: [String]
    public var segments: [FusionSegment]
    public var stats: FusionStats
    /// For gated fusion: who led, and the signal and threshold that decided which segments were fused.
    public var gate: GateSettings?

    public init(text: String, method: FusionMethod, models: [String], segments: [FusionSegment], stats: FusionStats,
                gate: GateSettings? = nil) {
        self.text = text
        self.method = method
        self.models = models
        self.segments = segments
        self.stats = stats
        self.gate = gate
    }
}
