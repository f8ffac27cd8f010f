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
    /// For a mixed benchmark (test items with a `subset`), the first `shots` exemplars of each
    /// subset the test items use, so a question is never prompted with another task's examples
    /// (`exemplars(for:from:)` then picks an item's own).
    public static func select(_ shots: Int, from exemplars: [EvalItem], path: String,
                              testItems: [EvalItem]) throws -> [EvalItem] {
        guard shots >= 0 else { throw EvalError.invalidShots(shots) }
        let subsets = testItems.compactMap(\.subset).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var chosen: [EvalItem] = []
        if subsets.isEmpty || !exemplars.contains(where: { $0.subset != nil }) {
            guard exemplars.count >= shots else {
                throw EvalError.notEnoughExemplars(path: path, have: exemplars.count, need: shots)
            }
            chosen = Array(exemplars.prefix(shots))
        } else {
            for subset in subsets {
                let own = exemplars.filter { $0.subset == subset }
                guard own.count >= shots else {
                    throw EvalError.notEnoughExemplars(path: path + " (subset \(subset))", have: own.count, need: shots)
                }
                chosen += own.prefix(shots)
            }
        }
        let testQuestions = Set(testItems.map { $0.question.trimmingWhitespace })
        if let overlap = chosen.first(where: { testQuestions.contains($0.question.trimmingWhitespace) }) {
            throw EvalError.exemplarOverlapsTest(id: overlap.id)
        }
        return chosen
    }

    /// The exemplars that go in `item`'s prompt: those of its own subset when the selected
    /// exemplars have one (a mixed benchmark), else all of them.
    public static func exemplars(for item: EvalItem, from selected: [EvalItem]) -> [EvalItem] {
        guard let subset = item.subset, selected.contains(where: { $0.subset == subset }) else { return selected }
        return selected.filter { $0.subset == subset }
    }
}
