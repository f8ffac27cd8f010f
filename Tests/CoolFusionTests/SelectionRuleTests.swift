import CoolFusion
import Foundation
import Testing

/// Selection (paper Eq. 3 and the options of DESIGN.md §1).
@Suite struct SelectionRuleTests {
    /// A single-token assessment with the given perplexity.
    func ppl(_ value: Double) -> CandidateAssessment { CandidateAssessment(tokenCount: 1, totalNLL: log(value)) }

    /// DESIGN.md §1: SmolLM2 / Gemma / Qwen on " No" and " Yes".
    var yesNo: [[CandidateAssessment]] {
        [[ppl(1.25), ppl(2.47), ppl(2.02)], [ppl(6.06), ppl(1.71), ppl(1.98)]]
    }

    @Test func meanOfPerplexitiesIsTheDefault() {
        let rule = SelectionRule()
        #expect(rule.metric == .ppl)
        #expect(abs(rule.score(yesNo[0]) - 1.9133) < 1e-3)
        #expect(abs(rule.score(yesNo[1]) - 3.25) < 1e-3)
        #expect(rule.winner(of: yesNo) == 0)
    }

    @Test func meanOfLogPerplexities() {
        let rule = SelectionRule(metric: .logppl)
        let expected = (log(1.25) + log(2.47) + log(2.02)) / 3
        #expect(abs(rule.score(yesNo[0]) - expected) < 1e-9)
        #expect(rule.winner(of: yesNo) == 0)
    }

    @Test func weightsPerModel() throws {
        // Nearly silencing the over-confident first model lets " Yes" win.
        let rule = SelectionRule(weights: [0.01, 1, 1])
        try rule.validate(modelCount: 3)
        #expect(rule.winner(of: yesNo) == 1)
        #expect(throws: FusionError.weightsMismatch(weights: 3, models: 2)) { try rule.validate(modelCount: 2) }
        #expect(throws: FusionError.invalidWeight(-1)) { try SelectionRule(weights: [1, -1]).validate(modelCount: 2) }
    }

    @Test func tiesGoToTheLowerIndex() {
        let column = [ppl(3), ppl(4)]
        #expect(SelectionRule().winner(of: [column, column, column]) == 0)
        #expect(SelectionRule().winner(of: [[ppl(5), ppl(4)], column, column]) == 1)
    }

    @Test func perplexityIsExpOfMeanNLL() {
        let assessment = CandidateAssessment(logProbs: [-1, -2, -3])
        #expect(assessment.tokenCount == 3)
        #expect(abs(assessment.perplexity! - exp(2.0)) < 1e-9)
        // A model with no tokens for a candidate does not take part in its mean.
        let none = CandidateAssessment(tokenCount: 0, totalNLL: 0)
        #expect(none.perplexity == nil)
        #expect(SelectionRule().score([none, ppl(2)]) == 2)
        #expect(SelectionRule().score([none]) == .infinity)
    }
}
