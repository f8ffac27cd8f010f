import Foundation

/// The settings of a run over one dataset, stored as `run.json` beside its results. Resuming
/// requires the same settings, so that one column never mixes items generated differently.
public struct RunSettings: Sendable, Equatable, Codable {
    public var dataset: String
    public var task: EvalTask
    public var dataPath: String
    public var fewShotPath: String?
    public var shots: Int
    public var maxTokens: Int
    public var stopSequences: [String]
    public var models: [String]
    /// Every column run so far into this directory (a later run may add columns).
    public var methods: [MethodSpec]

    enum CodingKeys: String, CodingKey {
        case dataset, task, shots, models, methods
        case dataPath = "data_path"
        case fewShotPath = "fewshot_path"
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
    }

    public init(dataset: String, task: EvalTask, dataPath: String, fewShotPath: String?, shots: Int,
                maxTokens: Int, stopSequences: [String], models: [String], methods: [MethodSpec]) {
        self.dataset = dataset
        self.task = task
        self.dataPath = dataPath
        self.fewShotPath = fewShotPath
        self.shots = shots
        self.maxTokens = maxTokens
        self.stopSequences = stopSequences
        self.models = models
        self.methods = methods
    }

    /// Throws if `requested` would generate differently from the stored run (methods may differ).
    public func checkResumable(as requested: RunSettings, directory: String) throws {
        let pairs: [(String, String, String)] = [
            ("task", task.rawValue, requested.task.rawValue),
            ("shots", String(shots), String(requested.shots)),
            ("max tokens", String(maxTokens), String(requested.maxTokens)),
            ("stop sequences", stopSequences.debugDescription, requested.stopSequences.debugDescription),
            ("models", models.joined(separator: ","), requested.models.joined(separator: ",")),
        ]
        for (field, stored, wanted) in pairs where stored != wanted {
            throw EvalError.runSettingsChanged(directory: directory, field: field, stored: stored, requested: wanted)
        }
    }
}
