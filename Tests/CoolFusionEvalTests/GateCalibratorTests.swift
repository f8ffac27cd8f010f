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
        let engines = try ["gemma3-270m", "smollm2-135m"].map {
            try EngineSourceModel.load(path: try store.resolve($0), name: $0)
        }
        let models: [any SourceModel] = engines
        // A fresh session reads its first prompt in the pass after it (nothing held to replace), one
        // pass fewer than a later prompt, whose start replaces what the session held: each model
        // reads another text first, so that every item costs the same in the leader-alone run, the
        // calibration's trials and the full runs compared below, whichever runs first.
        for engine in engines {
            try await engine.open(prompt: "Hello")
            try await engine.prefill()
        }
        let task = try EvalTask.parse("qa")
        let items = Array(try EvalDataset.load(path: RepositoryFiles.path("data/mixed_dev.jsonl")).prefix(6))
        let labelled = items.map {
            GateCalibrator.Item(prompt: task.promptFormat.prompt(for: $0, exemplars: []), references: $0.answers)
        }
        let options = FusionOptions(method: .single, maxTokens: 8, stopSequences: task.defaultStopSequences)
        var calibrator = GateCalibrator(models: models, signal: .topProbability, scorer: task.scorer, options: options)
        calibrator.fusedShares = [0.1, 0.5]
        calibrator.workMeter = { await EngineSourceModel.weightBytesStreamed(by: engines) }

        let alone = try await calibrator.leaderAlone(0, items: labelled)
        // The leader alone streams only its own weights: a whole number of its passes per item.
        let leaderPass = Double(await engines[0].weightBytesPerPass())
        for outcome in alone {
            let passes = try #require(outcome.weightBytes) / leaderPass
            #expect(passes >= 1 && passes == passes.rounded(), "\(passes) passes")
        }
        let messages = Messages()
        let gate = try await calibrator.calibrate(leader: 0, items: labelled, alone: alone,
                                                  progress: { messages.append($0) })
        #expect(gate.trials.count == 3)
        #expect(gate.trials[0].fusedFraction == 0)
        #expect(gate.trials[0].cost == 1)
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
            var wins = 0
            var losses = 0
            let workBefore = await EngineSourceModel.weightBytesStreamed(by: engines)
            for (item, leaderAlone) in zip(labelled, alone) {
                let result = try await decoder.generate(prompt: item.prompt)
                let score = task.scorer.score(output: result.text, references: item.references)
                let right = (score.scores[task.scorer.primaryMetric] ?? 0) >= 1
                if right { correct += 1 }
                if right && !leaderAlone.correct { wins += 1 }
                if !right && leaderAlone.correct { losses += 1 }
                segments += result.segments.count
                fused += result.stats.fusedSegments ?? 0
            }
            #expect(trial.accuracy == Double(correct) / Double(items.count), "threshold \(trial.threshold)")
            #expect(trial.wins == wins && trial.losses == losses, "threshold \(trial.threshold)")
            #expect(trial.pValue == Statistics.signTestPValue(wins: wins, losses: losses))
            #expect(trial.fusedFraction == Double(fused) / Double(segments), "threshold \(trial.threshold)")
            #expect(fused > 0, "a trial that fuses nothing tests nothing: threshold \(trial.threshold)")
            // Its cost: what every model streamed in the full run, over what the leader alone did.
            let spent = await EngineSourceModel.weightBytesStreamed(by: engines) - workBefore
            let aloneSpent = alone.compactMap(\.weightBytes).reduce(0, +)
            #expect(trial.cost == spent / aloneSpent, "threshold \(trial.threshold)")
            #expect((trial.cost ?? 0) > 1, "a fused step runs the follower too: threshold \(trial.threshold)")
        }
        // The low threshold left some items alone, so they were not run again.
        let rerun = messages.all.compactMap { message -> Int? in
            guard let range = message.range(of: #"\((\d+) of 6 items rerun\)"#, options: .regularExpression) else { return nil }
            return Int(message[range].dropFirst().prefix { $0.isNumber })
        }
        #expect(rerun.count == 2)
        #expect(rerun.contains { $0 < items.count }, "\(messages.all)")

        // The chosen threshold is the rule's choice among these trials.
        #expect(gate.threshold == GateCalibrator.choose(from: gate.trials, significance: calibrator.significance).threshold)
        #expect(gate.significance == GateCalibrator.defaultSignificance)

        // A subset with its slice of the shared run calibrates as it does from scratch.
        let subset = try await calibrator.calibrate(leader: 0, items: Array(labelled.prefix(3)), alone: Array(alone.prefix(3)))
        #expect(subset == (try await calibrator.calibrate(leader: 0, items: Array(labelled.prefix(3)))))
    }
}

/// Which trial the calibration keeps: only one that beats the leader alone by more than chance.
@Suite struct GateChoiceTests {
    private let alone = CalibratedGate.Trial(threshold: -1e9, accuracy: 0.10, fusedFraction: 0, wins: 0, losses: 0, pValue: 1)

    private func trial(_ threshold: Double, wins: Int, losses: Int, items: Int = 20, fused: Double = 0.1) -> CalibratedGate.Trial {
        CalibratedGate.Trial(threshold: threshold, accuracy: 0.10 + Double(wins - losses) / Double(items), fusedFraction: fused,
                             wins: wins, losses: losses, pValue: Statistics.signTestPValue(wins: wins, losses: losses))
    }

    @Test func aLeadOfOneAnswerKeepsTheGateShut() {
        // GSM-style dev: 3 right against the leader's 2 of 20 is at best one win and no loss (p 1).
        let trials = [alone, trial(0.395, wins: 1, losses: 0), trial(0.48, wins: 0, losses: 1)]
        #expect(GateCalibrator.choose(from: trials, significance: 0.1) == alone)
        // Without the test (p ≤ 1) the most accurate trial wins, as calibration chose before.
        #expect(GateCalibrator.choose(from: trials, significance: 1).threshold == 0.395)
    }

    @Test func theMostAccurateSignificantTrialWinsTiesGoToFewerFusedSegments() {
        let clear = trial(0.3, wins: 9, losses: 1, items: 200, fused: 0.2)
        let sameAccuracyLessFused = trial(0.25, wins: 8, losses: 0, items: 200, fused: 0.1)
        let moreAccurateByChance = trial(0.5, wins: 24, losses: 14, items: 200, fused: 0.4)
        #expect(moreAccurateByChance.pValue! > 0.1)
        let chosen = GateCalibrator.choose(from: [alone, clear, sameAccuracyLessFused, moreAccurateByChance], significance: 0.1)
        #expect(chosen == sameAccuracyLessFused)
    }

    @Test func aCostLimitPassesOverTrialsThatCostMore() {
        var cheap = trial(0.2, wins: 8, losses: 0, items: 200, fused: 0.05)
        cheap.cost = 1.2
        var better = trial(0.3, wins: 12, losses: 1, items: 200, fused: 0.2)
        better.cost = 2.0
        var unmeasured = trial(0.25, wins: 12, losses: 0, items: 200, fused: 0.1)
        unmeasured.cost = nil
        let trials = [alone, cheap, better, unmeasured]
        #expect(GateCalibrator.choose(from: trials, significance: 0.1) == unmeasured)
        #expect(GateCalibrator.choose(from: trials, significance: 0.1, maxCost: 2.0) == better)
        #expect(GateCalibrator.choose(from: trials, significance: 0.1, maxCost: 1.3) == cheap)
        // Below every fused trial's cost the gate stays shut.
        #expect(GateCalibrator.choose(from: trials, significance: 0.1, maxCost: 1.1) == alone)
    }

    @Test func aTrialWithoutRecordedWinsIsNeverChosen() {
        let old = CalibratedGate.Trial(threshold: 0.3, accuracy: 0.9, fusedFraction: 0.2)
        #expect(GateCalibrator.choose(from: [alone, old], significance: 1) == alone)
    }
}

/// Progress lines collected from a `@Sendable` callback.
private final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
