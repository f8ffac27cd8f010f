import CoolFusion
import CoolFusionEval
import CoolFusionLocal
import CoolFusionTestModels
import CoolFusionTestSupport
import Testing

/// An evaluation run end to end in process on the two synthetic models: the real generator behind
/// the runner, results on disk, rerank built from the earlier columns' answers, and a resumed run that
/// generates nothing again. What is checked is bookkeeping; the models' answers are random text.
@Suite struct SyntheticEvalTests {
    static let items = [
        EvalItem(id: "q1", question: "What is two plus three?", answers: ["5"]),
        EvalItem(id: "q2", question: "What is the capital of France?", answers: ["Paris"]),
    ]

    static func generator() throws -> FusionEvalGenerator {
        try FusionEvalGenerator(models: try SyntheticModel.allCases.map {
            try EngineSourceModel.load(path: try $0.path(), name: $0.name)
        })
    }

    /// A gated column that names no leader is led by `defaultGateLeader` (`coolfusion eval` sets Qwen2.5's
    /// for the default models); `leader=NAME` overrides it. With a gate that never opens (threshold 0),
    /// the column's answer is its leader's own.
    @Test func aGatedColumnWithoutLeaderFollowsTheDefaultLeader() async throws {
        var generator = try Self.generator()
        let names = generator.modelNames
        func answer(_ column: String, _ index: Int = 0) async throws -> String {
            let method = try MethodSpec.parseList(column, models: names)[index]
            return try await generator.generate(GenerationRequest(prompt: "Question: What is two plus three?\nAnswer:",
                                                                  stopSequences: ["Question:"], maxTokens: 12, method: method)).text
        }
        let singles = [try await answer("single", 0), try await answer("single", 1)]
        try #require(singles[0] != singles[1], "the two models answer alike: the test cannot tell who led")
        #expect(try await answer("gated:threshold=0") == singles[0])
        generator.defaultGateLeader = 1
        #expect(try await answer("gated:threshold=0") == singles[1])
        #expect(try await answer("gated:threshold=0:leader=\(names[0])") == singles[0])
    }

    @Test func runRecordsEveryColumnAndResumesWithoutGenerating() async throws {
        let generator = try Self.generator()
        let names = generator.modelNames
        let methods = try MethodSpec.parseList("single,cool,rerank", models: names)
        let settings = RunSettings(dataset: "toy", task: .qa, dataPath: "toy.jsonl", fewShotPath: nil, shots: 0,
                                   maxTokens: 12, stopSequences: ["Question:"], models: names, methods: methods)
        let directory = ResultsDirectory(root: try RepositoryFiles.temporaryDirectory("synthetic-eval"))
        let final = try await EvalRunner(generator: generator, directory: directory)
            .run(settings: settings, items: Self.items, exemplars: [])
        #expect(final.done == Self.items.count)

        var outputs: [String: [String]] = [:]
        for method in methods {
            let records = try directory.resultsFile(dataset: "toy", method: method).records()
            #expect(records.map(\.itemID) == Self.items.map(\.id), "\(method.id)")
            #expect(records.allSatisfy { Set($0.perplexities.keys) == Set(names) || $0.output.isEmpty }, "\(method.id)")
            outputs[method.id] = records.map(\.output)
        }
        // Each single column is that model's greedy answer, as the decoder writes it.
        for (index, name) in names.enumerated() {
            let records = try directory.resultsFile(dataset: "toy", method: methods[index]).records()
            for record in records {
                let alone = try await FusionDecoder(models: [generator.models[index]],
                                                    options: FusionOptions(method: .single, maxTokens: 12,
                                                                           stopSequences: ["Question:"]))
                    .generate(prompt: record.prompt)
                #expect(record.output == alone.text, "\(name) on \(record.itemID)")
            }
        }
        // rerank picks one of the single columns' answers.
        for (item, answer) in (outputs["rerank"] ?? []).enumerated() {
            #expect(names.contains { outputs[$0]?[item] == answer }, "rerank answer \(answer.debugDescription)")
        }

        // A second run over the same folder finds every record and generates nothing.
        let counting = CountingGenerator(inner: generator)
        let again = try await EvalRunner(generator: counting, directory: directory)
            .run(settings: settings, items: Self.items, exemplars: [])
        #expect(again.done == Self.items.count)
        #expect(counting.count == 0)
    }
}
