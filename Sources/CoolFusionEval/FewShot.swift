import Foundation

/// Choosing few-shot exemplars: the first N of an exemplar file (the same for every item, so prompts
/// are reproducible), never a question that is also in the test set.
public enum FewShot {
    /// The exemplar file assumed for a data file: `NAME_test.jsonl` → `NAME_fewshot.jsonl`,
    /// otherwise `NAME.jsonl` → `NAME_fewshot.jsonl`, in the same directory.
    public static func defaultPath(forData dataPath: String) -> String {
        let url = URL(fileURLWithPath: dataPath)
        var stem = url.deletingPathExtension().lastPathComponent
        if stem.hasSuffix("_test") { stem.removeLast("_test".count) }
        let name = stem + "_fewshot.jsonl"
        let directory = (dataPath as NSString).deletingLastPathComponent
        return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
    }

    /// The first `shots` exemplars; throws if there are too few or one repeats a test question.
    public static func select(_ shots: Int, from exemplars: [EvalItem], path: String,
                              testItems: [EvalItem]) throws -> [EvalItem] {
        guard shots >= 0 else { throw EvalError.invalidShots(shots) }
        guard exemplars.count >= shots else {
            throw EvalError.notEnoughExemplars(path: path, have: exemplars.count, need: shots)
        }
        let chosen = Array(exemplars.prefix(shots))
        let testQuestions = Set(testItems.map { $0.question.trimmingWhitespace })
        if let overlap = chosen.first(where: { testQuestions.contains($0.question.trimmingWhitespace) }) {
            throw EvalError.exemplarOverlapsTest(id: overlap.id)
        }
        return chosen
    }
}
