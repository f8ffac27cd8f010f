import Foundation

/// Runs every column over every item of one dataset, streaming each result to its column's JSONL as
/// soon as it is scored. Items go in order, every column per item, so an interrupted run leaves
/// all columns with (almost) the same items and paired comparisons work on partial results.
/// A rerun with the same settings skips every (item, column) already in the files.
public struct EvalRunner: Sendable {
    public let generator: any EvalGenerator
    public let directory: ResultsDirectory
    /// Called after every item (and once at the start) with the running state.
    public let onProgress: (@Sendable (EvalProgress) -> Void)?

    public init(generator: any EvalGenerator, directory: ResultsDirectory,
                onProgress: (@Sendable (EvalProgress) -> Void)? = nil) {
        self.generator = generator
        self.directory = directory
        self.onProgress = onProgress
    }

    /// Runs `settings.methods` on `items` with `exemplars` as few-shot examples, and returns the
    /// final progress (tallies over every finished item).
    @discardableResult
    public func run(settings requested: RunSettings, items: [EvalItem], exemplars: [EvalItem]) async throws -> EvalProgress {
        for method in requested.methods { try generator.validate(method) }
        let settings = try mergedSettings(requested)
        try directory.save(settings)

        let task = settings.task
        let scorer = task.scorer
        // Methods that build on other columns' answers (rerank) run after them within each item.
        let columns = requested.methods.filter { !$0.buildsOnOtherColumns } + requested.methods.filter(\.buildsOnOtherColumns)
        let files = columns.map { directory.resultsFile(dataset: settings.dataset, method: $0) }
        let itemIDs = Set(items.map(\.id))
        // Per column: the finished items' records by item id.
        var finished: [[String: EvalRecord]] = []
        var tallies: [String: EvalProgress.Tally] = [:]
        for (column, file) in zip(columns, files) {
            let records = try file.records().filter { itemIDs.contains($0.itemID) }
            finished.append(Dictionary(records.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first }))
            var tally = EvalProgress.Tally()
            for record in records {
                tally.count += 1
                tally.scoreSum += record.scores[scorer.primaryMetric] ?? 0
            }
            tallies[column.id] = tally
        }
        let isDone = { (item: EvalItem) in finished.allSatisfy { $0[item.id] != nil } }
        var progress = EvalProgress(dataset: settings.dataset, total: items.count,
                                    done: items.filter(isDone).count,
                                    columns: columns.map(\.id), tallies: tallies)
        onProgress?(progress)

        let format = task.promptFormat
        let clock = ContinuousClock()
        for item in EvalDataset.groupedBySubset(items) where !isDone(item) {
            let start = clock.now
            let prompt = format.prompt(for: item, exemplars: FewShot.exemplars(for: item, from: exemplars))
            try await generator.readPrompt(prompt)
            for (index, column) in columns.enumerated() where finished[index][item.id] == nil {
                var earlier: [String: Generation] = [:]
                for (other, records) in zip(columns, finished) where other != column {
                    if let record = records[item.id] { earlier[other.id] = Generation(record: record) }
                }
                let request = GenerationRequest(prompt: prompt, stopSequences: settings.stopSequences,
                                                maxTokens: settings.maxTokens, method: column, earlier: earlier,
                                                subset: item.subset)
                let generation = try await generator.generate(request)
                let score = scorer.score(output: generation.text, references: item.answers)
                let record = EvalRecord(dataset: settings.dataset, task: task, method: column.id, item: item,
                                        prompt: prompt, generation: generation, score: score,
                                        primaryMetric: scorer.primaryMetric)
                try files[index].append(record)
                finished[index][item.id] = record
                progress.tallies[column.id, default: EvalProgress.Tally()].count += 1
                progress.tallies[column.id, default: EvalProgress.Tally()].scoreSum += score.scores[scorer.primaryMetric] ?? 0
            }
            let elapsed = clock.now - start
            progress.done += 1
            progress.generatedThisSession += 1
            progress.secondsThisSession += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            onProgress?(progress)
        }
        return progress
    }

    /// The stored settings with the requested columns added, after checking that the stored run
    /// generated the same way; or the requested settings for a new directory.
    private func mergedSettings(_ requested: RunSettings) throws -> RunSettings {
        guard var stored = try directory.settings(requested.dataset) else { return requested }
        try stored.checkResumable(as: requested, directory: directory.datasetDirectory(requested.dataset))
        for method in requested.methods where !stored.methods.contains(where: { $0.id == method.id }) {
            stored.methods.append(method)
        }
        stored.dataPath = requested.dataPath
        stored.fewShotPath = requested.fewShotPath
        return stored
    }
}
