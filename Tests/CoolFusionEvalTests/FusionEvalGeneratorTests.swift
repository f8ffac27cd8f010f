import CoolFusion
import CoolFusionEval
import CoolFusionTestModels
import Testing
import CoolFusionLocal

/// The real generator's reading of method columns and options, on the two synthetic models (what is
/// checked is the configuration, which does not depend on the weights).
@Suite struct FusionEvalGeneratorTests {
    static func generator() throws -> FusionEvalGenerator {
        try FusionEvalGenerator(models: [try EngineSourceModel.load(path: try SyntheticModel.bytePairs.path(), name: "a"),
                                         try EngineSourceModel.load(path: try SyntheticModel.sentencePiece.path(), name: "b")])
    }

    @Test func acceptsTheMethodsAndOptionsItDocuments() throws {
        let generator = try Self.generator()
        #expect(generator.modelNames == ["a", "b"])
        for spec in try MethodSpec.parseList(
            "single,cool,cool-align,rerank,cool+rerank,cool:selection=logppl,cool:selection=paper,cool:weights=1/0.5,cool-align:cap=8,"
                + "cool:selection=vote,cool:selection=median,rerank:selection=majority,cool:selection=majority+vote,"
                + "cool:selection=weighted:weights=1/2",
            models: generator.modelNames) {
            try generator.validate(spec)
        }
    }

    @Test func measuresTheWeightTrafficOfTheGenerationAlone() async throws {
        let path = try SyntheticModel.bytePairs.path()
        let engines = [try EngineSourceModel.load(path: path, name: "a"),
                       try EngineSourceModel.load(path: try SyntheticModel.sentencePiece.path(), name: "b")]
        var generator = try FusionEvalGenerator(models: engines)
        generator.workMeter = { await EngineSourceModel.weightBytesStreamed(by: engines) }
        let request = GenerationRequest(prompt: "the cat", stopSequences: [], maxTokens: 6,
                                        method: MethodSpec(method: "single", model: "a"))
        let before = await EngineSourceModel.weightBytesStreamed(by: engines)
        let generation = try await generator.generate(request)
        let spent = await EngineSourceModel.weightBytesStreamed(by: engines) - before
        // The same answer by the decoder alone on a fresh copy of the model: its prefill and decode
        // passes are all the column is charged for; the scoring of the output by both models that
        // follows (for the report's perplexities) is not.
        let fresh = try EngineSourceModel.load(path: path, name: "a")
        let alone = try await FusionDecoder(models: [fresh], options: FusionOptions(method: .single, maxTokens: 6))
            .generate(prompt: "the cat")
        #expect(alone.text == generation.text)
        let passes = await fresh.work().passes
        #expect(passes >= 2)
        #expect(generation.weightBytes == Double(passes) * Double(await fresh.weightBytesPerPass()))
        #expect((generation.weightBytes ?? 0) < spent, "the scoring passes are left out")
        // Without a meter nothing is claimed.
        #expect(try await Self.generator().generate(request).weightBytes == nil)
    }

    @Test func rejectsWhatItCannotRun() throws {
        let generator = try Self.generator()
        #expect(throws: EvalError.badMethodOptionValue(method: "cool:selection=best", key: "selection", value: "best",
                                                       expected: SelectionRules.help)) {
            try generator.validate(MethodSpec(method: "cool", options: ["selection": "best"]))
        }
        #expect(throws: EvalError.badMethodOptionValue(method: "cool:selection=weighted", key: "selection", value: "weighted",
                                                       expected: "a rule that fits the weights (\(SelectionError.weightsRequired(rule: "weighted")))")) {
            try generator.validate(MethodSpec(method: "cool", options: ["selection": "weighted"]))
        }
        #expect(throws: EvalError.badMethodOptionValue(method: "cool:weights=1", key: "weights", value: "1",
                                                       expected: "2 numbers separated by /")) {
            try generator.validate(MethodSpec(method: "cool", options: ["weights": "1"]))
        }
        // Parsed but not positive: the decoder's own check.
        #expect(throws: FusionError.invalidWeight(-1)) {
            try generator.validate(MethodSpec(method: "cool", options: ["weights": "1/-1"]))
        }
        #expect(throws: EvalError.badMethodOptionValue(method: "cool:cap=0", key: "cap", value: "0", expected: "a whole number ≥ 1")) {
            try generator.validate(MethodSpec(method: "cool", options: ["cap": "0"]))
        }
        #expect(throws: EvalError.unsupportedMethodOption(method: "cool:colour=red", key: "colour")) {
            try generator.validate(MethodSpec(method: "cool", options: ["colour": "red"]))
        }
        #expect(throws: EvalError.unknownModel(method: "c", model: "c", models: ["a", "b"])) {
            try generator.validate(MethodSpec(method: "single", model: "c"))
        }
    }
}
