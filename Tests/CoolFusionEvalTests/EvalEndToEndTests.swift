import CoolFusionEval
import CoolFusionTestModels
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import CoolFusionTestSupport

/// `coolfusion eval` on 3 items of the committed GSM-style set with two models and all five methods,
/// then a resumed rerun and a report rebuild, checking every file of the report. Two real default
/// models in release builds; in debug builds, where real models are too slow, the two synthetic models
/// (given as GGUF paths). One shot and 24 tokens keep it to minutes on 2 shared cores; prompt assembly
/// with 3 shots is checked byte for byte in PromptFormatTests.
@Suite(.serialized) struct EvalEndToEndTests {
    static let models = BuildMode.isRelease ? ["smollm2-135m", "gemma3-270m"] : SyntheticModel.allCases.map(\.name)
    static let columns = models + ["cool", "cool-align", "rerank", "cool+rerank"]
    static let files = models.map { "single-\($0).jsonl" } + ["cool.jsonl", "cool-align.jsonl", "rerank.jsonl",
                                                               "cool+rerank.jsonl", "run.json"]

    /// What `--model` is given: the aliases, or the synthetic models' files.
    static func modelArguments() throws -> [String] {
        BuildMode.isRelease ? models : try SyntheticModel.allCases.map { try $0.path() }
    }

    @Test(.timeLimit(.minutes(30)))
    func threeItemsTwoModelsEveryMethod() throws {
        let out = try RepositoryFiles.temporaryDirectory("e2e")
        let dataPath = RepositoryFiles.path("data/gsm_symbolic_test.jsonl")
        let arguments = ["eval", "--task", "gsm8k", "--data", dataPath, "--limit", "3",
                         "--model", try Self.modelArguments()[0], "--model", try Self.modelArguments()[1],
                         "--shots", "1", "--max-tokens", "24",
                         "--out", out]
        let first = try CoolFusionExecutable.run(arguments)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("gsm_symbolic_test (flexible-extract, n=3): \(Self.models[0]) "))
        #expect(first.stderr.contains("3/3"))

        // Every file, and nothing else.
        let root = URL(fileURLWithPath: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == ["gsm_symbolic_test", "report.json", "report.md", "report.svg"])
        let datasetDirectory = root.appendingPathComponent("gsm_symbolic_test")
        #expect(try FileManager.default.contentsOfDirectory(atPath: datasetDirectory.path).sorted() == Self.files.sorted())

        // The records: the prompts the library builds, scores that follow from the outputs, real perplexities.
        let items = Array(try EvalDataset.load(path: dataPath).prefix(3))
        let fewShotPath = RepositoryFiles.path("data/gsm_symbolic_fewshot.jsonl")
        let exemplars = try FewShot.select(1, from: try EvalDataset.load(path: fewShotPath), path: fewShotPath, testItems: items)
        var outputs: [String: [String]] = [:]
        var perplexity: [String: [Double]] = [:]
        for (column, file) in zip(Self.columns, Self.files) {
            let records = try ResultsFile(path: datasetDirectory.appendingPathComponent(file).path).records()
            #expect(records.map(\.itemID) == items.map(\.id), "\(file)")
            for (record, item) in zip(records, items) {
                #expect(record.method == column && record.dataset == "gsm_symbolic_test")
                #expect(record.prompt == EvalTask.gsm8k.promptFormat.prompt(for: item, exemplars: exemplars))
                #expect(!record.output.contains("Question:"))
                let score = GSM8KScorer().score(output: record.output, references: item.answers)
                #expect(record.scores == score.scores && record.extracted == score.extracted)
                #expect(record.correct == (score.scores["flexible-extract"] == 1))
                #expect(Set(record.perplexities.keys) == Set(Self.models) || record.output.isEmpty, "\(column): \(record.output)")
                #expect(record.perplexities.values.allSatisfy { $0.isFinite && $0 >= 1 })
                #expect(record.seconds > 0 && !record.outputTokens.isEmpty)
                // A single model's greedy steps are its output tokens (0 when it ends at once, as
                // SmolLM2 does here after one shot; the end-of-generation step is not counted).
                if Self.models.contains(column) {
                    #expect(record.generatedTokens == record.outputTokens[column])
                } else {
                    #expect(record.generatedTokens >= 0)
                }
                #expect(["end-of-generation", "stop-sequence", "max-tokens"].contains(record.stopReason))
            }
            outputs[column] = records.map(\.output)
            perplexity[column] = records.map { $0.meanPerplexity ?? .infinity }
        }
        // Greedy decoding is deterministic: rerank picks one of the single answers (the one the models
        // together find most likely), cool+rerank one of those or cool's.
        for index in 0..<3 {
            let singles = Self.models.map { outputs[$0]?[index] ?? "" }
            #expect(singles.contains(outputs["rerank"]?[index] ?? "-"))
            #expect((singles + [outputs["cool"]?[index] ?? ""]).contains(outputs["cool+rerank"]?[index] ?? "-"))
            let bestSingle = Self.models.compactMap { perplexity[$0]?[index] }.min() ?? 0
            #expect((perplexity["rerank"]?[index] ?? .infinity) <= bestSingle * 1.001)
        }

        // The report files.
        let reportData = try Data(contentsOf: root.appendingPathComponent("report.json"))
        let report = try JSONDecoder().decode(EvalReport.self, from: reportData)
        #expect(report.models == Self.models)
        let group = try #require(report.groups.first)
        #expect(report.groups.count == 1 && group.items == 3 && group.columns == Self.columns)
        for row in group.metrics {
            #expect(row.cells.map(\.n) == Array(repeating: 3, count: 6))
            #expect(row.bestSingle.map(Self.models.contains) == true)
            #expect(row.comparisons.map(\.column) == ["cool", "cool-align", "rerank", "cool+rerank"])
        }
        #expect(group.perplexity.allSatisfy { $0.n > 0 && ($0.mean ?? 0) >= 1 })
        let markdown = try String(contentsOf: root.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| dataset | metric | \(Self.models.joined(separator: " | ")) | best single | cool | cool-align | rerank | cool+rerank |"))
        #expect(markdown.contains("## Paired comparison with the best single model"))
        #expect(markdown.contains("## Average output perplexity"))
        let svg = try XMLDocument(data: Data(contentsOf: root.appendingPathComponent("report.svg")))
        #expect(try svg.nodes(forXPath: "//*[local-name()='rect'][*[local-name()='title']]").count == 6)

        // Rerunning resumes: nothing is generated again, nothing is appended.
        let sizes = try Self.files.map { try Data(contentsOf: datasetDirectory.appendingPathComponent($0)).count }
        let second = try CoolFusionExecutable.run(arguments)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try Self.files.map { try Data(contentsOf: datasetDirectory.appendingPathComponent($0)).count } == sizes)
        #expect(try Data(contentsOf: root.appendingPathComponent("report.json")) == reportData)

        // --report rebuilds the same report from the JSONL files alone.
        try FileManager.default.removeItem(at: root.appendingPathComponent("report.json"))
        let rebuilt = try CoolFusionExecutable.run(["eval", "--report", out])
        #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")
        #expect(try Data(contentsOf: root.appendingPathComponent("report.json")) == reportData)
    }

    @Test func usageErrorsNameTheProblem() throws {
        let noData = try CoolFusionExecutable.run(["eval", "--limit", "3"])
        #expect(noData.status != 0 && noData.stderr.contains("--data"))
        let badTask = try CoolFusionExecutable.run(["eval", "--task", "gsm9k", "--data", RepositoryFiles.path("data/gsm_symbolic_test.jsonl")])
        #expect(badTask.status != 0 && badTask.stderr.contains("unknown task 'gsm9k'"))
        let noResults = try CoolFusionExecutable.run(["eval", "--report", try RepositoryFiles.temporaryDirectory("none")])
        #expect(noResults.status != 0 && noResults.stderr.contains("holds no evaluation results"))
    }
}
