import CoolFusion
import Foundation
import Testing

/// Per-model weights: parsing `--weights`, and the calibration file (formula, round trip, lookup by name).
@Suite struct SelectionWeightsTests {
    @Test func parsesAList() throws {
        #expect(try SelectionWeights.parse("1, 1,0.5") == [1, 1, 0.5])
        #expect(try SelectionWeights.parse("1/2", separator: "/") == [1, 2])
        #expect(throws: SelectionError.badWeights("1,,2", reason: "'' is not a positive number")) {
            try SelectionWeights.parse("1,,2")
        }
        #expect(throws: SelectionError.badWeights("1,-2", reason: "'-2' is not a positive number")) {
            try SelectionWeights.parse("1,-2")
        }
        #expect(throws: SelectionError.self) { try SelectionWeights.parse("inf") }
    }

    @Test func accuracyProportionalWithAFloorAndMeanOne() {
        // floored 0.05, 0.25, 0.5; sum 0.8; times k = 3.
        let weights = CalibratedWeights.weights(accuracies: [0, 0.25, 0.5])
        for (weight, expected) in zip(weights, [0.1875, 0.9375, 1.875]) { #expect(abs(weight - expected) < 1e-12) }
        #expect(abs(weights.reduce(0, +) - 3) < 1e-12)
        // Equally good (or equally hopeless) models: equal weights, i.e. the paper's rule.
        #expect(CalibratedWeights.weights(accuracies: [0.4, 0.4]) == [1, 1])
        #expect(CalibratedWeights.weights(accuracies: [0, 0, 0]) == [1, 1, 1])
    }

    @Test func fileRoundTripAndLookupByName() throws {
        let file = CalibratedWeights(task: "qa", data: "data/mixed_dev.jsonl", shots: 3, models: [
            .init(name: "smollm2-135m", items: 10, correct: 1, meanReferencePerplexity: 40, subsetAccuracy: ["syllogism": 0.5]),
            .init(name: "gemma3-270m", items: 10, correct: 4),
        ])
        #expect(file.models.map(\.accuracy) == [0.1, 0.4])
        #expect(abs(file.models[0].weight - 0.4) < 1e-12 && abs(file.models[1].weight - 1.6) < 1e-12)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let loaded = try CalibratedWeights.load(path: path)
        #expect(loaded == file)
        #expect(try loaded.weights(for: ["gemma3-270m", "smollm2-135m"]) == [file.models[1].weight, file.models[0].weight])
        #expect(throws: SelectionError.modelNotCalibrated(model: "qwen", path: path, calibrated: ["smollm2-135m", "gemma3-270m"])) {
            try loaded.weights(for: ["qwen"], path: path)
        }
    }

    @Test func subsetWeightsApplyTheFormulaToThatSubsetsAccuracies() throws {
        let file = CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [
            .init(name: "a", items: 20, correct: 10, subsetAccuracy: ["sums": 0.8, "logic": 0]),
            .init(name: "b", items: 20, correct: 10, subsetAccuracy: ["sums": 0.2, "logic": 0.5]),
        ])
        #expect(file.subsets(commonTo: ["b", "a"]) == ["logic", "sums"])
        #expect(file.subsets(commonTo: ["a", "c"]).isEmpty)
        // Equal overall accuracy: equal weights; per subset the better model counts more.
        #expect(try file.weights(for: ["a", "b"]) == [1, 1])
        for (weight, expected) in zip(try file.weights(for: ["a", "b"], subset: "sums"), [1.6, 0.4]) {
            #expect(abs(weight - expected) < 1e-12)
        }
        // 0 is floored at 0.05: 2 · 0.05 / 0.55 and 2 · 0.5 / 0.55, in the order asked.
        let logic = try file.weights(for: ["b", "a"], subset: "logic")
        #expect(abs(logic[0] - 1 / 0.55) < 1e-12 && abs(logic[1] - 0.1 / 0.55) < 1e-12)
        #expect(throws: SelectionError.subsetNotCalibrated(subset: "chess", model: "a", path: "w.json", calibrated: ["logic", "sums"])) {
            try file.weights(for: ["a", "b"], subset: "chess", path: "w.json")
        }
        let pooled = CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [.init(name: "a", items: 2, correct: 1)])
        #expect(throws: SelectionError.subsetNotCalibrated(subset: "sums", model: "a", path: "w.json", calibrated: [])) {
            try pooled.weights(for: ["a"], subset: "sums", path: "w.json")
        }
    }

    @Test func unreadableFilesAreTypedErrors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SelectionError.self) { try CalibratedWeights.load(path: path) }
        try Data("{\"models\": 3}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SelectionError.self) { try CalibratedWeights.load(path: path) }
        var file = CalibratedWeights(task: "qa", data: "d", shots: 0, models: [.init(name: "m", items: 1, correct: 1)])
        file.models[0].weight = -1
        try file.write(to: path)
        #expect(throws: SelectionError.unreadableWeightsFile(path: path, reason: "model 'm' has weight -1.0")) {
            try CalibratedWeights.load(path: path)
        }
    }
}
