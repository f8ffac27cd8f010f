import ArgumentParser
import CoolFusion
import CoolFusionModelStore

/// The options of `--method gated` shared by `generate`, `chat` and `serve`: who leads, which signal
/// gates and at what threshold. Each is taken from the command line if given, else from the weights
/// file's gate calibration (`coolfusion calibrate`; per task with `--weights-subset`), else the
/// defaults: the top-probability signal and its threshold, and as leader Qwen2.5 when the models are
/// the three default ones (`DefaultModel.gatedLeader`), the first model otherwise.
struct GateOptions: ParsableArguments {
    @Option(help: "gated: the model that writes each segment (as given to --model; default: the calibrated leader, else qwen2.5-coder-0.5b with the default models, else the first model).")
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
        var calibrated = false
        if let weightsFile,
           let fitted = try CalibratedWeights.load(path: weightsFile)
               .gateSettings(for: modelNames, subset: subset, path: weightsFile) {
            gate = fitted
            calibrated = true
        }
        var leaderIndex = calibrated ? nil : Self.defaultLeader(of: modelNames)
        if let leader {
            guard let index = modelNames.firstIndex(of: ModelOptions.displayName(leader)) else {
                throw ValidationError("--leader \(leader) is not one of the models (" + modelNames.joined(separator: ", ") + ")")
            }
            leaderIndex = index
        }
        return gate.replacing(leader: leaderIndex, signal: gateSignal, threshold: gateThreshold)
    }

    /// Who leads uncalibrated: `DefaultModel.gatedLeader` among exactly the default models, else the first.
    static func defaultLeader(of modelNames: [String]) -> Int? {
        modelNames == DefaultModel.all.map(\.alias) ? modelNames.firstIndex(of: DefaultModel.gatedLeader) : nil
    }
}

extension GateSignal: ExpressibleByArgument {}
