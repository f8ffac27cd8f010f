/// One step of the fused generation: the winning segment and every candidate.
public struct FusionSegment: Sendable, Codable, Equatable {
    /// The text appended to the output (cut short if a stop sequence begins inside it).
    public var text: String
    /// Index of the winning candidate in `candidates`; candidates are in model order (then Cool's own
    /// answer, for `cool+rerank`), so for a model's candidate it is also that model's index.
    public var winner: Int
    public var candidates: [CandidateTrace]
    /// For `gated`: what the gate saw and decided (nil for every other method).
    public var gate: GateTrace?

    /// The model whose candidate won (nil: Cool's own answer in `cool+rerank`).
    public var winnerModel: Int? { candidates.indices.contains(winner) ? candidates[winner].model : nil }

    public init(text: String, winner: Int, candidates: [CandidateTrace], gate: GateTrace? = nil) {
        self.text = text
        self.winner = winner
        self.candidates = candidates
        self.gate = gate
    }
}
