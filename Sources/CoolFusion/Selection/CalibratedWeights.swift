import Foundation

/// The weights file `coolfusion calibrate` writes and `generate`, `eval` and `serve` read
/// (`--weights-file`): per-model weights for the selection rules, measured on a labelled
/// development set without training anything.
///
/// Formula (accuracy-proportional with a floor, normalised to mean 1):
///
///     a'_m = max(accuracy_m, floor)          floor = 0.05 by default
///     w_m  = k · a'_m / Σ_j a'_j              k = number of models
///
/// so models that are equally good get equal weights (the paper's rule), a model twice as accurate
/// counts twice as much, and a model that got nothing right keeps a small say instead of none (the
/// weights must stay positive, and a dev set of a few dozen items cannot prove a model useless).
public struct CalibratedWeights: Codable, Sendable, Equatable {
    /// One calibrated model.
    public struct Model: Codable, Sendable, Equatable {
        /// The model's display name (alias or GGUF file name without extension), as the other commands name it.
        public var name: String
        public var items: Int
        public var correct: Int
        public var accuracy: Double
        /// Mean over the items of the model's perplexity of the reference answer after the prompt
        /// (informational: lower means the model finds the right answers more likely).
        public var meanReferencePerplexity: Double?
        /// Accuracy per subset of a mixed development set.
        public var subsetAccuracy: [String: Double]?
        public var weight: Double

        public init(name: String, items: Int, correct: Int, meanReferencePerplexity: Double? = nil,
                    subsetAccuracy: [String: Double]? = nil, weight: Double = 1) {
            self.name = name
            self.items = items
            self.correct = correct
            self.accuracy = items > 0 ? Double(correct) / Double(items) : 0
            self.meanReferencePerplexity = meanReferencePerplexity
            self.subsetAccuracy = subsetAccuracy
            self.weight = weight
        }
    }

    public static let defaultFloor = 0.05
    public static let formulaText = "w_m = k * max(acc_m, floor) / sum_j max(acc_j, floor)"

    public var formula: String
    public var floor: Double
    /// What the weights were measured on.
    public var task: String
    public var data: String
    public var shots: Int
    public var models: [Model]
    /// Gated fusion's leader and threshold over the whole development set, and per subset (task).
    public var gate: CalibratedGate?
    public var subsetGates: [String: CalibratedGate]?

    /// Weights computed from the models' accuracies with the formula above.
    public init(task: String, data: String, shots: Int, models: [Model], floor: Double = defaultFloor) {
        self.formula = Self.formulaText
        self.floor = floor
        self.task = task
        self.data = data
        self.shots = shots
        let weights = Self.weights(accuracies: models.map(\.accuracy), floor: floor)
        self.models = zip(models, weights).map { model, weight in
            var model = model
            model.weight = weight
            return model
        }
    }

    /// `k · max(a_m, floor) / Σ_j max(a_j, floor)`: positive, mean 1.
    public static func weights(accuracies: [Double], floor: Double = defaultFloor) -> [Double] {
        let floored = accuracies.map { max($0, floor) }
        let total = floored.reduce(0, +)
        guard total > 0 else { return accuracies.map { _ in 1 } }
        return floored.map { Double(accuracies.count) * $0 / total }
    }

    /// The weights of `names`, in that order; throws if one of them was not calibrated.
    public func weights(for names: [String], path: String = "weights file") throws -> [Double] {
        try names.map { name in
            guard let model = models.first(where: { $0.name == name }) else {
                throw SelectionError.modelNotCalibrated(model: name, path: path, calibrated: models.map(\.name))
            }
            return model.weight
        }
    }

    /// The weights of `names` for one task: the same formula over the models' accuracies on that
    /// subset of the development set (`subsetAccuracy`); nil: the pooled weights. Why: models'
    /// strengths differ by task (on the mixed benchmark Qwen2.5 leads arithmetic, Gemma-3 family
    /// relationships), and weights from the pooled accuracy let the weaker models outvote the task's
    /// leader. Throws if a model was not calibrated or has no accuracy for `subset`.
    public func weights(for names: [String], subset: String?, path: String = "weights file") throws -> [Double] {
        guard let subset else { return try weights(for: names, path: path) }
        let accuracies = try names.map { name in
            guard let model = models.first(where: { $0.name == name }) else {
                throw SelectionError.modelNotCalibrated(model: name, path: path, calibrated: models.map(\.name))
            }
            guard let accuracy = model.subsetAccuracy?[subset] else {
                throw SelectionError.subsetNotCalibrated(subset: subset, model: name, path: path,
                                                         calibrated: (model.subsetAccuracy ?? [:]).keys.sorted())
            }
            return accuracy
        }
        return Self.weights(accuracies: accuracies, floor: floor)
    }

    /// Gated fusion's settings for models named `names`: for `subset` when given (its own leader and
    /// threshold), else pooled; nil when the file has no gate calibration (then the caller's defaults
    /// apply). Throws when the file has gates but none for `subset`, or the leader is not among `names`.
    public func gateSettings(for names: [String], subset: String?, path: String = "weights file") throws -> GateSettings? {
        if let subset {
            guard let gates = subsetGates else { return try gate?.settings(for: names, path: path) }
            guard let calibrated = gates[subset] else {
                throw SelectionError.subsetNotCalibrated(subset: subset, model: "gate", path: path, calibrated: gates.keys.sorted())
            }
            return try calibrated.settings(for: names, path: path)
        }
        return try gate?.settings(for: names, path: path)
    }

    /// The subsets (tasks) every model in `names` has an accuracy for, sorted; none if a model is missing.
    public func subsets(commonTo names: [String]) -> [String] {
        var common: Set<String>?
        for name in names {
            let own = Set(models.first(where: { $0.name == name })?.subsetAccuracy?.keys.map { $0 } ?? [])
            common = common.map { $0.intersection(own) } ?? own
        }
        return (common ?? []).sorted()
    }

    public static func load(path: String) throws -> CalibratedWeights {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SelectionError.unreadableWeightsFile(path: path, reason: error.localizedDescription)
        }
        let file: CalibratedWeights
        do {
            file = try JSONDecoder().decode(CalibratedWeights.self, from: data)
        } catch {
            throw SelectionError.unreadableWeightsFile(path: path, reason: "not a calibration file (\(error))")
        }
        for model in file.models where !(model.weight.isFinite && model.weight > 0) {
            throw SelectionError.unreadableWeightsFile(path: path, reason: "model '\(model.name)' has weight \(model.weight)")
        }
        return file
    }

    /// Writes the file as indented JSON with sorted keys.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path))
    }
}
