import CoolFusionEval
import Foundation
import Testing
import CoolFusionTestSupport

/// Running, streaming and resuming with a scripted generator.
@Suite struct EvalRunnerTests {
    let models = ["small", "big"]
    let items = (1...5).map { EvalItem(id: "q\($0)", question: "What is \($0) + \($0)?", answers: ["\($0 * 2)"]) }

    func settings(_ methods: [MethodSpec], shots: Int = 0, maxTokens: Int = 64) -> RunSettings {
        RunSettings(dataset: "toy", task: .gsm8k, dataPath: "toy.jsonl", fewShotPath: nil, shots: shots,
                    maxTokens: maxTokens, stopSequences: ["Question:"], models: models, methods: methods)
    }

    /// "big" and cool answer right; "small" answers right only on odd items.
    static func answer(column: String, prompt: String) -> String {
        let n = Int(prompt.split(separator: " ")[3]) ?? 0
        if column == "small", n % 2 == 0 { return " I think 0." }
        return " \(n) + \(n) = \(n * 2).\n#### \(n * 2)"
    }

    @Test func recordsEveryItemAndMethodWithPromptScoresAndPerplexities() async throws {
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("run"))
        let methods = try MethodSpec.parseList("single,cool", models: models)
        let generator = ScriptedGenerator(models: models, answer: Self.answer)
        let progress = ProgressLog()
        let final = try await EvalRunner(generator: generator, directory: directory, onProgress: progress.record)
            .run(settings: settings(methods), items: items, exemplars: [])
        #expect(generator.requests.count == 15)
        #expect(generator.requests.allSatisfy { $0.stopSequences == ["Question:"] && $0.maxTokens == 64 })
        #expect(final.done == 5)
        #expect(final.tallies["small"]?.count == 5 && final.tallies["small"]?.accuracy == 0.6)
        #expect(progress.entries.map(\.done) == [0, 1, 2, 3, 4, 5])

        let small = try directory.resultsFile(dataset: "toy", method: methods[0]).records()
        #expect(small.map(\.itemID) == ["q1", "q2", "q3", "q4", "q5"])
        let second = small[1]
        #expect(second.prompt == "Question: What is 2 + 2?\nAnswer:")
        #expect(second.output == " I think 0.")
        #expect(second.extracted == ["flexible-extract": "0."])
        #expect(second.scores == ["strict-match": 0, "flexible-extract": 0])
        #expect(!second.correct && small[0].correct)
        #expect(Set(second.perplexities.keys) == ["small", "big"])
        #expect(second.method == "small" && second.references == ["4"] && second.task == .gsm8k)
        let stored = try #require(try directory.settings("toy"))
        #expect(stored.methods.map(\.id) == ["small", "big", "cool"])
        // Each item's prompt is read once, before its first column, so no column pays for reading it.
        let prompts = generator.requests.map(\.prompt)
        let expected = stride(from: 0, to: prompts.count, by: 3).flatMap { start in
            ["read \(prompts[start])"] + ["small", "big", "cool"].map { "\($0) \(prompts[start])" }
        }
        #expect(generator.events == expected)
    }

    @Test("rerank columns run after the singles and cool for each item and receive their answers, also on resume")
    func rerankColumnsGetEarlierAnswers() async throws {
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("reuse"))
        // Asked for rerank first; it still runs after the columns it builds on.
        let methods = try MethodSpec.parseList("cool+rerank,rerank,single,cool", models: models)
        let interrupted = ScriptedGenerator(models: models, failAfter: 7, answer: Self.answer)
        await #expect(throws: ScriptedGenerator.Interrupted.self) {
            try await EvalRunner(generator: interrupted, directory: directory).run(settings: settings(methods), items: items, exemplars: [])
        }
        #expect(interrupted.requests.prefix(5).map(\.method.id) == ["small", "big", "cool", "cool+rerank", "rerank"])
        let first = try #require(interrupted.requests.first { $0.method.id == "cool+rerank" })
        #expect(first.earlier.keys.sorted() == ["big", "cool", "small"])
        #expect(first.earlier["small"]?.text == Self.answer(column: "small", prompt: first.prompt))

        // Item 2 stopped after its singles; the resumed run reads them back from the files.
        let resumed = ScriptedGenerator(models: models, answer: Self.answer)
        try await EvalRunner(generator: resumed, directory: directory).run(settings: settings(methods), items: items, exemplars: [])
        #expect(resumed.requests.prefix(3).map(\.method.id) == ["cool", "cool+rerank", "rerank"])
        let second = resumed.requests[1]
        #expect(second.earlier.keys.sorted() == ["big", "cool", "small"])
        #expect(second.earlier["cool"]?.text == Self.answer(column: "cool", prompt: second.prompt))
    }

    @Test func resumingSkipsFinishedItems() async throws {
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("resume"))
        let methods = try MethodSpec.parseList("single,cool", models: models)
        // Killed after 7 generations: items 1 and 2 complete (3 columns each), item 3 has one column.
        let interrupted = ScriptedGenerator(models: models, failAfter: 7, answer: Self.answer)
        await #expect(throws: ScriptedGenerator.Interrupted.self) {
            try await EvalRunner(generator: interrupted, directory: directory).run(settings: settings(methods), items: items, exemplars: [])
        }
        // Simulate a crash in the middle of writing a line.
        let coolFile = directory.resultsFile(dataset: "toy", method: methods[2])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: coolFile.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"dataset":"toy","ta"#.utf8))
        try handle.close()
        #expect(try coolFile.records().count == 2)

        let resumed = ScriptedGenerator(models: models, answer: Self.answer)
        let progress = ProgressLog()
        let final = try await EvalRunner(generator: resumed, directory: directory, onProgress: progress.record)
            .run(settings: settings(methods), items: items, exemplars: [])
        // 15 results in all, 7 of them already there.
        #expect(resumed.requests.count == 8)
        #expect(!resumed.requests.contains { $0.prompt.contains("What is 1 + 1?") })
        #expect(resumed.requests.filter { $0.prompt.contains("What is 3 + 3?") }.map(\.method.id) == ["big", "cool"])
        #expect(progress.entries.first?.done == 2)
        #expect(final.tallies["small"]?.count == 5 && final.tallies["cool"]?.count == 5)
        for method in methods {
            let ids = try directory.resultsFile(dataset: "toy", method: method).records().map(\.itemID)
            #expect(ids == ["q1", "q2", "q3", "q4", "q5"])
        }

        // A third run has nothing left to do.
        let idle = ScriptedGenerator(models: models, answer: Self.answer)
        try await EvalRunner(generator: idle, directory: directory).run(settings: settings(methods), items: items, exemplars: [])
        #expect(idle.requests.isEmpty)

        // Adding a column later runs only that column.
        let more = ScriptedGenerator(models: models, answer: Self.answer)
        try await EvalRunner(generator: more, directory: directory)
            .run(settings: settings(try MethodSpec.parseList("cool,rerank", models: models)), items: items, exemplars: [])
        #expect(more.requests.map(\.method.id) == Array(repeating: "rerank", count: 5))
        #expect(try directory.settings("toy")?.methods.map(\.id) == ["small", "big", "cool", "rerank"])
    }

    @Test func resumingWithOtherSettingsIsRefused() async throws {
        let root = try RepositoryFiles.temporaryDirectory("mismatch")
        let directory = ResultsDirectory(root: root)
        let methods = try MethodSpec.parseList("cool", models: models)
        try await EvalRunner(generator: ScriptedGenerator(models: models, answer: Self.answer), directory: directory)
            .run(settings: settings(methods), items: items, exemplars: [])
        await #expect(throws: EvalError.runSettingsChanged(directory: root + "/toy", field: "max tokens",
                                                          stored: "64", requested: "128")) {
            try await EvalRunner(generator: ScriptedGenerator(models: models, answer: Self.answer), directory: directory)
                .run(settings: settings(methods, maxTokens: 128), items: items, exemplars: [])
        }
    }

    @Test func unsupportedOptionsFailBeforeAnyGeneration() async throws {
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("options"))
        let generator = ScriptedGenerator(models: models, answer: Self.answer)
        let methods = try MethodSpec.parseList("cool:colour=red", models: models)
        await #expect(throws: EvalError.unsupportedMethodOption(method: "cool", key: "colour")) {
            try await EvalRunner(generator: generator, directory: directory).run(settings: settings(methods), items: items, exemplars: [])
        }
        #expect(generator.requests.isEmpty)
    }
}

/// Collects progress reports.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [EvalProgress] = []
    var entries: [EvalProgress] { lock.withLock { log } }
    var record: @Sendable (EvalProgress) -> Void { { [self] progress in lock.withLock { log.append(progress) } } }
}
