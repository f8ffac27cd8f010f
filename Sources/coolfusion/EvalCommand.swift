import ArgumentParser
import CoolFusion
import CoolFusionEval
import CoolFusionLocal
import Foundation

/// `coolfusion eval`: the paper's experiments (§3) on real data, resumable, with a report.
///
///     coolfusion eval --task gsm8k --data data/gsm_symbolic_test.jsonl --limit 100 --out results/gsm
///     coolfusion eval --report results/gsm
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate single models and fusion methods on a JSONL dataset, and write a report.",
        discussion: """
        Results stream to OUT/DATASET/METHOD.jsonl as items finish; rerunning the same command resumes \
        where it stopped. The report (report.json, report.md, report.svg) is written to OUT after the \
        run, and `--report DIR` rebuilds it from the JSONL files. Data formats: docs/EVAL.md.
        """
    )

    @Option(help: "gsm8k | math | qa | mgsm: prompt format, stop sequences and scoring.")
    var task = "gsm8k"

    @Option(help: "The test items, one JSON object per line.")
    var data: String?

    @Option(help: "Few-shot exemplars (JSONL). Default: NAME_fewshot.jsonl beside NAME_test.jsonl or NAME.jsonl.")
    var fewshot: String?

    @Option(help: "Few-shot examples per prompt (the first N exemplars).")
    var shots = 3

    @Option(help: "Evaluate only the first N items.")
    var limit: Int?

    @Option(help: "Comma-separated columns: single (every model alone), cool, cool-align, rerank, cool+rerank; options as METHOD:KEY=VALUE, e.g. cool:selection=logppl.")
    var methods = "single,cool,cool-align,rerank,cool+rerank"

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Results directory (one subdirectory per dataset, the report at the top).")
    var out = "eval-results"

    @Option(help: "Dataset name in results and reports (default: the data file name without extension).")
    var name: String?

    @Option(help: "Token budget per answer (default: the task's, 256 for gsm8k/mgsm).")
    var maxTokens: Int?

    @Option(help: "At most this many tokens per candidate segment before the fallback cut.")
    var segmentTokenCap = 32

    @Flag(help: "Run the models one after another instead of concurrently (same output).")
    var sequential = false

    @Option(help: "Only rebuild the report of this results directory from its JSONL files.")
    var report: String?

    func validate() throws {
        if report != nil { return }
        guard data != nil else { throw ValidationError("give --data FILE.jsonl (or --report DIR to rebuild a report)") }
        if let limit, limit < 1 { throw ValidationError(EvalError.invalidLimit(limit).description) }
        guard shots >= 0 else { throw ValidationError(EvalError.invalidShots(shots).description) }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        guard segmentTokenCap >= 1 else { throw ValidationError("--segment-token-cap must be at least 1") }
    }

    func run() async throws {
        if let report {
            let written = try ReportWriter.write(to: ResultsDirectory(root: report))
            print(Self.summary(written))
            print("report: " + ReportWriter.files.map { (report as NSString).appendingPathComponent($0) }.joined(separator: ", "))
            return
        }
        guard let data else { return }
        let task = try EvalTask.parse(task)
        var items = try EvalDataset.load(path: data)
        if let limit { items = Array(items.prefix(limit)) }
        let fewShotPath = fewshot ?? FewShot.defaultPath(forData: data)
        var exemplars: [EvalItem] = []
        if shots > 0 {
            guard FileManager.default.fileExists(atPath: fewShotPath) else {
                throw EvalError.missingFewShotFile(dataPath: data, tried: fewShotPath)
            }
            exemplars = try FewShot.select(shots, from: try EvalDataset.load(path: fewShotPath), path: fewShotPath,
                                           testItems: items)
        }

        let displayNames = modelOptions.displayNames
        let columns = try MethodSpec.parseList(methods, models: displayNames)
        let engines = try modelOptions.loadSourceModels()
        let sources: [any SourceModel] = engines
        var generator = try FusionEvalGenerator(models: sources, segmentTokenCap: segmentTokenCap, concurrent: !sequential)
        generator.workMeter = { await EngineSourceModel.weightBytesStreamed(by: engines) }
        generator.defaultGateLeader = GateOptions.defaultLeader(of: displayNames) ?? 0

        let dataset = name ?? URL(fileURLWithPath: data).deletingPathExtension().lastPathComponent
        let settings = RunSettings(
            dataset: dataset, task: task, dataPath: data, fewShotPath: shots > 0 ? fewShotPath : nil, shots: shots,
            maxTokens: maxTokens ?? task.defaultMaxTokens, stopSequences: task.defaultStopSequences,
            models: displayNames, methods: columns)
        let directory = ResultsDirectory(root: out)
        let bar = ProgressBar()
        try await EvalRunner(generator: generator, directory: directory, onProgress: { bar.show($0) })
            .run(settings: settings, items: items, exemplars: exemplars)
        bar.finish()

        let written = try ReportWriter.write(to: directory)
        print(Self.summary(written))
        print("report: " + ReportWriter.files.map { (out as NSString).appendingPathComponent($0) }.joined(separator: ", "))
    }

    /// One line per dataset: the primary metric of every column.
    static func summary(_ report: EvalReport) -> String {
        report.groups.compactMap { group -> String? in
            guard let row = group.metrics.first(where: \.isPrimary) else { return nil }
            let cells = row.cells.map { cell in
                "\(cell.column) " + String(format: "%.1f%%", cell.mean * 100) + (cell.column == row.bestSingle ? "*" : "")
            }
            return "\(group.label) (\(row.metric), n=\(group.items)): " + cells.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
