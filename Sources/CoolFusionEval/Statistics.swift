import Foundation

/// Summary statistics for per-item scores, as lm-evaluation-harness reports them.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The sum of `values`, or nil if any is missing (a measurement some item did not make): a
    /// partial sum would pass for the whole.
    public static func total(_ values: [Double?]) -> Double? {
        var sum = 0.0
        for value in values {
            guard let value else { return nil }
            sum += value
        }
        return sum
    }

    /// Standard error of the mean: sample standard deviation (n − 1) over √n, lm-evaluation-harness's
    /// `mean_stderr`. For 0/1 scores that is √(p(1−p)/(n−1)). Nil for fewer than two values.
    public static func standardError(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let m = mean(values)
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
        return (variance / Double(values.count)).squareRoot()
    }

    /// Exact two-sided sign test: the probability, if wins and losses were equally likely, of a split
    /// at least as uneven as `wins` : `losses` (ties dropped). For paired 0/1 outcomes this is
    /// McNemar's exact test. 1 when there are no discordant pairs.
    public static func signTestPValue(wins: Int, losses: Int) -> Double {
        let n = wins + losses
        guard n > 0 else { return 1 }
        let k = min(wins, losses)
        // Σ_{i ≤ k} C(n, i) / 2^n, in log space so large n cannot overflow.
        var tail = 0.0
        for i in 0...k {
            tail += exp(logChoose(n, i) - Double(n) * log(2))
        }
        return min(1, 2 * tail)
    }

    private static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
