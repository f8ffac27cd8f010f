import CoolFusionKernels
import Foundation
import Testing

/// The logit summary behind greedy decoding, log-probabilities and the gate's confidence: the SIMD
/// kernel gives the scalar reference's bits, and both agree with the same quantities computed in
/// double precision with libm's exp, one question per loop, as the engine did before.
struct LogitStatisticsTests {
    /// Logits like a model's: a few large values over a wide spread, from a seeded generator.
    static func logits(count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Float(state >> 40) / Float(1 << 24)
            return unit * unit * 30 - 12
        }
    }

    static func statistics(_ x: [Float], _ implementation: KernelImplementation = .simd) -> LogitStatistics {
        x.withUnsafeBufferPointer { LogitStatistics($0, implementation: implementation) }
    }

    @Test("SIMD equals the scalar reference bit for bit and both match double precision",
          arguments: [1, 7, 8, 9, 63, 1000, 49_152, 151_936, 262_144 + 5])
    func matchesReference(count: Int) throws {
        let x = Self.logits(count: count, seed: UInt64(count))
        let simd = Self.statistics(x)
        let scalar = Self.statistics(x, .scalarReference)
        #expect(simd == scalar)
        #expect(simd.sum.bitPattern == scalar.sum.bitPattern && simd.weightedSum.bitPattern == scalar.weightedSum.bitPattern)

        let maximum = try #require(x.max())
        #expect(simd.maximum == maximum)
        #expect(simd.greedyToken == x.firstIndex(of: maximum))
        var rest = x
        rest.remove(at: try #require(simd.greedyToken))
        #expect(simd.second == (rest.max() ?? -.infinity))
        // The quantities in double precision with libm's exp.
        let sum = x.reduce(0.0) { $0 + exp(Double($1 - maximum)) }
        let weighted = x.reduce(0.0) { $0 + exp(Double($1 - maximum)) * Double($1 - maximum) }
        #expect(abs(simd.sum - sum) <= 1e-5 * sum, "\(simd.sum) vs \(sum)")
        let entropy = log(sum) - weighted / sum
        #expect(abs(Double(try #require(simd.entropy)) - max(0, entropy)) <= 1e-4, "\(String(describing: simd.entropy)) vs \(entropy)")
        for token in [0, count / 2, count - 1, try #require(simd.greedyToken)] {
            let exact = Double(x[token] - maximum) - log(sum)
            #expect(abs(Double(simd.logProbability(ofLogit: x[token])) - exact) <= 1e-4, "token \(token)")
        }
        #expect(simd.topLogProbability == simd.logProbability(ofLogit: maximum))
        for implementation in [KernelImplementation.simd, .scalarReference] {
            #expect(x.withUnsafeBufferPointer { LogitStatistics.greedyToken($0, implementation: implementation) } == simd.greedyToken)
        }
    }

    @Test("ties go to the first index; the runner-up of a tie is the tied value; NaNs never win")
    func tiesAndNaNs() {
        let tied = Self.statistics([1, 5, 2, 5, 5, 0, 0, 0, 0, 3])
        #expect(tied.greedyToken == 1 && tied.maximum == 5 && tied.second == 5)
        let withNaN: [Float] = [.nan, 2, .nan, 7, 1, .nan, 0, 0, 0, .nan, 4]
        for implementation in [KernelImplementation.simd, .scalarReference] {
            let s = Self.statistics(withNaN, implementation)
            #expect(s.greedyToken == 3 && s.maximum == 7 && s.second == 4)
            #expect(withNaN.withUnsafeBufferPointer { LogitStatistics.greedyToken($0, implementation: implementation) } == 3)
        }
        // −∞ logits (masked tokens) have probability 0 and do not disturb the sums.
        let masked = Self.statistics([-.infinity, 0, -.infinity, 0, 0, 0, 0, 0, 0, -.infinity])
        #expect(masked.sum == 7 && masked.logProbability(ofLogit: 0) == -Float(log(7.0)))
        #expect(masked.logProbability(ofLogit: -.infinity) == -.infinity)
    }

    @Test("no number to summarize: no greedy token and no confidence")
    func empty() {
        for row in [[], [Float.nan, .nan], [-Float.infinity, -.infinity]] {
            let s = Self.statistics(row)
            #expect(s.topLogProbability == nil && s.entropy == nil && s.secondLogProbability == nil)
            if row.isEmpty || row[0].isNaN {
                #expect(s.greedyToken == nil)
                #expect(row.withUnsafeBufferPointer { LogitStatistics.greedyToken($0) } == nil)
            }
        }
    }
}
