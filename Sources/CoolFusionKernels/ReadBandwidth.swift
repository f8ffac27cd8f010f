import Dispatch

/// The machine's memory read bandwidth as this process sees it, measured now (it depends on what else
/// runs): the best of three passes over a 256 MB buffer, far larger than the caches, split among the
/// pool's threads, each reading its share once with the vectorised sum of squares.
public enum ReadBandwidth {
    /// Bytes per second.
    public static func measure(pool: ThreadPool) -> Double {
        let count = 64 << 20   // floats: 256 MB
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1)
        guard let base = buffer.baseAddress else { return 0 }
        let parts = pool.threads
        let chunk = count / parts
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            pool.parallelFor(parts) { range in
                for part in range { _ = Kernels.sumOfSquares(base + part * chunk, count: chunk) }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, Double(chunk * parts * 4) / seconds)
        }
        return best
    }
}
