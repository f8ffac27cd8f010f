import CoolFusionTokenizers

/// One token a model generated: its id, its natural-log probability when it was chosen, and how sure
/// the model was at that step (nil when the backend does not report its distribution).
public struct GeneratedToken: Sendable, Equatable {
    public var token: TokenID
    public var logProb: Float
    public var confidence: TokenConfidence?

    public init(token: TokenID, logProb: Float, confidence: TokenConfidence? = nil) {
        self.token = token
        self.logProb = logProb
        self.confidence = confidence
    }
}
