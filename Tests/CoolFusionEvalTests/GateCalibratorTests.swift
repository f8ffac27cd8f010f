import CoolFusion
import CoolFusionEval
import CoolFusionLocal
import CoolFusionModelStore
import CoolFusionTestSupport
import Foundation
import Testing

/// The gate's calibration reruns only the items a threshold can change; every trial must still be
/// exactly what a full gated run over every item gives. Two real default models, committed dev items.
@Suite(.serialized) struct GateCalibratorTests {
    @Test(.enabled(if: BuildMode.isRelease, "real models run in release builds: swift test -c release"),
          .timeLimit(.minutes(10)))
    func trialsThatReuseTheLeaderAloneRunEqualFullRuns() async throws {
        let store = ModelStore()
        let models: [any SourceModel] = try ["gemma3-270m", "smollm2-135m"].map {
            try EngineSourceModel.load(path: try store.resolve($0), name: $0)
        }
        let task = try EvalTask.parse("qa")
        let items = Array(try EvalDataset.load(path: RepositoryFiles.path("data/mixed_dev.jsonl")).prefix(6))
        let labelled = items.map {
            GateCalibrator.Item(prompt: task.promptFormat.prompt(for: $0, exemplars: []), references: $0.answers)
        }
        let options = FusionOptions(method: .single, maxTokens: 8, stopSequences: task.defaultStopSequences)
        var calibrator = GateCalibrator(models: models, signal: .topProbability, scorer: task.scorer, options: options)
        calibrator.fusedShares = [0.1, 0.5]

        let alone = try await calibrator.leaderAlone(0, items: labelled)
        let messages = Messages()
        let gate = try await calibrator.calibrate(leader: 0, items: labelled, alone: alone,
                                                  progress: { messages.append($0) })
        #expect(gate.trials.count == 3)
        #expect(gate.trials[0].fusedFraction == 0)
        #expect(gate.trials[0].accuracy == Double(alone.filter(\.correct).count) / Double(items.count))

        // Each trial against a plain gated run of every item with its threshold.
        for trial in gate.trials.dropFirst() {
            var gated = options
            gated.method = .gated
            gated.gate = GateSettings(leader: 0, signal: .topProbability, threshold: trial.threshold)
            let decoder = try FusionDecoder(models: models, options: gated)
            var correct = 0
            var segments = 0
            var fused = 0
            for item in labelled {
                let result = try await decoder.generate(prompt: item.prompt)
                let score = task.scorer.score(output: result.text, references: item.references)
                if (score.scores[task.scorer.primaryMetric] ?? 0) >= 1 { correct += 1 }
                segments += result.segments.count
                fused += result.stats.fusedSegments ?? 0
            }
            #expect(trial.accuracy == Double(correct) / Double(items.count), "threshold \(trial.threshold)")
            #expect(trial.fusedFraction == Double(fused) / Double(segments), "threshold \(trial.threshold)")
            #expect(fused > 0, "a trial that fuses nothing tests nothing: threshold \(trial.threshold)")
        }
        // The low threshold left some items alone, so they were not run again.
        let rerun = messages.all.compactMap { message -> Int? in
            guard let range = message.range(of: #"\((\d+) of 6 items rerun\)"#, options: .regularExpression) else { return nil }
            return Int(message[range].dropFirst().prefix { $0.isNumber })
        }
        #expect(rerun.count == 2)
        #expect(rerun.contains { $0 < items.count }, "\(messages.all)")

        // A subset with its slice of the shared run calibrates as it does from scratch.
        let subset = try await calibrator.calibrate(leader: 0, items: Array(labelled.prefix(3)), alone: Array(alone.prefix(3)))
        #expect(subset == (try await calibrator.calibrate(leader: 0, items: Array(labelled.prefix(3)))))
    }
}

/// Progress lines collected from a `@Sendable` callback.
private final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
