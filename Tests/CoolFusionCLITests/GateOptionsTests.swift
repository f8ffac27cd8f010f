import CoolFusion
import CoolFusionModelStore
@testable import coolfusion
import Foundation
import Testing

/// Who leads gated fusion when the command line does not say: a calibration's leader, else Qwen2.5
/// among the three default models, else the first model; `--leader` overrides both.
@Suite struct GateOptionsTests {
    let defaults = DefaultModel.all.map(\.alias)

    func gate(_ arguments: [String], models: [String], weightsFile: String? = nil) throws -> GateSettings {
        try GateOptions.parse(arguments).settings(modelNames: models, weightsFile: weightsFile, subset: nil)
    }

    @Test func theDefaultModelsAreLedByQwen() throws {
        #expect(defaults[try gate([], models: defaults).leader] == DefaultModel.gatedLeader)
        #expect(DefaultModel.gatedLeader == "qwen2.5-coder-0.5b")
        // Other models, or the defaults in another order or with another model: the first leads.
        #expect(try gate([], models: ["a", "b"]).leader == 0)
        #expect(try gate([], models: defaults.reversed()).leader == 0)
        #expect(try gate([], models: defaults + ["qwen2.5-coder-1.5b"]).leader == 0)
    }

    @Test func leaderOptionAndCalibrationComeFirst() throws {
        #expect(try gate(["--leader", "gemma3-270m"], models: defaults).leader == 1)
        #expect(throws: (any Error).self) { try gate(["--leader", "gpt-4"], models: defaults) }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gate-options-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var file = CalibratedWeights(task: "qa", data: "dev.jsonl", shots: 3, models: defaults.map {
            CalibratedWeights.Model(name: $0, items: 10, correct: 5)
        })
        file.gate = CalibratedGate(leader: "smollm2-135m", signal: .margin, leaderAccuracy: 0.5,
                                   trials: [.init(threshold: 1.5, accuracy: 0.5, fusedFraction: 0.1)],
                                   threshold: 1.5, significance: 0.1)
        try file.write(to: path)
        let calibrated = try gate([], models: defaults, weightsFile: path)
        #expect(calibrated.leader == 0 && calibrated.signal == .margin && calibrated.threshold == 1.5)
        #expect(try gate(["--leader", "gemma3-270m"], models: defaults, weightsFile: path).leader == 1)
    }
}
