import CoolFusionEval
import Testing

@Suite struct QAAnswerTests {
    @Test func firstLineOfTheOutput() {
        #expect(QAAnswer.firstLine(" Paris\nQuestion: next") == "Paris")
        #expect(QAAnswer.firstLine("\n\n  The Eiffel Tower  \nmore") == "The Eiffel Tower")
        #expect(QAAnswer.firstLine("") == "")
    }

    @Test func squadNormalisationKeepsSignsAndDecimalPoints() {
        #expect(QAAnswer.normalize("The  Eiffel-Tower!") == "eiffeltower")
        #expect(QAAnswer.normalize("An apple, a pear.") == "apple pear")
        #expect(QAAnswer.normalize("-5") == "-5")
        #expect(QAAnswer.normalize("2.5.") == "2.5")
        #expect(QAAnswer.normalize("$1,000") == "1000")
    }

    @Test func exactMatchTakesTheBestReference() {
        let score = QAScorer().score(output: " the Beatles\nQuestion:", references: ["Rolling Stones", "Beatles"])
        #expect(score.scores["exact-match"] == 1)
        #expect(score.extracted["exact-match"] == "the Beatles")
        #expect(QAScorer().score(output: "5", references: ["-5"]).scores["exact-match"] == 0)
    }

    @Test func tokenF1() {
        // prediction {new, york, city}, reference {new, york}: precision 2/3, recall 1 → F1 0.8.
        #expect(abs(QAAnswer.tokenF1("New York City", "new york") - 0.8) < 1e-12)
        #expect(QAAnswer.tokenF1("Paris", "London") == 0)
        #expect(QAAnswer.tokenF1("the", "") == 1)      // both empty after removing articles
        #expect(QAAnswer.tokenF1("Paris", "") == 0)
        // Repeated words count as a multiset: "a a b" vs "a b" with articles kept aside ("x x y" vs "x y").
        #expect(abs(QAAnswer.tokenF1("x x y", "x y") - 0.8) < 1e-12)
        let score = QAScorer().score(output: "New York City", references: ["Boston", "New York"])
        #expect(abs((score.scores["f1"] ?? 0) - 0.8) < 1e-12)
        #expect(score.scores["exact-match"] == 0)
    }
}
