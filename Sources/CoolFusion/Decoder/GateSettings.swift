import Foundation

/// How gated fusion (`FusionMethod.gated`) decides, segment by segment, whether the leader writes alone
/// or the other models are consulted: the leader, the confidence signal read off the leader's own
/// next-token distributions over the segment, and the threshold. docs/SELECTION.md ("Gated fusion")
/// says how the default signal was chosen and how `coolfusion calibrate` fits the threshold.
public struct GateSettings: Sendable, Equatable, Codable {
    /// Index of the leader among the decoder's models.
    public var leader: Int
    public var signal: GateSignal
    /// A segment whose signal is on the unsure side of this value is fused (see `GateSignal`).
    public var threshold: Double

    public init(leader: Int = 0, signal: GateSignal = .topProbability,
                threshold: Double = GateSignal.topProbability.defaultThreshold) {
        self.leader = leader
        self.signal = signal
        self.threshold = threshold
    }

    /// These settings with each given field replaced (`--leader`/`--gate-signal`/`--gate-threshold`, or
    /// a request's gate fields). A signal named without a threshold takes that signal's default
    /// threshold, since one signal's values mean nothing to another.
    public func replacing(leader: Int?, signal: GateSignal?, threshold: Double?) -> GateSettings {
        var gate = self
        if let leader { gate.leader = leader }
        if let signal {
            if signal != gate.signal, threshold == nil { gate.threshold = signal.defaultThreshold }
            gate.signal = signal
        }
        if let threshold { gate.threshold = threshold }
        return gate
    }

    private enum CodingKeys: String, CodingKey { case leader, signal, threshold }

    /// A threshold that never (or always) opens the gate is infinite, which JSON has no number for:
    /// it is written "inf" or "-inf".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leader, forKey: .leader)
        try container.encode(signal, forKey: .signal)
        if threshold.isFinite {
            try container.encode(threshold, forKey: .threshold)
        } else {
            try container.encode(threshold > 0 ? "inf" : "-inf", forKey: .threshold)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leader = try container.decode(Int.self, forKey: .leader)
        signal = try container.decode(GateSignal.self, forKey: .signal)
        if let number = try? container.decode(Double.self, forKey: .threshold) {
            threshold = number
        } else {
            let text = try container.decode(String.self, forKey: .threshold)
            guard text == "inf" || text == "-inf" else {
                throw DecodingError.dataCorruptedError(forKey: .threshold, in: container,
                                                       debugDescription: "a gate threshold is a number, \"inf\" or \"-inf\"; got \"\(text)\"")
            }
            threshold = text == "inf" ? .infinity : -.infinity
        }
    }

    /// Whether the leader's segment, with these per-token confidences, goes to a full fusion step.
    /// A segment without confidences (a backend that reports none) is always fused.
    public func isUnsure(_ confidences: [TokenConfidence]) -> Bool {
        guard let value = signal.value(of: confidences) else { return true }
        return signal.isUnsure(value, threshold: threshold)
    }
}

/// A segment's confidence, from the per-token confidences of the tokens the leader generated for it
/// (its end-of-generation token included when it ends the text). Each takes the least confident token,
/// because one unsure token is enough to send a text down a wrong path.
public enum GateSignal: String, Sendable, CaseIterable, Codable {
    /// The smallest top-1 probability over the segment's tokens; unsure below the threshold (0...1).
    case topProbability = "top-probability"
    /// The smallest margin `log p(top) - log p(second)` in nats; unsure below the threshold.
    case margin
    /// The largest entropy of a next-token distribution, in nats; unsure above the threshold.
    case entropy

    /// The segment's value of this signal; nil when a token lacks what the signal needs.
    public func value(of confidences: [TokenConfidence]) -> Double? {
        guard !confidences.isEmpty else { return nil }
        switch self {
        case .topProbability:
            return confidences.map { Double($0.topLogProb) }.min().map { exp($0) }
        case .margin:
            let margins = confidences.map { Double($0.margin) }
            return margins.contains(.infinity) ? nil : margins.min()
        case .entropy:
            let entropies = confidences.compactMap { $0.entropy.map(Double.init) }
            return entropies.count == confidences.count ? entropies.max() : nil
        }
    }

    /// Whether `value` is on the unsure side of `threshold`.
    public func isUnsure(_ value: Double, threshold: Double) -> Bool {
        self == .entropy ? value > threshold : value < threshold
    }

    /// The comparison `isUnsure` makes, as printed: "<", or ">" for entropy.
    public var unsureComparison: String { self == .entropy ? ">" : "<" }

    /// The threshold used without calibration. Top-probability 0.3 fused 17% of Qwen2.5's segments on
    /// the mixed dev split and 18 of its 33 wrong answers had a segment below it (docs/SELECTION.md);
    /// the others are rough equivalents.
    public var defaultThreshold: Double {
        switch self {
        case .topProbability: return 0.3
        case .margin: return 1.0
        case .entropy: return 1.5
        }
    }
}
