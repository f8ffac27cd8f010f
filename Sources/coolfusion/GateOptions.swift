import ArgumentParser
import CoolFusion

/// The options of `--method gated` shared by `generate`, `chat` and `serve`: who leads, which signal
/// gates and at what threshold. Each is taken from the command line if given, else from the weights
/// file's gate calibration (`coolfusion calibrate`; per task with `--weights-subset`), else the first
/// model, the top-probability signal and its default threshold.
struct GateOptions: ParsableArguments {
    @Option(help: "gated: the model that writes each segment (as given to --model; default: the calibrated leader, else the first model).")
    var leader: String?

    @Option(help: ArgumentHelp(
        "gated: the leader's confidence signal, top-probability | margin | entropy (default top-probability).",
        discussion: "Each takes the segment's least confident token: the smallest top-1 probability, the smallest log-probability margin between the two most likely tokens, or the largest entropy."))
    var gateSignal: GateSignal?

    @Option(help: "gated: fuse a segment when its signal is below this (above it for entropy); default: calibrated, else top-probability 0.3.")
    var gateThreshold: Double?

    func validate() throws {
        if let gateThreshold, gateThreshold.isNaN { throw ValidationError("--gate-threshold must be a number") }
    }

    /// The gate for the models named `modelNames` (display names, in order).
    func settings(modelNames: [String], weightsFile: String?, subset: String?) throws -> GateSettings {
        var gate = GateSettings()
        if let weightsFile,
           let calibrated = try CalibratedWeights.load(path: weightsFile)
               .gateSettings(for: modelNames, subset: subset, path: weightsFile) {
            gate = calibrated
        }
        var leaderIndex: Int?
        if let leader {
            let name = ModelOptions.displayName(leader)
            guard let index = modelNames.firstIndex(of: name) else {
                throw ValidationError("--leader \(leader) is not one of the models (" + modelNames.joined(separator: ", ") + ")")
            }
            leaderIndex = index
        }
        return gate.replacing(leader: leaderIndex, signal: gateSignal, threshold: gateThreshold)
    }
}

extension GateSignal: ExpressibleByArgument {}
