/// What the gate of gated fusion saw at one segment: whether the segment was fused, and the leader's
/// confidence in it under every signal (so a trace can be studied for any signal, not only the one that
/// gated). Signals are null when the leader's backend does not report them.
public struct GateTrace: Sendable, Codable, Equatable {
    /// True: all models proposed and assessed (a Cool-Fusion step); false: the leader wrote alone.
    public var fused: Bool
    /// The signal that decided, and its value for this segment.
    public var signal: GateSignal
    public var value: Double?
    /// The segment's value under each signal.
    public var topProbability: Double?
    public var margin: Double?
    public var entropy: Double?

    public init(fused: Bool, signal: GateSignal, confidences: [TokenConfidence]) {
        self.fused = fused
        self.signal = signal
        value = signal.value(of: confidences)
        topProbability = GateSignal.topProbability.value(of: confidences)
        margin = GateSignal.margin.value(of: confidences)
        entropy = GateSignal.entropy.value(of: confidences)
    }
}
