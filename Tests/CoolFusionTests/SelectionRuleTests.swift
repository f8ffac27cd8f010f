import CoolFusion
import Foundation
import Testing

/// The selection rules on hand-made perplexity matrices (`columns[candidate][model]`).
@Suite struct SelectionRuleTests {
    /// A single-token assessment with the given perplexity.
    static func ppl(_ value: Double) -> CandidateAssessment { CandidateAssessment(tokenCount: 1, totalNLL: log(value)) }

    /// The veto case (docs/SELECTION.md): SmolLM2, Gemma-3 and Qwen2.5 on " No" (proposed by
    /// SmolLM2) and " Yes" (proposed by Gemma-3 and Qwen2.5, and right).
    static let yesNo: [[CandidateAssessment]] = [[ppl(1.25), ppl(2.47), ppl(2.02)], [ppl(6.06), ppl(1.71), ppl(1.98)]]
    static let yesNoProposers = [[0], [1, 2]]

    func rule(_ name: String, weights: [Double]? = nil) throws -> any SelectionRule {
        try SelectionRules.make(name, weights: weights)
    }

    @Test func paperIsTheDefaultAndPicksTheConfidentMinority() throws {
        let rule = FusionOptions().selection
        #expect(rule.name == "paper")
        let decision = try #require(rule.decide(Self.yesNo, proposers: Self.yesNoProposers))
        #expect(abs(decision.scores[0] - (1.25 + 2.47 + 2.02) / 3) < 1e-9)
        #expect(abs(decision.scores[1] - (6.06 + 1.71 + 1.98) / 3) < 1e-9)
        #expect(decision.winner == 0)
        #expect(try self.rule("ppl").name == "paper")
    }

    @Test func meanOfLogPerplexitiesAlsoPicksNo() throws {
        let decision = try #require(try rule("logppl").decide(Self.yesNo, proposers: Self.yesNoProposers))
        #expect(abs(decision.scores[0] - (log(1.25) + log(2.47) + log(2.02)) / 3) < 1e-9)
        #expect(abs(decision.scores[1] - (log(6.06) + log(1.71) + log(1.98)) / 3) < 1e-9)
        #expect(decision.winner == 0)
    }

    @Test func voteSumsEachModelsRanks() throws {
        // SmolLM2 ranks " No" first (rank 0) and " Yes" second (1); Gemma and Qwen the other way:
        // rank sums 0+1+1 = 2 for " No", 1+0+0 = 1 for " Yes".
        let decision = try #require(try rule("vote").decide(Self.yesNo, proposers: []))
        #expect(decision.scores == [2, 1])
        #expect(decision.winner == 1)
    }

    @Test func voteTiesGoToThePaperRuleThenToTheLowerIndex() throws {
        // Two models disagree: rank sums 1 and 1; mean PPL 2.05 for A and 3.5 for B.
        let a = [Self.ppl(1.1), Self.ppl(3)], b = [Self.ppl(5), Self.ppl(2)]
        #expect(try rule("vote").winner(of: [a, b]) == 0)
        #expect(try rule("vote").winner(of: [b, a]) == 1)
        #expect(try rule("vote").winner(of: [a, a]) == 0)
        // Equal perplexities share a rank: three candidates, the model sees two as equally good.
        let decision = try #require(try rule("vote").decide([[Self.ppl(2)], [Self.ppl(2)], [Self.ppl(3)]], proposers: []))
        #expect(decision.scores == [0.5, 0.5, 2])
    }

    @Test func voteWithAModelThatCannotAssessAnything() throws {
        // The third model has no tokens for either candidate: it abstains (same rank for both).
        let none = CandidateAssessment(tokenCount: 0, totalNLL: 0)
        let columns = [[Self.ppl(1.5), Self.ppl(4), none], [Self.ppl(3), Self.ppl(2), none]]
        let decision = try #require(try rule("vote").decide(columns, proposers: []))
        #expect(decision.scores == [1.5, 1.5])
        // Tie: the paper's mean over the models that could assess decides (2.75 vs 2.5).
        #expect(decision.winner == 1)
        // A candidate one model cannot assess ranks last for that model.
        let partial = try #require(try rule("vote").decide([[Self.ppl(9)], [none]], proposers: []))
        #expect(partial.scores == [0, 1])
    }

    @Test func weightedVoteCountsEachModelsRanksByItsWeight() throws {
        let decision = try #require(try rule("vote", weights: [3, 1, 1]).decide(Self.yesNo, proposers: []))
        #expect(decision.scores == [2, 3])
        #expect(decision.winner == 0)
    }

    @Test func medianIgnoresTheMostExtremeModel() throws {
        let decision = try #require(try rule("median").decide(Self.yesNo, proposers: []))
        #expect(abs(decision.scores[0] - 2.02) < 1e-9)
        #expect(abs(decision.scores[1] - 1.98) < 1e-9)
        #expect(decision.winner == 1)
        // An even number of models: the mean of the middle two; ties go to the paper's mean.
        let even = try #require(try rule("median").decide([[Self.ppl(1), Self.ppl(3), Self.ppl(5), Self.ppl(100)],
                                                           [Self.ppl(2), Self.ppl(2), Self.ppl(6), Self.ppl(6)]],
                                                          proposers: []))
        #expect(abs(even.scores[0] - 4) < 1e-9 && abs(even.scores[1] - 4) < 1e-9)
        #expect(even.winner == 1)
    }

    @Test func majorityPicksWhatTwoModelsProposed() throws {
        let majority = try rule("majority")
        #expect(majority.name == "majority")
        let decision = try #require(majority.decide(Self.yesNo, proposers: Self.yesNoProposers))
        #expect(decision.winner == 1)
        // The trace shows the fallback's scores (the paper's means).
        #expect(abs(decision.scores[1] - 3.25) < 1e-9)
        // Without agreement (or without proposer information) the fallback decides.
        #expect(majority.winner(of: Self.yesNo, proposers: [[0], [1]]) == 0)
        #expect(majority.winner(of: Self.yesNo) == 0)
        // majority+vote falls back to vote instead.
        let majorityVote = try rule("majority+vote")
        #expect(majorityVote.name == "majority+vote")
        #expect(majorityVote.winner(of: Self.yesNo, proposers: [[0], [1]]) == 1)
    }

    @Test func majorityWithATieBetweenTwoPairsAsksTheFallbackAmongThePairs() throws {
        // Four models, three candidates: A by models 0 and 1, B by 2 and 3... and C by nobody else
        // (C is Cool's own answer in cool+rerank, say); the fallback (paper) chooses between A and B only.
        let a = [Self.ppl(3), Self.ppl(3), Self.ppl(3), Self.ppl(3)]
        let b = [Self.ppl(2), Self.ppl(2), Self.ppl(2), Self.ppl(2)]
        let c = [Self.ppl(1), Self.ppl(1), Self.ppl(1), Self.ppl(1)]
        let majority = try rule("majority")
        #expect(majority.winner(of: [a, b, c], proposers: [[0, 1], [2, 3], [4]]) == 1)
        #expect(majority.winner(of: [a, b, c], proposers: [[0, 1, 4], [2, 3], []]) == 0)
    }

    @Test func leaderFollowsTheHeaviestProposerUnlessTwoAgree() throws {
        // Three different candidates; the third model has the largest weight, so its candidate wins
        // although its perplexities are the worst.
        let columns = [[Self.ppl(1.2), Self.ppl(2), Self.ppl(3)], [Self.ppl(4), Self.ppl(1.1), Self.ppl(3)],
                       [Self.ppl(9), Self.ppl(9), Self.ppl(2)]]
        let leader = try rule("leader", weights: [0.5, 0.94, 1.56])
        let decision = try #require(leader.decide(columns, proposers: [[0], [1], [2]]))
        #expect(decision.winner == 2)
        #expect(decision.scores == [-0.5, -0.94, -1.56])
        // majority+leader: two agreeing models overrule the leader; the veto case goes to " Yes".
        let majorityLeader = try rule("majority+leader", weights: [0.5, 0.94, 1.56])
        #expect(majorityLeader.name == "majority+leader")
        #expect(majorityLeader.winner(of: columns, proposers: [[0, 1], [], [2]]) == 0)
        #expect(majorityLeader.winner(of: columns, proposers: [[0], [1], [2]]) == 2)
        #expect(majorityLeader.winner(of: Self.yesNo, proposers: Self.yesNoProposers) == 1)
        // Without weights the first model leads; without proposers the (weighted) paper rule decides;
        // a candidate only Cool's own answer proposed (index past the models) does not lead.
        #expect(try rule("leader").winner(of: columns, proposers: [[1], [2], [0]]) == 2)
        #expect(leader.winner(of: Self.yesNo) == MeanSelection(weights: [0.5, 0.94, 1.56]).winner(of: Self.yesNo))
        #expect(leader.winner(of: columns, proposers: [[3], [0], []]) == 1)
    }

    @Test func weightsPerModel() throws {
        // Nearly silencing the over-confident first model lets " Yes" win.
        let weighted = try rule("weighted", weights: [0.01, 1, 1])
        #expect(weighted.name == "weighted")
        try weighted.validate(modelCount: 3)
        #expect(weighted.winner(of: Self.yesNo) == 1)
        #expect(throws: FusionError.weightsMismatch(weights: 3, models: 2)) { try weighted.validate(modelCount: 2) }
        #expect(throws: FusionError.invalidWeight(-1)) { try MeanSelection(weights: [1, -1]).validate(modelCount: 2) }
        #expect(throws: FusionError.invalidWeight(0)) { try RankVoteSelection(weights: [1, 0]).validate(modelCount: 2) }
        #expect(throws: FusionError.weightsMismatch(weights: 1, models: 3)) {
            try SelectionRules.make("majority+logppl", weights: [1]).validate(modelCount: 3)
        }
        // Weights from accuracy alone (llama.cpp's syllogism accuracies of the three models, 27% / 63% / 57%) do not overturn
        // this case: SmolLM2's certainty still outweighs them. Ranks and agreement do.
        let accuracyWeights = CalibratedWeights.weights(accuracies: [0.27, 0.63, 0.57])
        #expect(try rule("weighted", weights: accuracyWeights).winner(of: Self.yesNo) == 0)
        #expect(try rule("logppl", weights: accuracyWeights).winner(of: Self.yesNo) == 0)
    }

    @Test func namesAndTheirErrors() throws {
        for name in ["paper", "logppl", "vote", "median", "leader", "majority", "majority+median", "majority+logppl"] {
            #expect(try SelectionRules.make(name).name == name)
        }
        #expect(try SelectionRules.make(" Vote ").name == "vote")
        #expect(throws: SelectionError.unknownRule("best")) { try SelectionRules.make("best") }
        #expect(throws: SelectionError.unknownRule("majority+majority")) { try SelectionRules.make("majority+majority") }
        #expect(throws: SelectionError.weightsRequired(rule: "weighted")) { try SelectionRules.make("weighted") }
        #expect(throws: SelectionError.weightsNotSupported(rule: "median")) { try SelectionRules.make("median", weights: [1]) }
        #expect(SelectionError.unknownRule("best").description.contains("vote"))
    }

    @Test func tiesAndUnscorableCandidates() throws {
        let column = [Self.ppl(3), Self.ppl(4)]
        let paper = MeanSelection.paper
        #expect(paper.winner(of: [column, column, column]) == 0)
        #expect(paper.winner(of: [[Self.ppl(5), Self.ppl(4)], column, column]) == 1)
        #expect(paper.winner(of: []) == nil)
        // A model with no tokens for a candidate does not take part in its mean; no scorer: +infinity.
        let none = CandidateAssessment(tokenCount: 0, totalNLL: 0)
        #expect(paper.score([none, Self.ppl(2)]) == 2)
        #expect(paper.score([none]) == .infinity)
        #expect(paper.winner(of: [[none], [Self.ppl(50)]]) == 1)
        // NaN never wins.
        #expect(SelectionDecision.lowest([.nan, 7])?.winner == 1)
        #expect(SelectionDecision.lowest([.infinity, .infinity])?.winner == 0)
    }

    @Test func perplexityIsExpOfMeanNLL() {
        let assessment = CandidateAssessment(logProbs: [-1, -2, -3])
        #expect(assessment.tokenCount == 3)
        #expect(abs((assessment.perplexity ?? 0) - exp(2.0)) < 1e-9)
        #expect(CandidateAssessment(tokenCount: 0, totalNLL: 0).perplexity == nil)
    }
}
