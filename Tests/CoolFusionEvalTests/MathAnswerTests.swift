import CoolFusionEval
import Testing

@Suite struct MathAnswerTests {
    @Test func lastBoxedWithNestedBraces() {
        let output = #"First \boxed{2}, then finally $\boxed{\frac{1}{2}}$."#
        #expect(MathAnswer.lastBoxed(output) == #"\frac{1}{2}"#)
        #expect(MathAnswer.lastBoxed(#"\fbox{7} and \boxed 9$"#) == "9")
        #expect(MathAnswer.lastBoxed(#"\boxed{unclosed"#) == nil)
        #expect(MathAnswer.lastBoxed("no box") == nil)
    }

    @Test func fallsBackToTheLastNumber() {
        #expect(MathAnswer.extract("We get x = 3, so the area is 1,024.") == "1,024")
        #expect(MathAnswer.extract("The ratio is 3/4") == "3/4")
        #expect(MathAnswer.extract("The change is -2.5 units") == "-2.5")
        #expect(MathAnswer.extract("nothing here") == nil)
    }

    @Test func normalisationMakesEquivalentSpellingsEqual() {
        let half = MathAnswer.normalize(#"\frac{1}{2}"#)
        #expect(MathAnswer.normalize(#"\dfrac12"#) == half)
        #expect(MathAnswer.normalize("1/2") == half)
        #expect(MathAnswer.normalize("0.5") == half)
        #expect(MathAnswer.normalize(".5") == half)
        #expect(MathAnswer.normalize("x = 5") == "5")
        #expect(MathAnswer.normalize("5.00") == "5")
        #expect(MathAnswer.normalize("1,000") == "1000")
        #expect(MathAnswer.normalize(#"10\%"#) == "10")
        #expect(MathAnswer.normalize(#"90^\circ"#) == "90")
        #expect(MathAnswer.normalize(#"5\text{ cm}"#) == "5")
        #expect(MathAnswer.normalize(#"\text{(B)}"#) == "(B)")
        #expect(MathAnswer.normalize(#"\left(1,2\right)"#) == "(1,2)")
        #expect(MathAnswer.normalize(#"\sqrt2"#) == #"\sqrt{2}"#)
        #expect(MathAnswer.normalize("-3") != MathAnswer.normalize("3"))
    }

    @Test func scorerReadsTheReferenceFromASolution() {
        let solution = #"Adding, $3+4=\boxed{7}$."#
        let scorer = MathScorer()
        #expect(scorer.score(output: #"So \boxed{7.0}"#, references: [solution]).scores["exact-match"] == 1)
        #expect(scorer.score(output: "It is 8", references: [solution]).scores["exact-match"] == 0)
        let none = scorer.score(output: "I give up", references: [solution])
        #expect(none.scores["exact-match"] == 0 && none.extracted.isEmpty)
    }
}
