import CoolFusion
import CoolFusionEval
import CoolFusionModelStore
import Foundation
import Testing

/// `coolfusion calibrate` on 3 items of the committed mixed dev set with two real default models,
/// then `generate` with the weights it wrote.
@Suite(.serialized) struct SelectionCalibrateTests {
    static let models = ["smollm2-135m", "gemma3-270m"]

    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"),
          .timeLimit(.minutes(20)))
    func calibrateThreeItemsTwoModels() throws {
        let directory = try RepositoryFiles.temporaryDirectory("calibrate")
        let weightsPath = (directory as NSString).appendingPathComponent("weights.json")
        let dataPath = RepositoryFiles.path("data/mixed_dev.jsonl")
        let run = try CoolFusionBinary.run([
            "calibrate", "--task", "qa", "--data", dataPath, "--limit", "3", "--shots", "2", "--max-tokens", "8",
            "--model", Self.models[0], "--model", Self.models[1], "--out", weightsPath,
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("3/3 items"))

        let file = try CalibratedWeights.load(path: weightsPath)
        #expect(file.task == "qa" && file.data == dataPath && file.shots == 2)
        #expect(file.formula == CalibratedWeights.formulaText && file.floor == CalibratedWeights.defaultFloor)
        #expect(file.models.map(\.name) == Self.models)
        let items = Array(try EvalDataset.load(path: dataPath).prefix(3))
        let subsets = Set(items.compactMap(\.subset))
        for model in file.models {
            #expect(model.items == 3 && (0...3).contains(model.correct))
            #expect(model.accuracy == Double(model.correct) / 3)
            // Every item is in one subset here, so the subset accuracy is the accuracy.
            #expect(Set(model.subsetAccuracy?.keys.map { $0 } ?? []) == subsets)
            if subsets.count == 1 { #expect(model.subsetAccuracy?.values.first == model.accuracy) }
            // A real perplexity of the reference answers: at least 1, finite.
            let perplexity = try #require(model.meanReferencePerplexity)
            #expect(perplexity.isFinite && perplexity >= 1)
            #expect(run.stdout.contains("\(model.name): \(model.correct)/3 correct"))
        }
        // The weights follow the documented formula from the measured accuracies.
        let expected = CalibratedWeights.weights(accuracies: file.models.map(\.accuracy))
        for (model, weight) in zip(file.models, expected) { #expect(abs(model.weight - weight) < 1e-12) }

        // generate accepts the file and uses the weighted rule: the trace's score is the weighted mean.
        let generate = try CoolFusionBinary.run([
            "generate", "--model", Self.models[0], "--model", Self.models[1], "--selection", "weighted",
            "--weights-file", weightsPath, "--max-tokens", "3", "--json", "Question: What is 2 + 3?\\nAnswer:",
        ])
        #expect(generate.status == 0, "stderr: \(generate.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(generate.stdout.utf8)) as? [String: Any])
        let segments = try #require(object["segments"] as? [[String: Any]])
        let candidates = try #require(segments.first?["candidates"] as? [[String: Any]])
        for candidate in candidates {
            let ppl = try #require(candidate["ppl"] as? [Double])
            let score = try #require(candidate["score"] as? Double)
            let weights = file.models.map(\.weight)
            let weighted = zip(ppl, weights).map { $0 * $1 }.reduce(0, +) / weights.reduce(0, +)
            #expect(abs(score - weighted) < 1e-6 * max(1, weighted))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: BuildMode.isRelease, "real models load in release builds: swift test -c release"))
    func evalColumnsTakeAWeightsFile() throws {
        let path = try ModelStore().resolve("smollm2-135m")
        let generator = try FusionEvalGenerator(models: [try EngineSourceModel.load(path: path, name: "a"),
                                                         try EngineSourceModel.load(path: path, name: "b")])
        let directory = try RepositoryFiles.temporaryDirectory("weights-file")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let both = (directory as NSString).appendingPathComponent("both.json")
        let onlyB = (directory as NSString).appendingPathComponent("only-b.json")
        // Listed in the other order: models are matched by name.
        try CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [
            .init(name: "b", items: 4, correct: 3), .init(name: "a", items: 4, correct: 1),
        ]).write(to: both)
        try CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [.init(name: "b", items: 4, correct: 3)]).write(to: onlyB)
        for options in [["selection": "weighted", "weights-file": both], ["selection": "vote", "weights-file": both],
                        ["weights-file": both]] {
            try generator.validate(MethodSpec(method: "cool", options: options))
        }
        #expect(throws: SelectionError.modelNotCalibrated(model: "a", path: onlyB, calibrated: ["b"])) {
            try generator.validate(MethodSpec(method: "cool", options: ["weights-file": onlyB]))
        }
        #expect(throws: EvalError.self) {
            try generator.validate(MethodSpec(method: "cool", options: ["weights": "1/1", "weights-file": both]))
        }
    }

    @Test(.enabled(if: BuildMode.isRelease, "the CLI is tested in release builds"))
    func badSelectionOptionsAreRefusedBeforeLoadingModels() throws {
        let unknown = try CoolFusionBinary.run(["generate", "--selection", "best", "x"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown selection rule 'best'"))
        let noWeights = try CoolFusionBinary.run(["generate", "--selection", "weighted", "x"])
        #expect(noWeights.status != 0 && noWeights.stderr.contains("needs per-model weights"))
        let both = try CoolFusionBinary.run(["generate", "--weights", "1,1", "--weights-file", "w.json", "x"])
        #expect(both.status != 0 && both.stderr.contains("not both"))
        let missing = try CoolFusionBinary.run(["calibrate", "--data", "/nonexistent/dev.jsonl", "--out", "w.json"])
        #expect(missing.status != 0)
    }
}
