import Foundation

/// Building a selection rule from its name (`--selection`, `cool:selection=...`) and optional weights.
public enum SelectionRules {
    /// The rule names, for help texts and errors.
    public static let names = ["paper", "logppl", "weighted", "vote", "median", "leader", "majority"]
    /// The names as a help text.
    public static let help = "paper (= ppl), logppl, weighted, vote, median, leader, majority or majority+RULE"

    /// The rule called `name`, with `weights` (one per model) where the rule takes them.
    ///
    /// `paper` (alias `ppl`) and `logppl` take optional weights; `weighted` is `paper` that requires
    /// them; `vote` takes optional weights (weighted ranks); `leader` takes them to find the leader
    /// (without, the first model leads); `median` takes none; `majority+RULE`
    /// passes them to its fallback RULE (`majority` alone falls back to `paper`).
    public static func make(_ name: String, weights: [Double]? = nil) throws -> any SelectionRule {
        let name = name.trimmingCharacters(in: .whitespaces).lowercased()
        if name == "majority" { return MajoritySelection(fallback: try make("paper", weights: weights)) }
        if name.hasPrefix("majority+") {
            let fallback = String(name.dropFirst("majority+".count))
            guard !fallback.hasPrefix("majority") else { throw SelectionError.unknownRule(name) }
            return MajoritySelection(fallback: try make(fallback, weights: weights))
        }
        switch name {
        case "paper", "ppl":
            return MeanSelection(metric: .ppl, weights: weights)
        case "logppl":
            return MeanSelection(metric: .logppl, weights: weights)
        case "weighted":
            guard weights != nil else { throw SelectionError.weightsRequired(rule: name) }
            return MeanSelection(metric: .ppl, weights: weights)
        case "vote":
            return RankVoteSelection(weights: weights)
        case "leader":
            return LeaderSelection(weights: weights)
        case "median":
            guard weights == nil else { throw SelectionError.weightsNotSupported(rule: name) }
            return MedianSelection()
        default:
            throw SelectionError.unknownRule(name)
        }
    }
}
