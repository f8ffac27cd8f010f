import CoolFusionEval
import Testing
import CoolFusionTestSupport

/// Few-shot prompts byte for byte, as lm-evaluation-harness assembles them.
@Suite struct PromptFormatTests {
    let exemplars = [
        EvalItem(id: "e1", question: "Tom has 3 apples and buys 2 more. How many apples does he have?",
                 answers: ["5"], solution: "He has 3 + 2 = 5 apples.\n#### 5"),
        EvalItem(id: "e2", question: "A pen costs $2. How much do 4 pens cost?",
                 answers: ["8"], solution: "4 * 2 = 8 dollars.\n#### 8"),
    ]
    let item = EvalItem(id: "t1", question: "Sara reads 10 pages a day. How many pages in 3 days?", answers: ["30"])

    @Test func gsm8kThreeShotLayout() {
        let prompt = EvalTask.gsm8k.promptFormat.prompt(for: item, exemplars: exemplars)
        let expected = "Question: Tom has 3 apples and buys 2 more. How many apples does he have?\n"
            + "Answer: He has 3 + 2 = 5 apples.\n#### 5\n\n"
            + "Question: A pen costs $2. How much do 4 pens cost?\n"
            + "Answer: 4 * 2 = 8 dollars.\n#### 8\n\n"
            + "Question: Sara reads 10 pages a day. How many pages in 3 days?\nAnswer:"
        #expect(prompt == expected)
        #expect(Array(prompt.utf8) == Array(expected.utf8))
    }

    @Test func zeroShotIsTheQuestionAlone() {
        #expect(EvalTask.mgsm.promptFormat.prompt(for: item, exemplars: [])
                == "Question: Sara reads 10 pages a day. How many pages in 3 days?\nAnswer:")
    }

    @Test func mathUsesProblemAndQAPutsTheContextFirst() {
        let problem = EvalItem(id: "m", question: "Compute $1+1$.", answers: ["2"])
        let example = EvalItem(id: "m0", question: "Compute $2+2$.", answers: ["4"], solution: #"$2+2=\boxed{4}$"#)
        #expect(EvalTask.math.promptFormat.prompt(for: problem, exemplars: [example])
                == "Problem: Compute $2+2$.\nAnswer: $2+2=\\boxed{4}$\n\nProblem: Compute $1+1$.\nAnswer:")
        let qa = EvalItem(id: "q", question: "Who wrote it?", answers: ["Austen"], context: "Emma is a novel by Jane Austen.")
        let shot = EvalItem(id: "q0", question: "What colour is the sky?", answers: ["blue", "Blue"])
        #expect(EvalTask.qa.promptFormat.prompt(for: qa, exemplars: [shot])
                == "Question: What colour is the sky?\nAnswer: blue\n\nEmma is a novel by Jane Austen.\nQuestion: Who wrote it?\nAnswer:")
    }

    @Test("a mixed benchmark prompts each item with the first exemplars of its own subset")
    func mixedBenchmarkUsesEachSubsetsOwnExemplars() throws {
        var pool: [EvalItem] = []
        for index in 0..<3 {
            for task in ["sum", "legs"] {
                pool.append(EvalItem(id: task + String(index), question: task + " example \(index)?",
                                     answers: [String(index)], subset: task))
            }
        }
        let tests = [EvalItem(id: "t1", question: "legs test?", answers: ["4"], subset: "legs")]
        let chosen = try FewShot.select(2, from: pool, path: "mixed_fewshot.jsonl", testItems: tests)
        // Only the subsets the test items use, two each.
        #expect(chosen.map(\.id) == ["legs0", "legs1"])
        let prompt = EvalTask.qa.promptFormat.prompt(for: tests[0], exemplars: FewShot.exemplars(for: tests[0], from: chosen))
        #expect(prompt == "Question: legs example 0?\nAnswer: 0\n\nQuestion: legs example 1?\nAnswer: 1\n\nQuestion: legs test?\nAnswer:")
        #expect(throws: EvalError.self) {
            try FewShot.select(4, from: pool, path: "mixed_fewshot.jsonl", testItems: tests)
        }
        // Items without a subset keep the plain first-N rule.
        #expect(FewShot.exemplars(for: item, from: chosen).map(\.id) == ["legs0", "legs1"])
    }

    @Test func committedExemplarsGiveTheDocumentedPrompt() throws {
        let fewShotPath = RepositoryFiles.path("data/gsm_symbolic_fewshot.jsonl")
        let testItems = try EvalDataset.load(path: RepositoryFiles.path("data/gsm_symbolic_test.jsonl"))
        let chosen = try FewShot.select(3, from: try EvalDataset.load(path: fewShotPath), path: fewShotPath,
                                        testItems: testItems)
        let prompt = EvalTask.gsm8k.promptFormat.prompt(for: testItems[0], exemplars: chosen)
        let blocks = prompt.components(separatedBy: "\n\nQuestion: ")
        #expect(blocks.count == 4)
        #expect(prompt.hasPrefix("Question: " + chosen[0].question + "\nAnswer: " + (chosen[0].solution ?? "")))
        #expect(prompt.hasSuffix("\n\nQuestion: " + testItems[0].question + "\nAnswer:"))
    }
}
