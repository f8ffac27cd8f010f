import ArgumentParser
import CoolFusion
import CoolFusionEval
import CoolFusionLocal
import Foundation

/// `coolfusion calibrate`: per-model weights for the selection rules, measured on a small labelled
/// development set without training anything.
///
///     coolfusion calibrate --task qa --data data/mixed_dev.jsonl --out weights.json
///     coolfusion generate --selection weighted --weights-file weights.json "..."
///
/// Every model answers every item alone (greedy, the `eval` prompt, stops and scoring of the task),
/// and scores the reference answer after the prompt. The file holds each model's accuracy (also per
/// subset), its mean perplexity of the reference answers, and its weight (`CalibratedWeights`:
/// accuracy-proportional with a floor, mean 1).
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure each model alone on a labelled dev set and write per-model selection weights.",
        discussion: """
        Weight of model m: k * max(acc_m, floor) / sum_j max(acc_j, floor), k models (equal accuracies \
        give equal weights, the paper's rule). The file is read by `generate`, `eval` \
        (cool:weights-file=PATH) and `serve` with --weights-file; models are matched by name. \
        Few-shot exemplars: the first --shots of the item's own subset when the exemplar file has one \
        (so a mixed dev set gets per-task examples), else the first --shots of the file.
        """)

    @Option(help: "gsm8k | math | qa | mgsm: prompt format, stop sequences and scoring, as in eval.")
    var task = "qa"

    @Option(help: "The labelled development items (JSONL, the eval format).")
    var data: String

    @Option(help: "Few-shot exemplars (JSONL). Default: NAME_fewshot.jsonl beside NAME_dev.jsonl, NAME_test.jsonl or NAME.jsonl.")
    var fewshot: String?

    @Option(help: "Few-shot examples per prompt.")
    var shots = 3

    @Option(help: "Use only the first N items.")
    var limit: Int?

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Token budget per answer (default: the task's).")
    var maxTokens: Int?

    @Option(help: "Smallest accuracy a weight is computed from, so no model is silenced completely.")
    var floor = CalibratedWeights.defaultFloor

    @Option(help: "Where to write the weights (JSON).")
    var out: String

    @Flag(help: "Do not fit gated fusion (its leader and threshold, pooled and per subset); only the weights.")
    var skipGate = false

    @Option(help: "The signal whose threshold is fitted for gated fusion: top-probability | margin | entropy.")
    var gateSignal: GateSignal = .topProbability

    @Option(help: "The sign-test p-value a threshold's answers won over the leader alone (against those lost, same dev items) must reach to be chosen; if none does, the gate never opens. 1: the most accurate threshold.")
    var gateSignificance = GateCalibrator.defaultSignificance

    @Option(help: "The largest cost a chosen threshold may have: the weight bytes the models stream for its answers over those the leader alone streams on the same items (e.g. 1.3). Default: no limit.")
    var gateMaxCost: Double?

    @Option(help: "The shares of the leader's segments each tried threshold fuses, comma-separated, each in (0, 1) (e.g. 0.05,0.1 when a cost limit rules out larger ones: fewer trials, fewer items rerun).")
    var gateShares = GateCalibrator.defaultFusedShares.map { String($0) }.joined(separator: ",")

    @Option(help: "The selection rule of gated fusion's fused steps while fitting (as --selection; a rule that takes weights gets the ones calibrated here).")
    var selection = "paper"

    @Option(help: "Try the gate's thresholds on only the first N items of each subset (of the file, without subsets); the weights and each gate's leader are still measured on every item. Choosing a leader needs each model alone once per item; a threshold costs gated runs.")
    var gateLimit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let gateLimit, gateLimit < 1 { throw ValidationError("--gate-limit must be at least 1") }
        guard shots >= 0 else { throw ValidationError("--shots must be at least 0") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        guard floor > 0, floor <= 1 else { throw ValidationError("--floor must be in (0, 1]") }
        guard gateSignificance > 0, gateSignificance <= 1 else { throw ValidationError("--gate-significance must be in (0, 1]") }
        if let gateMaxCost, !(gateMaxCost >= 1) { throw ValidationError("--gate-max-cost must be at least 1 (the leader alone's cost)") }
        _ = try Self.shares(gateShares)
        _ = try EvalTask.parse(task)
    }

    func run() async throws {
        let task = try EvalTask.parse(task)
        var items = try EvalDataset.load(path: data)
        if let limit { items = Array(items.prefix(limit)) }
        items = EvalDataset.groupedBySubset(items)
        let exemplarsFor = try exemplarChooser(items: items)

        let sources = try modelOptions.loadSourceModels()

        let format = task.promptFormat
        let scorer = task.scorer
        let options = FusionOptions(method: .single, maxTokens: maxTokens ?? task.defaultMaxTokens,
                                    stopSequences: task.defaultStopSequences)
        // Shape [model][item]: right or wrong; the model's perplexity of the reference answer.
        var correct = [[Bool]](repeating: [], count: sources.count)
        var referencePerplexity = [[Double]](repeating: [], count: sources.count)
        for (number, item) in items.enumerated() {
            let prompt = format.prompt(for: item, exemplars: try exemplarsFor(item))
            let reference = Candidate(text: format.targetDelimiter + item.demonstration)
            for (index, model) in sources.enumerated() {
                let answer = try await FusionDecoder(models: [model], options: options).generate(prompt: prompt)
                let score = scorer.score(output: answer.text, references: item.answers)
                correct[index].append((score.scores[scorer.primaryMetric] ?? 0) == 1)
                try await model.open(prompt: prompt)
                if let perplexity = try await model.assess([reference]).first?.perplexity, perplexity.isFinite {
                    referencePerplexity[index].append(perplexity)
                }
            }
            let tally = correct.map { "\($0.filter { $0 }.count)" }.joined(separator: "/")
            FileHandle.standardError.write(Data("\r\(number + 1)/\(items.count) items, correct per model \(tally)   ".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))

        let subsets = Set(items.compactMap(\.subset)).sorted()
        let calibrated = sources.indices.map { index in
            let perplexities = referencePerplexity[index]
            var bySubset: [String: Double]?
            if !subsets.isEmpty {
                bySubset = [:]
                for subset in subsets {
                    let marks = zip(items, correct[index]).filter { $0.0.subset == subset }.map(\.1)
                    bySubset?[subset] = Double(marks.filter { $0 }.count) / Double(max(marks.count, 1))
                }
            }
            return CalibratedWeights.Model(
                name: sources[index].name, items: items.count, correct: correct[index].filter { $0 }.count,
                meanReferencePerplexity: perplexities.isEmpty ? nil : perplexities.reduce(0, +) / Double(perplexities.count),
                subsetAccuracy: bySubset)
        }
        var file = CalibratedWeights(task: task.rawValue, data: data, shots: shots, models: calibrated, floor: floor)
        if !skipGate {
            let prompts = try items.map { format.prompt(for: $0, exemplars: try exemplarsFor($0)) }
            let labelled = zip(items, prompts).map { GateCalibrator.Item(prompt: $1, references: $0.answers) }
            let names = sources.map(\.name)
            // The fused steps' rule, with the weights just calibrated when the rule takes weights.
            func rule(subset: String?) throws -> any SelectionRule {
                let weights = ["paper", "ppl", "median"].contains(selection) ? nil : try file.weights(for: names, subset: subset)
                return try SelectionRules.make(selection, weights: weights)
            }
            var calibrator = GateCalibrator(models: sources, signal: gateSignal, scorer: scorer, options: options)
            calibrator.significance = gateSignificance
            calibrator.maxCost = gateMaxCost
            calibrator.fusedShares = try Self.shares(gateShares)
            calibrator.workMeter = { await EngineSourceModel.weightBytesStreamed(by: sources) }
            let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("gate: \($0)\n".utf8)) }
            // The items the thresholds are tried on: all, or the first --gate-limit of each subset.
            let fitted = Self.firstOfEachSubset(items, limit: gateLimit)
            // Each leader writes every fitted item alone once; the pooled and per-subset gates share that run.
            var aloneRuns: [Int: [Int: GateCalibrator.Outcome]] = [:]
            func alone(_ leader: Int, on members: [Int]) async throws -> [GateCalibrator.Outcome] {
                if aloneRuns[leader] == nil {
                    let outcomes = try await calibrator.leaderAlone(leader, items: fitted.map { labelled[$0] })
                    aloneRuns[leader] = Dictionary(uniqueKeysWithValues: zip(fitted, outcomes))
                }
                return members.compactMap { aloneRuns[leader]?[$0] }
            }
            let leader = Self.mostAccurate(correct, perplexities: referencePerplexity, items: Array(items.indices))
            file.gate = try await calibrator.calibrate(leader: leader, items: fitted.map { labelled[$0] },
                                                       alone: try await alone(leader, on: fitted),
                                                       selection: try rule(subset: nil), progress: say)
            if !subsets.isEmpty {
                var gates: [String: CalibratedGate] = [:]
                for subset in subsets {
                    let members = items.indices.filter { items[$0].subset == subset }
                    let subsetLeader = Self.mostAccurate(correct, perplexities: referencePerplexity, items: members)
                    let fittedMembers = fitted.filter { items[$0].subset == subset }
                    say("subset \(subset):")
                    gates[subset] = try await calibrator.calibrate(
                        leader: subsetLeader, items: fittedMembers.map { labelled[$0] },
                        alone: try await alone(subsetLeader, on: fittedMembers),
                        selection: try rule(subset: subset), progress: say)
                }
                file.subsetGates = gates
            }
        }
        try file.write(to: out)
        for model in file.models {
            let perplexity = model.meanReferencePerplexity.map { String(format: "%.2f", $0) } ?? "-"
            print("\(model.name): \(model.correct)/\(model.items) correct (\(String(format: "%.1f%%", model.accuracy * 100))), "
                  + "reference PPL \(perplexity), weight \(String(format: "%.3f", model.weight))")
        }
        // The pooled gate (no subset), then each subset's.
        let gates = (file.gate.map { [(nil as String?, $0)] } ?? [])
            + (file.subsetGates ?? [:]).sorted { $0.key < $1.key }.map { ($0.key as String?, $0.value) }
        for (subset, gate) in gates {
            let name = subset ?? "all"
            let fitted = gate.items ?? 0
            let fittedOn = gateLimit == nil ? "" : " on the \(fitted) item\(fitted == 1 ? "" : "s") fitted"
            let leader = "gate \(name): leader \(gate.leader) (\(String(format: "%.1f%%", gate.leaderAccuracy * 100)) alone\(fittedOn)), "
            if let chosen = gate.chosen, chosen != gate.trials.first {
                let cost = chosen.cost.map { String(format: ", %.2fx the leader alone's weight traffic", $0) } ?? ""
                print(leader + "fuse where \(gate.signal.rawValue) \(gate.signal.unsureComparison) \(String(format: "%.3g", gate.threshold)): "
                      + "\(String(format: "%.1f%%", chosen.accuracy * 100)) with \(String(format: "%.0f%%", chosen.fusedFraction * 100)) fused, "
                      + "\(chosen.wins ?? 0) won / \(chosen.losses ?? 0) lost (p \(String(format: "%.3g", chosen.pValue ?? 1)))\(cost)")
            } else {
                let within = gate.maxCost.map { " within \(String(format: "%.3g", $0))x its weight traffic" } ?? ""
                print(leader + "never fuse (no threshold beat the leader alone at p ≤ \(gate.significance ?? gateSignificance)\(within))")
            }
            // How sure the choice of leader is: its answers against the runner-up's, item by item.
            let members = items.indices.filter { subset == nil || items[$0].subset == subset }
            if let leaderIndex = sources.firstIndex(where: { $0.name == gate.leader }),
               let lead = Self.lead(of: leaderIndex, in: correct, perplexities: referencePerplexity, items: members) {
                let p = Statistics.signTestPValue(wins: lead.wins, losses: lead.losses)
                let verdict = p <= gateSignificance ? "" : "; not significant: on these items \(sources[lead.runnerUp].name) could lead as well"
                print("  leader against the runner-up \(sources[lead.runnerUp].name) alone on \(members.count) item\(members.count == 1 ? "" : "s"): "
                      + "\(lead.wins) won / \(lead.losses) lost (p \(String(format: "%.3g", p)))\(verdict)")
            }
        }
        print("weights: \(out)")
    }

    /// The most accurate model other than `leader` on `items` (as `mostAccurate` chooses), and the items
    /// the leader got right and it wrong (`wins`) and the reverse; nil with a single model.
    static func lead(of leader: Int, in correct: [[Bool]], perplexities: [[Double]], items: [Int])
        -> (runnerUp: Int, wins: Int, losses: Int)? {
        let others = correct.indices.filter { $0 != leader }
        guard !others.isEmpty else { return nil }
        let runnerUp = others[mostAccurate(others.map { correct[$0] }, perplexities: others.map { perplexities[$0] }, items: items)]
        let wins = items.filter { correct[leader][$0] && !correct[runnerUp][$0] }.count
        let losses = items.filter { !correct[leader][$0] && correct[runnerUp][$0] }.count
        return (runnerUp, wins, losses)
    }

    /// `--gate-shares`: comma-separated numbers in (0, 1), at least one.
    static func shares(_ text: String) throws -> [Double] {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0 > 0 && $0 < 1 } ?? false }) else {
            throw ValidationError("--gate-shares must be comma-separated numbers between 0 and 1 (exclusive), e.g. 0.05,0.1; got \"\(text)\"")
        }
        return values.compactMap { $0 }
    }

    /// The indices of the first `limit` items of each subset (items without a subset count as one
    /// subset), in file order; every index without a limit.
    static func firstOfEachSubset(_ items: [EvalItem], limit: Int?) -> [Int] {
        guard let limit else { return Array(items.indices) }
        var taken: [String?: Int] = [:]
        return items.indices.filter { index in
            let count = taken[items[index].subset, default: 0]
            taken[items[index].subset] = count + 1
            return count < limit
        }
    }

    /// The model most often right on `items` (indices); ties go to the lower mean perplexity of the
    /// reference answers, then to the lower index.
    static func mostAccurate(_ correct: [[Bool]], perplexities: [[Double]], items: [Int]) -> Int {
        func hits(_ model: Int) -> Int { items.filter { correct[model][$0] }.count }
        func meanPerplexity(_ model: Int) -> Double {
            perplexities[model].isEmpty ? .infinity : perplexities[model].reduce(0, +) / Double(perplexities[model].count)
        }
        return correct.indices.min { a, b in
            hits(a) != hits(b) ? hits(a) > hits(b) : meanPerplexity(a) < meanPerplexity(b)
        } ?? 0
    }

    /// The few-shot exemplars of each item: the first `shots` of its own subset if the exemplar file
    /// has that subset, else the first `shots` of the file; never a test question (FewShot's check).
    private func exemplarChooser(items: [EvalItem]) throws -> (EvalItem) throws -> [EvalItem] {
        guard shots > 0 else { return { _ in [] } }
        var path = fewshot ?? FewShot.defaultPath(forData: data)
        if fewshot == nil, data.hasSuffix("_dev.jsonl") {
            path = String(data.dropLast("_dev.jsonl".count)) + "_fewshot.jsonl"
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvalError.missingFewShotFile(dataPath: data, tried: path)
        }
        let chosen = try FewShot.select(shots, from: try EvalDataset.load(path: path), path: path, testItems: items)
        return { item in FewShot.exemplars(for: item, from: chosen) }
    }
}
