import CoolFusionEval
import Foundation
import Testing
import CoolFusionTestSupport

@Suite struct EvalDatasetTests {
    @Test func acceptsTheCommonFieldNames() throws {
        let gsm = try EvalDataset.parse(line: #"{"question": "Q?", "answer": "He ... #### 72"}"#, lineNumber: 4, path: "f")
        #expect(gsm == EvalItem(id: "line-4", question: "Q?", answers: ["He ... #### 72"]))
        let numeric = try EvalDataset.parse(line: #"{"id": 7, "question": "Q", "answer": 72}"#, lineNumber: 1, path: "f")
        #expect(numeric.id == "7" && numeric.answers == ["72"])
        let decimal = try EvalDataset.parse(line: #"{"question": "Q", "answer": 2.5}"#, lineNumber: 1, path: "f")
        #expect(decimal.answers == ["2.5"])
        let math = try EvalDataset.parse(line: #"{"problem": "P", "solution": "so \\boxed{3}"}"#, lineNumber: 1, path: "f")
        #expect(math.question == "P" && math.answers == [#"so \boxed{3}"#] && math.solution == #"so \boxed{3}"#)
        let qa = try EvalDataset.parse(
            line: #"{"question": "Who?", "answers": ["Ann", "Anne"], "passage": "P.", "subset": "coqa"}"#,
            lineNumber: 1, path: "f")
        #expect(qa.answers == ["Ann", "Anne"] && qa.context == "P." && qa.subset == "coqa")
    }

    @Test func badLinesNameTheFileAndLine() {
        #expect(throws: EvalError.missingField(path: "f.jsonl", line: 3, field: "question")) {
            try EvalDataset.parse(line: #"{"answer": "1"}"#, lineNumber: 3, path: "f.jsonl")
        }
        #expect(throws: EvalError.missingField(path: "f.jsonl", line: 2, field: "answer")) {
            try EvalDataset.parse(line: #"{"question": "Q"}"#, lineNumber: 2, path: "f.jsonl")
        }
        #expect(throws: EvalError.self) { try EvalDataset.parse(line: "[1, 2]", lineNumber: 1, path: "f") }
        #expect(throws: EvalError.self) { try EvalDataset.parse(line: "{not json", lineNumber: 1, path: "f") }
        #expect(throws: EvalError.self) { try EvalDataset.load(path: "/nonexistent/file.jsonl") }
    }

    @Test func duplicateIDsAreRejected() throws {
        let directory = try RepositoryFiles.temporaryDirectory("dup")
        let path = directory + "/d.jsonl"
        let lines = #"{"id":"a","question":"Q","answer":"1"}"# + "\n\n" + #"{"id":"a","question":"R","answer":"2"}"#
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EvalError.duplicateItemID(path: path, id: "a")) { try EvalDataset.load(path: path) }
    }

    /// The committed data from scripts/make_eval_data.py: 300 test items, 8 exemplars, worked answers
    /// ending in `#### N` that the GSM8K scorer accepts, and no exemplar among the test questions.
    @Test func committedGSMSymbolicData() throws {
        let test = try EvalDataset.load(path: RepositoryFiles.path("data/gsm_symbolic_test.jsonl"))
        let fewShotPath = RepositoryFiles.path("data/gsm_symbolic_fewshot.jsonl")
        let fewShot = try EvalDataset.load(path: fewShotPath)
        #expect(test.count == 300)
        #expect(fewShot.count == 8)
        let scorer = GSM8KScorer()
        for item in test + fewShot {
            let solution = try #require(item.solution)
            #expect(solution.hasSuffix("#### " + item.answers[0]))
            #expect(scorer.score(output: solution, references: item.answers).scores["strict-match"] == 1)
        }
        #expect(Set(test.map(\.question)).isDisjoint(with: fewShot.map(\.question)))
        #expect(FewShot.defaultPath(forData: RepositoryFiles.path("data/gsm_symbolic_test.jsonl")) == fewShotPath)
        _ = try FewShot.select(8, from: fewShot, path: fewShotPath, testItems: test)
        #expect(throws: EvalError.notEnoughExemplars(path: fewShotPath, have: 8, need: 9)) {
            try FewShot.select(9, from: fewShot, path: fewShotPath, testItems: test)
        }
        #expect(throws: EvalError.exemplarOverlapsTest(id: test[0].id)) {
            try FewShot.select(1, from: [test[0]], path: "x", testItems: test)
        }
    }

    /// Mixed files interleave their tasks; `eval` and `calibrate` run them grouped by task so that
    /// consecutive prompts share few-shot exemplars.
    @Test func groupsTheCommittedMixedDevSplitByTaskInFileOrder() throws {
        let items = try EvalDataset.load(path: RepositoryFiles.path("data/mixed_dev.jsonl"))
        let grouped = EvalDataset.groupedBySubset(items)
        #expect(grouped.map(\.id).sorted() == items.map(\.id).sorted())
        var runs: [String?] = []
        for item in grouped where runs.last != item.subset { runs.append(item.subset) }
        var firstSeen: [String?] = []
        for item in items where !firstSeen.contains(item.subset) { firstSeen.append(item.subset) }
        #expect(runs == firstSeen && runs.count == 5)
        for subset in firstSeen {
            #expect(grouped.filter { $0.subset == subset }.map(\.id) == items.filter { $0.subset == subset }.map(\.id))
        }
        // Items without a subset are one group too.
        let plain = [EvalItem(id: "a", question: "?", answers: ["1"]), EvalItem(id: "b", question: "?", answers: ["2"])]
        #expect(EvalDataset.groupedBySubset(plain).map(\.id) == ["a", "b"])
    }
}
