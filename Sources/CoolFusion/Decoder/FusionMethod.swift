/// The generation methods (the paper's Table 3 columns).
public enum FusionMethod: String, Sendable, CaseIterable, Codable {
    /// One model alone, greedy.
    case single
    /// Cool-Fusion: segments end at complete word boundaries common to all tokenizers. The default.
    case cool
    /// Ablation: segments end at the generating model's own first word boundary.
    case coolAlign = "cool-align"
    /// Every model writes a whole answer; the answer with the lowest average perplexity wins.
    case rerank
    /// Rerank the single answers together with Cool's answer.
    case coolPlusRerank = "cool+rerank"
    /// A leader writes each segment alone; where it is unsure (`GateSettings`), a full Cool-Fusion step.
    case gated
}
