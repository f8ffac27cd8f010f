import CoolFusion
import CoolFusionEval
import CoolFusionModelStore
import Foundation
import Testing
import CoolFusionTestSupport
import CoolFusionLocal

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
        let run = try CoolFusionExecutable.run([
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
        // The gate: every threshold tried is compared with the leader alone, and on 3 items none can
        // pass the sign test (3 wins and no loss is p 0.25), so the gate stays shut.
        let gate = try #require(file.gate)
        #expect(gate.significance == GateCalibrator.defaultSignificance)
        #expect(gate.trials.count > 1 && gate.trials.allSatisfy { $0.wins != nil && $0.losses != nil && $0.pValue != nil })
        #expect(gate.threshold == gate.trials[0].threshold && gate.chosen == gate.trials[0])
        #expect(run.stdout.contains("gate all: leader \(gate.leader)") && run.stdout.contains("never fuse"), "\(run.stdout)")

        // The weights follow the documented formula from the measured accuracies.
        let expected = CalibratedWeights.weights(accuracies: file.models.map(\.accuracy))
        for (model, weight) in zip(file.models, expected) { #expect(abs(model.weight - weight) < 1e-12) }

        // generate accepts the file and uses the weighted rule: the trace's score is the weighted mean,
        // with the pooled weights, or with one subset's (--weights-subset).
        let subset = try #require(subsets.sorted().first)
        for (extra, weights) in [([String](), file.models.map(\.weight)),
                                 (["--weights-subset", subset], try file.weights(for: Self.models, subset: subset))] {
            let generate = try CoolFusionExecutable.run([
                "generate", "--model", Self.models[0], "--model", Self.models[1], "--selection", "weighted",
                "--weights-file", weightsPath, "--max-tokens", "3", "--json",
            ] + extra + ["Question: What is 2 + 3?\\nAnswer:"])
            #expect(generate.status == 0, "stderr: \(generate.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(generate.stdout.utf8)) as? [String: Any])
            let segments = try #require(object["segments"] as? [[String: Any]])
            let candidates = try #require(segments.first?["candidates"] as? [[String: Any]])
            for candidate in candidates {
                let ppl = try #require(candidate["ppl"] as? [Double])
                let score = try #require(candidate["score"] as? Double)
                let weighted = zip(ppl, weights).map { $0 * $1 }.reduce(0, +) / weights.reduce(0, +)
                #expect(abs(score - weighted) < 1e-6 * max(1, weighted))
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `--gate-limit`: the weights and every gate's leader come from all the items, the thresholds are
    /// tried on the first N items of each task only.
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"),
          .timeLimit(.minutes(20)))
    func gateLimitFitsThresholdsOnTheFirstItemsOfEachTask() throws {
        let directory = try RepositoryFiles.temporaryDirectory("calibrate-gate-limit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let weightsPath = (directory as NSString).appendingPathComponent("weights.json")
        let dataPath = RepositoryFiles.path("data/mixed_dev.jsonl")
        let run = try CoolFusionExecutable.run([
            "calibrate", "--task", "qa", "--data", dataPath, "--limit", "10", "--gate-limit", "1", "--shots", "2",
            "--max-tokens", "8", "--model", Self.models[0], "--model", Self.models[1], "--out", weightsPath,
            "--gate-shares", "0.5", "--gate-max-cost", "1.3",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let file = try CalibratedWeights.load(path: weightsPath)
        let items = Array(try EvalDataset.load(path: dataPath).prefix(10))
        let subsets = Set(items.compactMap(\.subset))
        #expect(subsets.count == 5, "the first 10 lines of the mixed dev file hold two items of each task")
        #expect(file.models.allSatisfy { $0.items == 10 })
        // Pooled: the thresholds were tried on one item per task; the leader is the most accurate model
        // on all ten.
        let gate = try #require(file.gate)
        #expect(gate.items == subsets.count)
        #expect(run.stdout.contains("gate all: leader \(gate.leader)") && run.stdout.contains("alone on the 5 items fitted"), "\(run.stdout)")
        #expect(file.models.first { $0.name == gate.leader }?.correct == file.models.map(\.correct).max())
        let gates = try #require(file.subsetGates)
        #expect(Set(gates.keys) == subsets)
        for (subset, subsetGate) in [("all", gate)] + gates.map({ ($0.key, $0.value) }) {
            // One share tried besides the leader alone; each trial's cost measured, the budget recorded.
            #expect(subsetGate.trials.count <= 2 && subsetGate.maxCost == 1.3, "\(subset)")
            #expect(subsetGate.trials.first?.cost == 1, "\(subset)")
            #expect(subsetGate.trials.allSatisfy { $0.cost != nil }, "\(subset)")
            if let chosen = subsetGate.chosen { #expect((chosen.cost ?? .infinity) <= 1.3, "\(subset)") }
        }
        for (subset, subsetGate) in gates {
            #expect(subsetGate.items == 1, "\(subset)")
            // Each task's leader is the most accurate on both of its items, not only on the one fitted.
            let accuracies = file.models.map { $0.subsetAccuracy?[subset] ?? -1 }
            #expect(file.models.first { $0.name == subsetGate.leader }?.subsetAccuracy?[subset] == accuracies.max(), "\(subset)")
        }

        // After each gate, the leader's answers against the other model's on all of the gate's items:
        // won minus lost is the difference of their correct answers there.
        let leads = run.stdout.split(separator: "\n").filter { $0.contains("leader against the runner-up") }
        #expect(leads.count == 1 + subsets.count, "\(run.stdout)")
        for (line, (subset, leaderName)) in zip(leads, [(nil as String?, gate.leader)] + gates.sorted { $0.key < $1.key }.map { ($0.key, $0.value.leader) }) {
            let runnerUp = try #require(file.models.first { $0.name != leaderName })
            let leader = try #require(file.models.first { $0.name == leaderName })
            let itemCount = subset == nil ? 10 : 2
            func hits(_ model: CalibratedWeights.Model) -> Int {
                subset.map { Int(((model.subsetAccuracy?[$0] ?? 0) * Double(itemCount)).rounded()) } ?? model.correct
            }
            #expect(line.contains("runner-up \(runnerUp.name) alone on \(itemCount) items"), "\(line)")
            // "...: W won / L lost (p ...)"
            let counts = line[try #require(line.range(of: "items: ")).upperBound...].split(separator: " ")
            let won = try #require(Int(counts[0])), lost = try #require(Int(counts[3]))
            #expect(counts[1] == "won" && counts[4] == "lost", "\(line)")
            #expect(won - lost == hits(leader) - hits(runnerUp), "\(line)")
        }

        let refused = try CoolFusionExecutable.run(["calibrate", "--data", dataPath, "--gate-limit", "0", "--out", weightsPath])
        #expect(refused.status != 0 && refused.stderr.contains("--gate-limit must be at least 1"), "\(refused.stderr)")
        for (option, value, message) in [("--gate-shares", "0.1,x", "--gate-shares must be comma-separated numbers"),
                                         ("--gate-shares", "1.5", "--gate-shares must be comma-separated numbers"),
                                         ("--gate-max-cost", "0.5", "--gate-max-cost must be at least 1")] {
            let bad = try CoolFusionExecutable.run(["calibrate", "--data", dataPath, option, value, "--out", weightsPath])
            #expect(bad.status != 0 && bad.stderr.contains(message), "\(option) \(value): \(bad.stderr)")
        }
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

    /// With `per-subset=yes` each item is weighted by the models' accuracies on its own subset: under
    /// the `leader` rule the fusion then writes exactly what that subset's best model writes alone.
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"))
    func perSubsetWeightsFollowEachItemsSubset() async throws {
        let store = ModelStore()
        let models: [any SourceModel] = try Self.models.map { try EngineSourceModel.load(path: try store.resolve($0), name: $0) }
        let generator = try FusionEvalGenerator(models: models)
        let directory = try RepositoryFiles.temporaryDirectory("per-subset")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = (directory as NSString).appendingPathComponent("weights.json")
        // Overall the second model leads; on "sums" the first does.
        try CalibratedWeights(task: "qa", data: "dev", shots: 3, models: [
            .init(name: Self.models[0], items: 20, correct: 6, subsetAccuracy: ["sums": 0.6, "logic": 0]),
            .init(name: Self.models[1], items: 20, correct: 9, subsetAccuracy: ["sums": 0.3, "logic": 0.6]),
        ]).write(to: path)
        let perSubset = MethodSpec(method: "cool", options: ["selection": "leader", "weights-file": path, "per-subset": "yes"])
        try generator.validate(perSubset)
        let prompt = "Question: Tom has 3 apples and buys 4 more. How many apples does he have?\nAnswer:"
        func generate(_ method: MethodSpec, subset: String?) async throws -> String {
            try await generator.generate(GenerationRequest(prompt: prompt, stopSequences: ["\n"], maxTokens: 12,
                                                           method: method, subset: subset)).text
        }
        let alone = [try await generate(MethodSpec(method: "single", model: Self.models[0]), subset: nil),
                     try await generate(MethodSpec(method: "single", model: Self.models[1]), subset: nil)]
        #expect(alone[0] != alone[1], "the test needs the two models to answer differently")
        #expect(try await generate(perSubset, subset: "sums") == alone[0])
        #expect(try await generate(perSubset, subset: "logic") == alone[1])
        // Without the option the pooled weights decide, whatever the item's subset.
        let pooled = MethodSpec(method: "cool", options: ["selection": "leader", "weights-file": path])
        #expect(try await generate(pooled, subset: "sums") == alone[1])

        await #expect(throws: SelectionError.subsetNotCalibrated(subset: "chess", model: Self.models[0], path: path,
                                                                 calibrated: ["logic", "sums"])) {
            try await generate(perSubset, subset: "chess")
        }
        await #expect(throws: EvalError.self) { try await generate(perSubset, subset: nil) }
        #expect(throws: EvalError.self) {
            try generator.validate(MethodSpec(method: "cool", options: ["selection": "leader", "weights": "1/2", "per-subset": "yes"]))
        }
        #expect(throws: EvalError.self) {
            try generator.validate(MethodSpec(method: "cool", options: ["weights-file": path, "per-subset": "maybe"]))
        }
    }

    @Test(.enabled(if: BuildMode.isRelease, "the CLI is tested in release builds"))
    func badSelectionOptionsAreRefusedBeforeLoadingModels() throws {
        let unknown = try CoolFusionExecutable.run(["generate", "--selection", "best", "x"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown selection rule 'best'"))
        let noWeights = try CoolFusionExecutable.run(["generate", "--selection", "weighted", "x"])
        #expect(noWeights.status != 0 && noWeights.stderr.contains("needs per-model weights"))
        let both = try CoolFusionExecutable.run(["generate", "--weights", "1,1", "--weights-file", "w.json", "x"])
        #expect(both.status != 0 && both.stderr.contains("not both"))
        let subsetAlone = try CoolFusionExecutable.run(["generate", "--weights-subset", "sums", "x"])
        #expect(subsetAlone.status != 0 && subsetAlone.stderr.contains("--weights-subset needs --weights-file"))
        let missing = try CoolFusionExecutable.run(["calibrate", "--data", "/nonexistent/dev.jsonl", "--out", "w.json"])
        #expect(missing.status != 0)
    }
}
