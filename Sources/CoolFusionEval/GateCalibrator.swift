import CoolFusion
import Foundation

/// Fits gated fusion on labelled development items: for a given leader, the threshold of the gate's
/// signal at which gated fusion is most accurate (ties: the one that fuses fewer segments), among the
/// thresholds that beat the leader alone by more than chance; if none does, the gate never opens.
///
/// "More than chance" is a paired test on the same items: the answers a trial turned right against
/// those it turned wrong, compared with the leader alone, must pass the exact sign test at
/// `significance`. A few dev items can otherwise pick a threshold by one answer (on 20 GSM-style items,
/// 3 right against the leader's 2), and such a threshold does not carry over to new items.
///
/// The thresholds tried come from the leader's own segments: a run in which the leader writes alone
/// (the gate never opens) records every segment's signal, and the thresholds are the values below which
/// (above which, for entropy) 5, 10, 20, 35 and 50% of those segments fall. That run is also the trial
/// that fuses nothing.
///
/// A trial reruns only the items it can change. Decoding is deterministic (greedy, batch-invariant
/// scoring), and a gated run makes the same decision as the leader-alone run at every segment until a
/// segment's signal falls on the unsure side of its threshold, so an item whose leader-alone segments are
/// all on the sure side ends exactly as the leader alone did and is not run again. At a low threshold
/// most items are such items; the leader-alone run can also be shared between the pooled gate and the
/// per-task gates (`leaderAlone`).
///
/// Cost: with a `workMeter`, each trial records the weight bytes the models streamed for its answers
/// against the leader alone's (`Trial.cost`), and `maxCost` keeps every trial above that ratio from
/// being chosen. A fused step runs every model, several passes each, so a threshold that fuses a fifth
/// of a short answer's segments can double its cost.
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

    /// What one gated run did on one item.
    public struct Outcome: Sendable, Equatable {
        public var correct: Bool
        public var segments: Int
        public var fused: Int
        /// The gate's signal of every segment the leader wrote (fused or not).
        public var values: [Double]
        /// The weight bytes every model streamed for this item (nil without a `workMeter`).
        public var weightBytes: Double?
    }

    public var models: [any SourceModel]
    public var signal: GateSignal
    public var scorer: any AnswerScorer
    /// The decoder options of every run (budget, stops, cap, selection rule of fused steps); the
    /// method and gate are set per run.
    public var options: FusionOptions
    /// Shares of the leader's segments to fuse, one trial each (besides fusing none).
    public var fusedShares = Self.defaultFusedShares
    public static let defaultFusedShares = [0.05, 0.1, 0.2, 0.35, 0.5]
    /// The sign-test p-value a threshold's wins over the leader alone must reach to be chosen
    /// (1: the most accurate threshold, however small its lead).
    public var significance = Self.defaultSignificance
    public static let defaultSignificance = 0.1
    /// The largest cost (`Trial.cost`) a chosen trial may have; nil: any. A trial whose cost was not
    /// measured (no `workMeter`) cannot be shown to fit and is not chosen under a limit.
    public var maxCost: Double?
    /// The weight bytes every model has streamed so far (read before and after each item), e.g. the
    /// engines' forward passes times the bytes a pass reads; nil: trials' costs are not measured.
    public var workMeter: (@Sendable () async -> Double)?

    public init(models: [any SourceModel], signal: GateSignal, scorer: any AnswerScorer, options: FusionOptions) {
        self.models = models
        self.signal = signal
        self.scorer = scorer
        self.options = options
    }

    /// The leader writing every item alone (a gate that never opens), to pass to `calibrate` for these
    /// items or any subset of them.
    public func leaderAlone(_ leader: Int, items: [Item]) async throws -> [Outcome] {
        try await run(never(leader), on: items, known: nil, against: nil).outcomes
    }

    /// Calibrates the gate of `leader` (an index into `models`) on `items`, with `selection` deciding the
    /// fused steps (nil: the rule of `options`).
    /// - Parameters:
    ///   - alone: `leaderAlone(leader, items:)` for these items, if already run; nil runs it.
    ///   - progress: called after each run with a one-line summary.
    public func calibrate(leader: Int, items: [Item], alone: [Outcome]? = nil, selection: (any SelectionRule)? = nil,
                          progress: @Sendable (String) -> Void = { _ in }) async throws -> CalibratedGate {
        var calibrator = self
        if let selection { calibrator.options.selection = selection }
        return try await calibrator.fit(leader: leader, items: items, alone: alone, progress: progress)
    }

    private func never(_ leader: Int) -> GateSettings {
        GateSettings(leader: leader, signal: signal, threshold: signal == .entropy ? .infinity : -.infinity)
    }

    private func fit(leader: Int, items: [Item], alone given: [Outcome]?,
                     progress: @Sendable (String) -> Void) async throws -> CalibratedGate {
        // A given leader-alone run is reused except where it fused a segment (one without confidences,
        // from a backend that reports none): that step depended on the selection rule.
        let reusable = given.flatMap { $0.count == items.count ? $0.map { $0.fused == 0 ? $0 : nil } : nil }
        let alone = try await run(never(leader), on: items, known: reusable, against: nil)
        var trials = [alone.trial]
        progress("leader \(models[leader].name) alone: \(Self.percent(alone.trial.accuracy))")
        let values = alone.outcomes.flatMap(\.values)
        for threshold in thresholds(from: values) {
            let gate = GateSettings(leader: leader, signal: signal, threshold: threshold)
            let trial = try await run(gate, on: items, known: unchanged(alone.outcomes, under: gate), against: alone.outcomes)
            trials.append(trial.trial)
            let cost = trial.trial.cost.map { String(format: ", %.2fx the leader alone's weight traffic", $0) } ?? ""
            progress("threshold \(threshold): \(Self.percent(trial.trial.accuracy)) correct, "
                     + "\(Self.percent(trial.trial.fusedFraction)) of segments fused, "
                     + "\(trial.trial.wins ?? 0) won / \(trial.trial.losses ?? 0) lost against the leader alone "
                     + "(p \(String(format: "%.3g", trial.trial.pValue ?? 1)))\(cost) "
                     + "(\(trial.rerun) of \(items.count) items rerun)")
        }
        let chosen = Self.choose(from: trials, significance: significance, maxCost: maxCost)
        return CalibratedGate(leader: models[leader].name, signal: signal, leaderAccuracy: alone.trial.accuracy,
                              trials: trials, threshold: chosen.threshold, significance: significance,
                              maxCost: maxCost, items: items.count)
    }

    /// The trial to keep: the first (the leader alone, which fuses nothing), or the most accurate of
    /// those that won more answers than they lost against it with a sign-test p-value at most
    /// `significance` and, under a `maxCost`, whose measured cost is at most that; ties go to fewer
    /// fused segments, then to the first tried. `trials` is not empty.
    public static func choose(from trials: [CalibratedGate.Trial], significance: Double,
                              maxCost: Double? = nil) -> CalibratedGate.Trial {
        var best = trials[0]
        for trial in trials.dropFirst() {
            guard let wins = trial.wins, let losses = trial.losses, wins > losses,
                  Statistics.signTestPValue(wins: wins, losses: losses) <= significance else { continue }
            if let maxCost {
                guard let cost = trial.cost, cost <= maxCost else { continue }
            }
            if trial.accuracy > best.accuracy
                || (trial.accuracy == best.accuracy && trial.fusedFraction < best.fusedFraction) {
                best = trial
            }
        }
        return best
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

    /// The leader-alone outcomes a run with `gate` would repeat: an item none of whose leader-alone
    /// segments is unsure under `gate` keeps its outcome; the others (nil) must run again.
    private func unchanged(_ alone: [Outcome], under gate: GateSettings) -> [Outcome?] {
        alone.map { outcome in outcome.values.contains { signal.isUnsure($0, threshold: gate.threshold) } ? nil : outcome }
    }

    /// One gated run over the items whose entry in `known` is nil (all of them without `known`):
    /// accuracy, the share of segments fused, the answers won and lost against `baseline` (item by
    /// item) and the weight traffic against it, each item's outcome and how many items ran.
    private func run(_ gate: GateSettings, on items: [Item], known: [Outcome?]?, against baseline: [Outcome]?) async throws
        -> (trial: CalibratedGate.Trial, outcomes: [Outcome], rerun: Int) {
        var options = self.options
        options.method = .gated
        options.gate = gate
        let decoder = try FusionDecoder(models: models, options: options)
        var outcomes: [Outcome] = []
        var rerun = 0
        for (index, item) in items.enumerated() {
            if let known, index < known.count, let outcome = known[index] {
                outcomes.append(outcome)
                continue
            }
            rerun += 1
            let before = await workMeter?()
            let result = try await decoder.generate(prompt: item.prompt)
            let after = await workMeter?()
            let score = scorer.score(output: result.text, references: item.references)
            outcomes.append(Outcome(correct: (score.scores[scorer.primaryMetric] ?? 0) >= 1,
                                    segments: result.segments.count, fused: result.stats.fusedSegments ?? 0,
                                    values: result.segments.compactMap { $0.gate?.value },
                                    weightBytes: before.flatMap { start in after.map { $0 - start } }))
        }
        let segments = outcomes.map(\.segments).reduce(0, +)
        let fused = outcomes.map(\.fused).reduce(0, +)
        let correct = outcomes.filter(\.correct).count
        let pairs = zip(outcomes, baseline ?? outcomes)
        let wins = pairs.filter { $0.correct && !$1.correct }.count
        let losses = pairs.filter { !$0.correct && $1.correct }.count
        let trial = CalibratedGate.Trial(threshold: gate.threshold.isFinite ? gate.threshold : (gate.threshold > 0 ? 1e9 : -1e9),
                                         accuracy: items.isEmpty ? 0 : Double(correct) / Double(items.count),
                                         fusedFraction: segments == 0 ? 0 : Double(fused) / Double(segments),
                                         wins: wins, losses: losses,
                                         pValue: Statistics.signTestPValue(wins: wins, losses: losses),
                                         cost: Statistics.total(outcomes.map(\.weightBytes)).flatMap { spent in
                                             Statistics.total((baseline ?? outcomes).map(\.weightBytes)).map { spent / max($0, 1) }
                                         })
        return (trial, outcomes, rerun)
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
