import CoolFusionEval
import Testing

/// GSM8K answer extraction and normalisation, as lm-evaluation-harness's gsm8k task does it.
@Suite struct GSM8KScorerTests {
    let scorer = GSM8KScorer()

    @Test func strictTakesTheFirstMarkerFlexibleTheLastNumber() {
        let output = " She pays 3 * 4 = 12 dollars.\n#### 12\nThen 7 more.\n#### 19"
        #expect(GSM8KScorer.strictAnswer(output) == "12")
        #expect(GSM8KScorer.flexibleAnswer(output) == "19")
        let score = scorer.score(output: output, references: ["12"])
        #expect(score.scores == ["strict-match": 1, "flexible-extract": 0])
        #expect(score.extracted == ["strict-match": "12", "flexible-extract": "19"])
    }

    @Test func negativeNumbers() {
        let output = "The temperature drops 5 - 8 = -3 degrees.\n#### -3"
        #expect(GSM8KScorer.strictAnswer(output) == "-3")
        #expect(GSM8KScorer.flexibleAnswer(output) == "-3")
        #expect(scorer.score(output: output, references: ["-3"]).scores.values.allSatisfy { $0 == 1 })
        #expect(scorer.score(output: output, references: ["3"]).scores.values.allSatisfy { $0 == 0 })
    }

    @Test func commasDollarsAndTrailingPointAreIgnored() {
        let output = "In total she earns $1,250.\n#### $1,250."
        // strict's pattern does not allow "$" after "#### ": the marker with a dollar sign is no match.
        #expect(GSM8KScorer.strictAnswer(output) == nil)
        #expect(GSM8KScorer.flexibleAnswer(output) == "$1,250.")
        #expect(scorer.score(output: output, references: ["1250"]).scores["flexible-extract"] == 1)
        #expect(GSM8KScorer.normalize("$1,250.") == "1250")
        #expect(scorer.score(output: "#### 1,250.", references: ["1250"]).scores["strict-match"] == 1)
    }

    @Test func decimalsMustMatchExactly() {
        #expect(GSM8KScorer.flexibleAnswer("Each costs 2.50 so 4 cost 10.5") == "10.5")
        #expect(scorer.score(output: "#### 4637.5", references: ["4637.5"]).scores["strict-match"] == 1)
        // Exact match, as lm-evaluation-harness: 78.0 is not 78.
        #expect(scorer.score(output: "#### 78.0", references: ["78"]).scores["strict-match"] == 0)
        // A sentence-final point is dropped, a decimal point is kept.
        #expect(GSM8KScorer.normalize("12.") == "12")
        #expect(GSM8KScorer.normalize("1.5") == "1.5")
    }

    @Test func noAnswer() {
        let output = "I am not sure how to solve this."
        #expect(GSM8KScorer.strictAnswer(output) == nil)
        #expect(GSM8KScorer.flexibleAnswer(output) == nil)
        let score = scorer.score(output: output, references: ["7"])
        #expect(score.scores == ["strict-match": 0, "flexible-extract": 0])
        #expect(score.extracted.isEmpty)
        #expect(scorer.score(output: "", references: ["7"]).scores["flexible-extract"] == 0)
    }

    @Test func flexibleRunsOfPunctuationFollowTheHarnessRegex() {
        // "(-?[$0-9.,]{2,})|(-?[0-9]+)": a lone digit matches the second group; "..." the first.
        #expect(GSM8KScorer.flexibleAnswer("answer is 7") == "7")
        #expect(GSM8KScorer.flexibleAnswer("it is 7, then ...") == "...")
        #expect(GSM8KScorer.flexibleAnswer("so 3 + 4 = 7.") == "7.")
    }

    @Test func aWorkedReferenceIsReducedToItsFinalAnswer() {
        let reference = "Natalia sold 48/2 = 24 clips in May.\nAltogether 48+24 = 72.\n#### 72"
        #expect(GSM8KScorer.normalize(reference) == "72")
        #expect(scorer.score(output: "So 72 clips.", references: [reference]).scores["flexible-extract"] == 1)
    }

    @Test func caseIsIgnored() {
        #expect(GSM8KScorer.normalize("#### ABC") == "abc")
    }
}
