import CoolFusion
import Foundation

/// Fits gated fusion on labelled development items: for a given leader, the threshold of the gate's
/// signal at which gated fusion is most accurate (ties: the one that fuses fewer segments).
///
/// The thresholds tried come from the leader's own segments: a run in which the leader writes alone
/// (the gate never opens) records every segment's signal, and the thresholds are the values below which
/// (above which, for entropy) 5, 10, 20, 35 and 50% of those segments fall. That run is also the trial
/// that fuses nothing. Each other trial is one gated run over all items.
public struct GateCalibrator: Sendable {
    /// One labelled item: each model's prompt is the same text.
    public struct Item: Sendable {
        public var prompt: String
        public var references: [String]
        public init(prompt: String, references: [String]) {
            self.prompt = prompt
            self.references = references
        }
    }

    public var models: [any SourceModel]
    public var signal: GateSignal
    public var scorer: any AnswerScorer
    /// The decoder options of every run (budget, stops, cap, selection rule of fused steps); the
    /// method and gate are set per run.
    public var options: FusionOptions
    /// Shares of the leader's segments to fuse, one trial each (besides fusing none).
    public var fusedShares: [Double] = [0.05, 0.1, 0.2, 0.35, 0.5]

    public init(models: [any SourceModel], signal: GateSignal, scorer: any AnswerScorer, options: FusionOptions) {
        self.models = models
        self.signal = signal
        self.scorer = scorer
        self.options = options
    }

    /// Calibrates the gate of `leader` (an index into `models`) on `items`, with `selection` deciding the
    /// fused steps (nil: the rule of `options`).
    /// - Parameter progress: called after each run with a one-line summary.
    public func calibrate(leader: Int, items: [Item], selection: (any SelectionRule)? = nil,
                          progress: @Sendable (String) -> Void = { _ in }) async throws -> CalibratedGate {
        var calibrator = self
        if let selection { calibrator.options.selection = selection }
        return try await calibrator.fit(leader: leader, items: items, progress: progress)
    }

    private func fit(leader: Int, items: [Item], progress: @Sendable (String) -> Void) async throws -> CalibratedGate {
        let never = GateSettings(leader: leader, signal: signal, threshold: signal == .entropy ? .infinity : -.infinity)
        let alone = try await run(never, on: items)
        var trials = [alone.trial]
        progress("leader \(models[leader].name) alone: \(Self.percent(alone.trial.accuracy))")
        for threshold in thresholds(from: alone.values) {
            let trial = try await run(GateSettings(leader: leader, signal: signal, threshold: threshold), on: items).trial
            trials.append(trial)
            progress("threshold \(threshold): \(Self.percent(trial.accuracy)) correct, "
                     + "\(Self.percent(trial.fusedFraction)) of segments fused")
        }
        return CalibratedGate(leader: models[leader].name, signal: signal, leaderAccuracy: alone.trial.accuracy,
                              trials: trials)
    }

    /// The thresholds that put each share of `values` (the leader's segments) on the unsure side.
    func thresholds(from values: [Double]) -> [Double] {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return [] }
        var result: [Double] = []
        for share in fusedShares {
            let rank = min(sorted.count - 1, max(0, Int((share * Double(sorted.count)).rounded(.up)) - 1))
            // Unsure is strictly below (above) the threshold, so the threshold sits just past the value.
            let threshold = signal == .entropy
                ? sorted[sorted.count - 1 - rank].nextDown : sorted[rank].nextUp
            if !result.contains(threshold) { result.append(threshold) }
        }
        return result
    }

    /// One gated run over every item: accuracy, the share of segments fused, and every segment's signal.
    private func run(_ gate: GateSettings, on items: [Item]) async throws -> (trial: CalibratedGate.Trial, values: [Double]) {
        var options = self.options
        options.method = .gated
        options.gate = gate
        let decoder = try FusionDecoder(models: models, options: options)
        var correct = 0
        var segments = 0
        var fused = 0
        var values: [Double] = []
        for item in items {
            let result = try await decoder.generate(prompt: item.prompt)
            let score = scorer.score(output: result.text, references: item.references)
            if (score.scores[scorer.primaryMetric] ?? 0) >= 1 { correct += 1 }
            segments += result.segments.count
            fused += result.stats.fusedSegments ?? 0
            values += result.segments.compactMap { $0.gate?.value }
        }
        let trial = CalibratedGate.Trial(threshold: gate.threshold.isFinite ? gate.threshold : (gate.threshold > 0 ? 1e9 : -1e9),
                                         accuracy: items.isEmpty ? 0 : Double(correct) / Double(items.count),
                                         fusedFraction: segments == 0 ? 0 : Double(fused) / Double(segments))
        return (trial, values)
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
