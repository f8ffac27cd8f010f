import CoolFusionEval
import Testing

@Suite struct MethodSpecTests {
    @Test func singleExpandsToEveryModel() throws {
        let specs = try MethodSpec.parseList("single,cool,cool-align,rerank,cool+rerank", models: ["a", "b/c"])
        #expect(specs.map(\.id) == ["a", "b/c", "cool", "cool-align", "rerank", "cool+rerank"])
        #expect(specs.map(\.fileStem) == ["single-a", "single-b_c", "cool", "cool-align", "rerank", "cool+rerank"])
        #expect(specs[1].isSingle && specs[1].model == "b/c")
    }

    @Test func optionsMakeSeparateColumns() throws {
        let specs = try MethodSpec.parseList("cool, cool:selection=logppl ,rerank:weights=1/2:selection=vote,cool", models: ["a"])
        #expect(specs.map(\.id) == ["cool", "cool:selection=logppl", "rerank:selection=vote:weights=1/2"])
        #expect(specs[2].options == ["selection": "vote", "weights": "1/2"])
        #expect(specs[2].fileStem == "rerank_selection=vote_weights=1_2")
    }

    @Test func errorsNameTheProblem() {
        #expect(throws: EvalError.unknownMethod("best", valid: MethodSpec.baseMethods)) {
            try MethodSpec.parseList("cool,best", models: ["a"])
        }
        #expect(throws: EvalError.badMethodOption(method: "cool", option: "logppl")) {
            try MethodSpec.parseList("cool:logppl", models: ["a"])
        }
        #expect(throws: EvalError.emptyMethodList) { try MethodSpec.parseList(" , ", models: ["a"]) }
        #expect(throws: EvalError.noModels) { try MethodSpec.parseList("single", models: []) }
        #expect(throws: EvalError.unknownTask("gsm9k", valid: ["gsm8k", "math", "qa", "mgsm"])) { try EvalTask.parse("gsm9k") }
    }
}
