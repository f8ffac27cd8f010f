/// One step of the fused generation: the winning segment and every candidate.
public struct FusionSegment: Sendable, Codable, Equatable {
    /// The text appended to the output (cut short if a stop sequence begins inside it).
    public var text: String
    /// Index of the winning candidate in `candidates` (= the proposing model's index).
    public var winner: Int
    public var candidates: [CandidateTrace]

    public init(text: String, winner: Int, candidates: [CandidateTrace]) {
        self.text = text
        self.winner = winner
        self.candidates = candidates
    }
}
