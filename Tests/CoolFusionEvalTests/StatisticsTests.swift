import CoolFusionEval
import Testing

@Suite struct StatisticsTests {
    @Test func aTotalNeedsEveryValue() {
        #expect(Statistics.total([1.5, 2, 0.5]) == 4)
        #expect(Statistics.total([]) == 0)
        #expect(Statistics.total([1.5, nil, 2]) == nil)
    }

    @Test func standardErrorOfAProportion() throws {
        // 3 right of 10: sqrt(p(1-p)/(n-1)) = sqrt(0.21/9).
        let values = [1.0, 1, 1] + Array(repeating: 0.0, count: 7)
        #expect(Statistics.mean(values) == 0.3)
        let error = try #require(Statistics.standardError(values))
        #expect(abs(error - (0.21 / 9).squareRoot()) < 1e-12)
        #expect(Statistics.standardError([1]) == nil)
        #expect(Statistics.standardError([0, 0, 0]) == 0)
    }

    @Test func exactSignTest() {
        // 8 wins, 1 loss: 2 * (C(9,0) + C(9,1)) / 2^9 = 20/512.
        #expect(abs(Statistics.signTestPValue(wins: 8, losses: 1) - 20.0 / 512) < 1e-12)
        #expect(abs(Statistics.signTestPValue(wins: 1, losses: 8) - 20.0 / 512) < 1e-12)
        #expect(Statistics.signTestPValue(wins: 0, losses: 0) == 1)
        #expect(Statistics.signTestPValue(wins: 3, losses: 3) == 1)
        // 0 : 5 → 2/32.
        #expect(abs(Statistics.signTestPValue(wins: 0, losses: 5) - 0.0625) < 1e-12)
        // Large n stays finite and tiny.
        let p = Statistics.signTestPValue(wins: 900, losses: 100)
        #expect(p > 0 && p < 1e-100)
    }
}
