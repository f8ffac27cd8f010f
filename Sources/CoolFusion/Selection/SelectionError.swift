/// Errors of choosing and configuring a selection rule (bad names, weights, calibration files).
public enum SelectionError: Error, Equatable, CustomStringConvertible {
    case unknownRule(String)
    case weightsRequired(rule: String)
    case weightsNotSupported(rule: String)
    case badWeights(String, reason: String)
    case unreadableWeightsFile(path: String, reason: String)
    case modelNotCalibrated(model: String, path: String, calibrated: [String])
    case subsetNotCalibrated(subset: String, model: String, path: String, calibrated: [String])

    public var description: String {
        switch self {
        case .unknownRule(let name):
            return "unknown selection rule '\(name)'; use \(SelectionRules.help)"
        case .weightsRequired(let rule):
            return "selection rule '\(rule)' needs per-model weights (--weights or --weights-file)"
        case .weightsNotSupported(let rule):
            return "selection rule '\(rule)' takes no weights"
        case .badWeights(let text, let reason):
            return "bad weights '\(text)': \(reason)"
        case .unreadableWeightsFile(let path, let reason):
            return "cannot read the weights file \(path): \(reason)"
        case .modelNotCalibrated(let model, let path, let calibrated):
            return "the weights file \(path) has no weight for model '\(model)' (it has: "
                + calibrated.joined(separator: ", ") + "); run `coolfusion calibrate` with these models"
        case .subsetNotCalibrated(let subset, let model, let path, let calibrated):
            let known = calibrated.isEmpty ? "none: calibrate on data with a `subset` field" : calibrated.joined(separator: ", ")
            return "the weights file \(path) has no accuracy of model '\(model)' on subset '\(subset)' (subsets: \(known))"
        }
    }
}
