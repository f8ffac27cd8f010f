import Foundation

/// Per-model weights of the selection rules: one positive, finite number per scoring model.
public enum SelectionWeights {
    /// Checks `weights` (nil: equal weights) against the number of models.
    public static func validate(_ weights: [Double]?, modelCount: Int) throws {
        guard let weights else { return }
        guard weights.count == modelCount else {
            throw FusionError.weightsMismatch(weights: weights.count, models: modelCount)
        }
        for weight in weights where !(weight.isFinite && weight > 0) { throw FusionError.invalidWeight(weight) }
    }

    /// Parses a list such as `1,1,0.5` (or `1/1/0.5` with `separator: "/"`).
    public static func parse(_ text: String, separator: Character = ",") throws -> [Double] {
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        return try parts.map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value.isFinite, value > 0 else {
                throw SelectionError.badWeights(text, reason: "'\(trimmed)' is not a positive number")
            }
            return value
        }
    }
}
