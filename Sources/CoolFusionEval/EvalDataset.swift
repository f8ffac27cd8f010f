import Foundation

/// Reading items from JSONL files (one JSON object per line; blank lines are skipped).
public enum EvalDataset {
    /// Loads every item of `path`, in file order.
    public static func load(path: String) throws -> [EvalItem] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EvalError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let text = String(decoding: data, as: UTF8.self)
        var items: [EvalItem] = []
        var seen: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let item = try parse(line: trimmed, lineNumber: index + 1, path: path)
            guard seen.insert(item.id).inserted else { throw EvalError.duplicateItemID(path: path, id: item.id) }
            items.append(item)
        }
        guard !items.isEmpty else { throw EvalError.emptyDataset(path: path) }
        return items
    }

    /// `items` with every subset's items together, subsets in order of first appearance, items in
    /// file order within each. Mixed files interleave their tasks (so `--limit N` covers every task);
    /// running them grouped lets consecutive prompts share their few-shot exemplars, so each model
    /// computes only what follows the prompt state it already holds. No result depends on the order.
    public static func groupedBySubset(_ items: [EvalItem]) -> [EvalItem] {
        var order: [String?] = []
        var groups: [String?: [EvalItem]] = [:]
        for item in items {
            if groups[item.subset] == nil { order.append(item.subset) }
            groups[item.subset, default: []].append(item)
        }
        return order.flatMap { groups[$0] ?? [] }
    }

    /// Parses one line. Field names follow the common datasets: `question` (or `problem`, MATH's name),
    /// `answer` (string or number) or `answers` (list), `solution`, `context` (or `passage`), `subset`, `id`.
    public static func parse(line: String, lineNumber: Int, path: String) throws -> EvalItem {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw EvalError.badJSONLine(path: path, line: lineNumber, reason: "not an object")
            }
            object = parsed
        } catch let error as EvalError {
            throw error
        } catch {
            throw EvalError.badJSONLine(path: path, line: lineNumber, reason: error.localizedDescription)
        }
        guard let question = text(object["question"]) ?? text(object["problem"]) else {
            throw EvalError.missingField(path: path, line: lineNumber, field: "question")
        }
        let solution = text(object["solution"])
        var answers: [String] = []
        if let list = object["answers"] as? [Any] {
            answers = list.compactMap(text)
        } else if let answer = text(object["answer"]) {
            answers = [answer]
        } else if let solution {
            answers = [solution]
        }
        guard !answers.isEmpty else { throw EvalError.missingField(path: path, line: lineNumber, field: "answer") }
        return EvalItem(
            id: text(object["id"]) ?? "line-\(lineNumber)", question: question, answers: answers,
            solution: solution, context: text(object["context"]) ?? text(object["passage"]),
            subset: text(object["subset"]))
    }

    /// A JSON string or number as text; integral numbers without a fractional part (`72`, not `72.0`).
    static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String:
            return string
        case let number as NSNumber:
            let double = number.doubleValue
            if double.rounded() == double, abs(double) < 1e15 { return String(Int64(double)) }
            return "\(double)"
        default:
            return nil
        }
    }
}
