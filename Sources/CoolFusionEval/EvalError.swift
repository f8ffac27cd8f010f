/// Errors of the evaluation harness; each description names the problem and what to do.
public enum EvalError: Error, CustomStringConvertible, Equatable {
    case unknownTask(String, valid: [String])
    case unreadableFile(path: String, reason: String)
    case badJSONLine(path: String, line: Int, reason: String)
    case missingField(path: String, line: Int, field: String)
    case emptyDataset(path: String)
    case duplicateItemID(path: String, id: String)
    case notEnoughExemplars(path: String, have: Int, need: Int)
    case exemplarOverlapsTest(id: String)
    case missingFewShotFile(dataPath: String, tried: String)
    case unknownMethod(String, valid: [String])
    case badMethodOption(method: String, option: String)
    case unsupportedMethodOption(method: String, key: String)
    case badMethodOptionValue(method: String, key: String, value: String, expected: String)
    case unknownModel(method: String, model: String, models: [String])
    case emptyMethodList
    case noModels
    case runSettingsChanged(directory: String, field: String, stored: String, requested: String)
    case noResults(directory: String)
    case writeFailed(path: String, reason: String)
    case invalidLimit(Int)
    case invalidShots(Int)

    public var description: String {
        switch self {
        case .unknownTask(let task, let valid):
            return "unknown task '\(task)'; use one of \(valid.joined(separator: ", "))"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .badJSONLine(let path, let line, let reason):
            return "\(path):\(line): not a JSON object (\(reason))"
        case .missingField(let path, let line, let field):
            return "\(path):\(line): missing field '\(field)' (see docs/EVAL.md for the JSONL format)"
        case .emptyDataset(let path):
            return "\(path) holds no items"
        case .duplicateItemID(let path, let id):
            return "\(path): item id '\(id)' appears twice; ids must be unique so a run can resume"
        case .notEnoughExemplars(let path, let have, let need):
            return "\(path) has \(have) few-shot exemplars but --shots asks for \(need)"
        case .exemplarOverlapsTest(let id):
            return "few-shot exemplar '\(id)' is also a test item (same question); exemplars must come from another split"
        case .missingFewShotFile(let dataPath, let tried):
            return "no few-shot file for \(dataPath) (looked for \(tried)); pass --fewshot FILE or --shots 0"
        case .unknownMethod(let method, let valid):
            return "unknown method '\(method)'; use one of \(valid.joined(separator: ", "))"
        case .badMethodOption(let method, let option):
            return "method '\(method)': option '\(option)' is not KEY=VALUE"
        case .unsupportedMethodOption(let method, let key):
            return "method '\(method)': unsupported option '\(key)'"
        case .badMethodOptionValue(let method, let key, let value, let expected):
            return "method '\(method)': \(key)=\(value) is not valid; expected \(expected)"
        case .unknownModel(let method, let model, let models):
            return "method '\(method)' names model '\(model)', which is not among \(models.joined(separator: ", "))"
        case .emptyMethodList:
            return "--methods names no method"
        case .noModels:
            return "the evaluation needs at least one model"
        case .runSettingsChanged(let directory, let field, let stored, let requested):
            return "\(directory) holds a run with \(field) = \(stored), but this run asks for \(requested); "
                + "use another --out directory (or the same settings to resume)"
        case .noResults(let directory):
            return "\(directory) holds no evaluation results (expected DATASET/run.json and METHOD.jsonl files)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidLimit(let n):
            return "--limit \(n) must be at least 1"
        case .invalidShots(let n):
            return "--shots \(n) must be 0 or more"
        }
    }
}
