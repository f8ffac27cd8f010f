import CoolFusionEval
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import CoolFusionTestSupport

/// Reports rebuilt from JSONL results written by a scripted run with known scores.
@Suite struct ReportTests {
    let models = ["small", "big"]
    /// Ten items; items 1–5 are subset "a", 6–10 subset "b".
    let items = (1...10).map {
        EvalItem(id: "q\($0)", question: "What is \($0) + \($0)?", answers: ["\($0 * 2)"], subset: $0 <= 5 ? "a" : "b")
    }

    /// small is right on items 1–3, big on 1–6, cool on 1–8, rerank on 2–7.
    static func answer(column: String, prompt: String) -> String {
        let n = Int(prompt.split(separator: " ")[3]) ?? 0
        let right: ClosedRange<Int> = switch column {
        case "small": 1...3
        case "big": 1...6
        case "cool": 1...8
        default: 2...7
        }
        return right.contains(n) ? " So \(n * 2).\n#### \(n * 2)" : " I think 0."
    }

    /// Seconds per item of each column (cool reports one of four segments fused, like a gated column).
    static let seconds: @Sendable (String) -> Double = { ["small": 0.01, "big": 0.02, "cool": 0.05][$0] ?? 0.03 }

    func runToyEvaluation() async throws -> ResultsDirectory {
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("report"))
        let methods = try MethodSpec.parseList("single,cool,rerank", models: models)
        let settings = RunSettings(dataset: "toy", task: .gsm8k, dataPath: "toy.jsonl", fewShotPath: nil, shots: 0,
                                   maxTokens: 32, stopSequences: ["Question:"], models: models, methods: methods)
        // Weight traffic per item: big streams 3 GB, small 1, the methods 4 (rerank: not measured).
        let generator = ScriptedGenerator(models: models, seconds: Self.seconds,
                                          weightBytes: { ["small": 1e9, "big": 3e9, "cool": 4e9][$0] },
                                          fused: { $0 == "cool" ? (segments: 4, fused: 1) : nil }, answer: Self.answer)
        try await EvalRunner(generator: generator, directory: directory)
            .run(settings: settings, items: items, exemplars: [])
        return directory
    }

    @Test func scoresBestSingleGainsAndPairedComparisons() async throws {
        let report = try ReportBuilder.build(from: try await runToyEvaluation())
        #expect(report.models == models)
        #expect(report.groups.map(\.label) == ["toy", "toy/a", "toy/b"])
        let whole = report.groups[0]
        #expect(whole.items == 10 && whole.columns == ["small", "big", "cool", "rerank"])
        let flexible = try #require(whole.metrics.first { $0.metric == "flexible-extract" })
        #expect(flexible.isPrimary && flexible.bestSingle == "big")
        #expect(flexible.cell("small")?.mean == 0.3)
        #expect(abs((flexible.cell("big")?.standardError ?? 0) - (0.24 / 9).squareRoot()) < 1e-12)
        #expect(abs((flexible.cell("cool")?.gainOverBestSingle ?? 0) - 0.2) < 1e-12)
        #expect(flexible.cell("big")?.gainOverBestSingle == nil)
        // cool vs big: wins on 7 and 8, no losses → p = 2 * 1/4.
        let cool = try #require(flexible.comparisons.first { $0.column == "cool" })
        #expect(cool == PairedComparison(column: "cool", baseline: "big", n: 10, wins: 2, losses: 0, ties: 8, pValue: 0.5))
        // rerank vs big: wins on 7, loses on 1 → p = 1.
        let rerank = try #require(flexible.comparisons.first { $0.column == "rerank" })
        #expect((rerank.wins, rerank.losses, rerank.ties, rerank.pValue) == (1, 1, 8, 1))
        // In subset b (items 6–10) big has 1 right and small none; cool 3.
        let subsetB = try #require(report.groups[2].metrics.first { $0.isPrimary })
        #expect(subsetB.bestSingle == "big" && subsetB.cell("cool")?.mean == 0.6 && subsetB.cell("cool")?.n == 5)
        // Perplexity: the scripted generator's values, averaged over models and items.
        let ppl = try #require(whole.perplexity.first { $0.column == "small" })
        #expect(ppl.n == 10 && ppl.byModel.keys.sorted() == ["big", "small"])
        #expect((ppl.mean ?? 0) > 1 && (ppl.mean ?? 0) < 2)
        // Cost: seconds over the best single model's (big) in the same rows, and the share of segments fused.
        #expect(abs((whole.cost.first?.secondsPerItem ?? 0) - 0.01) < 1e-12)
        let costs = Dictionary(uniqueKeysWithValues: whole.cost.map { ($0.column, $0) })
        #expect(abs((costs["cool"]?.secondsOverBestSingle ?? 0) - 2.5) < 1e-9)
        #expect(abs((costs["small"]?.secondsOverBestSingle ?? 0) - 0.5) < 1e-9)
        #expect(costs["cool"]?.fusedShare == 0.25 && costs["rerank"]?.fusedShare == nil)
        // The same over the weight traffic; a column without it has none.
        #expect(costs["big"]?.weightBytesPerItem == 3e9)
        #expect(abs((costs["cool"]?.trafficOverBestSingle ?? 0) - 4.0 / 3) < 1e-12)
        #expect(abs((costs["small"]?.trafficOverBestSingle ?? 0) - 1.0 / 3) < 1e-12)
        #expect(costs["rerank"]?.weightBytesPerItem == nil && costs["rerank"]?.trafficOverBestSingle == nil)
    }

    @Test func writesEveryReportFile() async throws {
        let directory = try await runToyEvaluation()
        let report = try ReportWriter.write(to: directory)
        let root = URL(fileURLWithPath: directory.root)

        let json = try Data(contentsOf: root.appendingPathComponent("report.json"))
        #expect(try JSONDecoder().decode(EvalReport.self, from: json) == report)

        let markdown = try String(contentsOf: root.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| dataset | metric | small | big | best single | cool | rerank |"))
        #expect(markdown.contains("| toy | flexible-extract (primary) | 30.0 ± 15.3 (10) | **60.0 ± 16.3 (10)** | big 60.0 | "
                                  + "80.0 ± 13.3 (10) (+20.0) | 60.0 ± 16.3 (10) (+0.0) |"))
        #expect(markdown.contains("| toy | flexible-extract | cool | big | 10 | 2 | 0 | 8 | 0.5 |"))
        #expect(markdown.contains("## Average output perplexity"))
        #expect(markdown.contains("| toy | cool | 10 | 0.050 | 2.50 | "))
        #expect(markdown.contains("| toy/b | cool | 5 | 0.050 | 2.50 | "))
        #expect(markdown.contains("| 25% |") && markdown.contains("| toy | big | 10 | 0.020 | 1.00 | "))
        // The toy answers carry `#### N` exactly when right, so strict-match equals flexible-extract on
        // every item: the tables leave its repeated rows out, report.json keeps them.
        #expect(!markdown.contains("| toy | strict-match"))
        #expect(report.groups[0].metrics.map(\.metric).contains("strict-match"))

        let svgText = try String(contentsOf: root.appendingPathComponent("report.svg"), encoding: .utf8)
        let svg = try XMLDocument(data: Data(svgText.utf8))
        #expect(svg.rootElement()?.name == "svg")
        // 3 groups × 4 columns, every one with a score > 0 except none: 12 bars with tooltips.
        let bars = try svg.nodes(forXPath: "//*[local-name()='rect'][*[local-name()='title']]")
        #expect(bars.count == 12)
        #expect(svgText.contains("60*"))   // the best single model's bar is marked

        // Rebuilding from the JSONL alone gives the same report.
        #expect(try ReportBuilder.build(from: ResultsDirectory(root: directory.root)) == report)
    }

    @Test func emptyDirectoryIsAnError() throws {
        let root = try RepositoryFiles.temporaryDirectory("empty")
        #expect(throws: EvalError.noResults(directory: root)) { try ReportBuilder.build(from: ResultsDirectory(root: root)) }
    }
}
